"""The media stage end to end: plan + run real ffmpeg on lavfi clips, then read the outputs back."""

from __future__ import annotations

import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from media_clips import (
    FFMPEG,
    make_audio,
    make_black_then_pattern,
    make_clip,
    make_rotated,
    truncate,
    unsupported_codec,
)
from PIL import Image, ImageStat

from reelpress.core.project import ProjectPaths
from reelpress.media import (
    AudioAsset,
    MediaRequest,
    VideoAsset,
    VideoSettings,
    find_ffmpeg,
    media_html,
    plan_media,
    run_media_jobs,
    video_html,
    video_object,
)
from reelpress.media.video.mp4box import top_level_atoms, video_codec_string

ARTICLE = "content/paris-rescue.md"
SETTINGS = VideoSettings(max_height=240)  # tiny cap so the 640x360 clip must be scaled
SPECIAL = "Été; \"quoted\" 'it' & more.mp4"

REFS = [  # (line, reference as written in the article, poster time)
    (3, "../media/landscape.mp4", 0.5),
    (5, "media/websafe.mp4", None),
    (7, "media/silent.mp4", None),
    (9, "media/portrait.mp4", None),
    (11, "media/odd444.mp4", None),
    (13, "media/tenbit.mp4", None),
    (15, "media/black-start.mp4", None),
    (17, "media/" + SPECIAL, None),
    (19, "media/interview.wav", None),
    (20, "media/cut-short.mp4", None),
    (21, "media/empty.mp4", None),
    (22, "media/notes.mp4", None),
    (23, "media/truncated.mp4", None),
    (24, "media/weird.mp4", None),
    (25, "../../outside.mp4", None),
    (26, "media/link-out.mp4", None),
    (27, "media/nowhere.mp4", None),
]


def stream_summary(path: Path) -> str:
    """ffmpeg's own description of a file, read independently of the stage's parser."""
    proc = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)], capture_output=True)
    return proc.stderr.decode()


def duration_of(path: Path) -> float:
    hours, minutes, seconds = re.search(
        r"Duration: (\d+):(\d+):([\d.]+)", stream_summary(path)
    ).groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def make_site(root: Path, outside: Path) -> None:
    media = root / "media"
    make_clip(media / "landscape.mp4", size="640x360", duration=1.0)
    (media / "landscape.en.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:00.900\nFirefighters <i>reach</i> the child.\n"
    )
    (media / "landscape.fr.srt").write_text("1\n00:00:00,000 --> 00:00:00,900\nLes pompiers.\n")
    make_clip(media / "websafe.mp4", size="320x240", duration=1.0)
    make_clip(media / "silent.mp4", audio=False, vcodec="mpeg4", pix_fmt="yuv420p", extra=())
    (media / "silent.de.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:00.500\nok\n\n00:01 -> 2\nx\n")
    landscape_src = make_clip(root / "raw" / "phone.mov", size="320x240", duration=1.0)
    make_rotated(media / "portrait.mp4", landscape_src, 90)
    make_clip(media / "odd444.mp4", size="321x241", audio=False, pix_fmt="yuv444p")
    make_clip(media / "tenbit.mp4", audio=False, pix_fmt="yuv420p10le")
    make_black_then_pattern(media / "black-start.mp4")
    make_clip(media / SPECIAL, size="320x240", duration=0.5)
    make_audio(media / "interview.wav", duration=1.0)
    (media / "empty.mp4").write_bytes(b"")
    (media / "notes.mp4").write_text("shot list: 1. ladder 2. crowd\n")
    truncate(media / "truncated.mp4", media / "websafe.mp4")
    # moov first, then half the data: probes fine, decodes only partly
    full = make_clip(root / "raw" / "full.mp4", duration=2.0, audio=False, faststart=True)
    truncate(media / "cut-short.mp4", full)
    unsupported_codec(media / "weird.mp4", media / "websafe.mp4")
    make_clip(outside, audio=False)
    (media / "link-out.mp4").symlink_to(outside)
    (root / "content").mkdir()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("media-site")
    root = base / "site"
    make_site(root, base / "outside.mp4")
    project = ProjectPaths.at(root)
    tool = find_ffmpeg()
    requests = [
        MediaRequest(ref, ARTICLE, root / "content", line, poster_time=poster)
        for line, ref, poster in REFS
    ]
    plan = plan_media(requests, project=project, settings=SETTINGS, tool=tool)
    result = run_media_jobs(plan, quiet=True)
    return {"root": root, "project": project, "tool": tool, "requests": requests,
            "plan": plan, "result": result}  # fmt: skip


def asset(built, rel: str):
    return built["result"].assets[rel]


def cached(built, site_path: str) -> Path:
    return built["plan"].outputs[site_path]


def commands_for(built, source_name: str) -> list[tuple[str, ...]]:
    return [c for c in built["result"].commands if any(a.endswith(source_name) for a in c)]


def test_each_bad_input_is_one_error_naming_article_line_and_file(built):
    errors = {d.line: d for d in built["plan"].diagnostics if d.is_error}
    assert all(d.path == ARTICLE for d in errors.values() if d.line and d.line >= 21)
    assert "media/empty.mp4" in errors[21].message and "empty" in errors[21].message
    assert "media/notes.mp4" in errors[22].message and "Invalid data" in errors[22].message
    assert "moov atom not found" in errors[23].message
    assert "unsupported video codec" in errors[24].message
    assert "outside the project" in errors[25].message
    assert "outside the project" in errors[26].message  # symlink pointing out
    assert "not found" in errors[27].message
    for diagnostic in errors.values():
        assert "\n" not in diagnostic.format() and "Traceback" not in diagnostic.format()
    assert built["result"].failed == {"media/cut-short.mp4"}  # decoding finds that one


def test_source_cut_short_after_a_valid_header_fails_its_article(built):
    [cut] = built["result"].diagnostics
    assert cut.path == ARTICLE and cut.line == 20 and cut.is_error
    assert "media/cut-short.mp4: only" in cut.message and "of 2.0 s" in cut.message
    assert "truncated" in cut.message and "allow_damaged" in cut.hint
    assert built["result"].asset_for(built["root"] / "content", "media/cut-short.mp4")
    download = asset(built, "media/cut-short.mp4").download
    assert not cached(built, download).exists()  # never cached: the next build fails again
    assert download not in built["result"].outputs


def test_assets_are_found_by_the_reference_as_written(built):
    root, result = built["root"], built["result"]
    landscape = result.asset_for(root / "content", "../media/landscape.mp4")
    assert landscape is result.assets["media/landscape.mp4"]
    assert built["plan"].asset_for(root / "content", "media/websafe.mp4").source == (
        "media/websafe.mp4"
    )  # not in content/media/, so found at the project root
    assert result.asset_for(root / "content", "media/empty.mp4") is None


def test_good_media_still_processed(built):
    assets = built["result"].assets
    assert set(assets) == {
        "media/landscape.mp4", "media/websafe.mp4", "media/silent.mp4", "media/portrait.mp4",
        "media/odd444.mp4", "media/tenbit.mp4", "media/black-start.mp4", "media/" + SPECIAL,
        "media/interview.wav", "media/cut-short.mp4",
    }  # fmt: skip
    damaged = asset(built, "media/cut-short.mp4").download
    for site_path, path in built["plan"].outputs.items():
        assert site_path == damaged or path.is_file() and path.stat().st_size > 0, site_path
    leftovers = [p.name for p in path.parent.iterdir() if ".part-" in p.name]
    assert leftovers == []


def test_h264_outputs_are_web_safe_even_faststart_and_full_length(built):
    root = built["root"]
    for rel, item in built["result"].assets.items():
        if not isinstance(item, VideoAsset) or rel == "media/cut-short.mp4":
            continue
        mp4 = cached(built, item.download)
        summary = stream_summary(mp4)
        assert "Video: h264" in summary and "yuv420p" in summary and "yuv420p10" not in summary
        assert f"{item.width}x{item.height}" in summary
        assert item.width % 2 == 0 and item.height % 2 == 0
        assert ("Audio: aac" in summary) == item.has_audio
        assert abs(duration_of(mp4) - duration_of(root / rel)) <= 0.1, rel
        atoms = top_level_atoms(mp4)
        assert atoms.index("moov") < atoms.index("mdat"), rel
        assert "rotation" not in summary
        h264_type = item.sources[-1].mime
        assert f'codecs="{video_codec_string(mp4)}' in h264_type


def test_encoded_outputs_are_high_profile_capped_and_rotation_applied(built):
    landscape = asset(built, "media/landscape.mp4")
    assert (landscape.width, landscape.height) == (426, 240)  # 640x360 capped on the short side
    assert "h264 (High)" in stream_summary(cached(built, landscape.download))
    portrait = asset(built, "media/portrait.mp4")
    assert (portrait.width, portrait.height) == (240, 320)  # stored 320x240, rotation 90
    assert "240x320" in stream_summary(cached(built, portrait.download))
    odd = asset(built, "media/odd444.mp4")
    assert (odd.width, odd.height) == (320, 240)
    for rel in ("media/odd444.mp4", "media/tenbit.mp4"):
        summary = stream_summary(cached(built, asset(built, rel).download))
        assert "h264 (High)" in summary and ", yuv420p(" in summary


def test_av1_rendition_made_with_exact_codecs(built):
    for item in built["plan"].assets.values():
        if not isinstance(item, VideoAsset):
            continue
        av1, h264 = item.sources  # planned: AV1 first; published only if it earns its bytes
        path = cached(built, av1.site_path)
        summary = stream_summary(path)
        assert "Video: av1" in summary and "yuv420p" in summary
        assert f"{item.width}x{item.height}" in summary
        codec = video_codec_string(path)
        assert re.fullmatch(r"av01\.0\.\d\dM\.08", codec)
        assert av1.mime.startswith(f'video/mp4; codecs="{codec}')
        assert h264.mime.startswith('video/mp4; codecs="avc1.')


def test_web_safe_source_is_remuxed_not_reencoded(built):
    runs = commands_for(built, "websafe.mp4")
    h264_runs = [c for c in runs if "libsvtav1" not in c and "libwebp" not in c
                 and "rawvideo" not in c]  # fmt: skip
    assert len(h264_runs) == 1
    assert h264_runs[0][h264_runs[0].index("-c") + 1] == "copy"
    assert not any("libx264" in c for c in runs)
    source_codec = video_codec_string(built["root"] / "media/websafe.mp4")
    assert video_codec_string(cached(built, asset(built, "media/websafe.mp4").download)) == (
        source_codec
    )


def poster_stats(path: Path) -> tuple[tuple[int, int], float, float]:
    with Image.open(path) as image:
        stat = ImageStat.Stat(image.convert("L"))
        return image.size, stat.mean[0], stat.stddev[0]


def test_posters_match_output_size_and_are_not_black(built):
    for rel, item in built["result"].assets.items():
        if not isinstance(item, VideoAsset):
            continue
        for poster in (item.poster_webp, item.poster_jpeg):
            size, mean, stddev = poster_stats(cached(built, poster))
            assert size == (item.width, item.height), rel
            assert mean > 30 and stddev > 20, (rel, mean, stddev)
    with Image.open(cached(built, asset(built, "media/portrait.mp4").poster_webp)) as image:
        assert image.format == "WEBP"


def test_author_poster_time_wins(built):
    poster_runs = [c for c in commands_for(built, "landscape.mp4") if "libwebp" in c]
    assert len(poster_runs) == 1 and poster_runs[0][poster_runs[0].index("-ss") + 1] == "0.500"
    assert not [c for c in commands_for(built, "landscape.mp4") if "rawvideo" in c]


def test_audio_file_gets_opus_and_aac(built):
    audio = asset(built, "media/interview.wav")
    assert isinstance(audio, AudioAsset)
    opus, aac = audio.sources
    assert "Audio: opus" in stream_summary(cached(built, opus.site_path))
    assert "Audio: aac" in stream_summary(cached(built, aac.site_path))
    assert opus.mime == 'audio/webm; codecs="opus"'
    assert abs(duration_of(cached(built, aac.site_path)) - 1.0) <= 0.1


def test_captions_tracks_srt_conversion_and_problems(built):
    landscape = asset(built, "media/landscape.mp4")
    assert [(t.lang, t.default) for t in landscape.tracks] == [("en", True), ("fr", False)]
    french = cached(built, landscape.tracks[1].site_path).read_text()
    assert french.startswith("WEBVTT") and "00:00:00.000 --> 00:00:00.900" in french
    assert landscape.transcript == "Firefighters reach the child."
    broken = [d for d in built["plan"].diagnostics if d.path == "media/silent.de.vtt"]
    assert len(broken) == 1 and broken[0].line == 6 and broken[0].is_error
    no_captions = {d.message for d in built["plan"].diagnostics if not d.is_error}
    assert "video media/portrait.mp4 has no captions" in no_captions
    assert not any("landscape" in message for message in no_captions)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_video_html_parses_back_with_sources_tracks_and_escaping(built):
    landscape = asset(built, "media/landscape.mp4")
    caption = 'Rescue on "Rue <Saint>" & co'
    markup = video_html(landscape, caption, lambda p: "/sub/" + p, {"start": "0:01", "loop": ""})
    parser = _Collect()
    parser.feed(markup)
    tags = parser.tags
    assert [t for t, _ in tags][:2] == ["figure", "video"]
    video = tags[1][1]
    assert video["width"] == "426" and video["height"] == "240"
    assert "controls" in video and "playsinline" in video and "loop" in video
    assert video["preload"] == "metadata" and video["poster"] == "/sub/" + landscape.poster_webp
    sources = [a for t, a in tags if t == "source"]
    assert [s["src"] for s in sources] == [f"/sub/{r.site_path}#t=1" for r in landscape.sources]
    assert [s["type"] for s in sources] == [r.mime for r in landscape.sources]
    tracks = [a for t, a in tags if t == "track"]
    assert tracks[0]["srclang"] == "en" and "default" in tracks[0]
    assert tracks[0]["kind"] == "captions"
    assert "<Saint>" not in markup and caption in "".join(parser.text)
    downloads = [a for t, a in tags if t == "a"]
    assert downloads[0]["href"] == "/sub/" + landscape.download
    audio_markup = media_html(asset(built, "media/interview.wav"), "Interview", str, {})
    assert "<audio controls" in audio_markup and 'type="audio/webm; codecs=&#34;opus&#34;"' in (
        audio_markup
    )


def test_special_file_names_just_work(built):
    item = asset(built, "media/" + SPECIAL)
    assert item.download.startswith("media/ete-quoted-it-more.")
    assert cached(built, item.download).is_file()


def test_video_object_fields(built):
    landscape = asset(built, "media/landscape.mp4")
    data = video_object(
        landscape, name="Rescue in Paris", description="Firefighters at work",
        upload_date_iso="2026-11-25T10:00:00+01:00",
        url_for_absolute=lambda p: "https://n.example/" + p,
    )  # fmt: skip
    assert data["@type"] == "VideoObject" and data["name"] == "Rescue in Paris"
    assert data["duration"] == "PT1S" and data["uploadDate"] == "2026-11-25T10:00:00+01:00"
    assert data["contentUrl"] == "https://n.example/" + landscape.download
    assert data["thumbnailUrl"][0].endswith(".jpg")
    assert (data["width"], data["height"]) == (426, 240)
    assert data["transcript"] == "Firefighters reach the child."
    assert "transcript" not in video_object(
        asset(built, "media/portrait.mp4"), name="x", description="", upload_date_iso="2026",
        url_for_absolute=str,
    )  # fmt: skip


def test_second_build_runs_no_ffmpeg_at_all(built):
    again = plan_media(built["requests"], project=built["project"], settings=SETTINGS,
                       tool=built["tool"])  # fmt: skip
    # only the damaged source runs again (and fails again): nothing of it was cached
    assert [job.label for job in again.jobs] == ["media/cut-short.mp4"]
    assert again.outputs == built["plan"].outputs
    again = plan_media([r for r in built["requests"] if r.line != 20], project=built["project"],
                       settings=SETTINGS, tool=built["tool"])  # fmt: skip
    assert again.jobs == ()
    result = run_media_jobs(again, quiet=True)
    assert result.commands == () and result.encoded == 0
    assert result.cached == len(again.outputs)
    assert result.assets == {k: a for k, a in built["result"].assets.items()
                             if k != "media/cut-short.mp4"}  # codecs read from the cached files


def test_no_orphan_ffmpeg_left_behind(built):
    cache = str(built["plan"].cache_dir)
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            assert cache.encode() not in cmdline
