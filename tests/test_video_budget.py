"""The bitrate budget and renditions that earn their bytes, on real clips: a web-safe source
is remuxed only within budget, encodes stay under the cap, AV1 is published only when it
is enough smaller than H.264, and a damaged source fails its article unless allowed."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import pytest
from media_clips import FFMPEG, make_clip, truncate

from reelpress.core.project import ProjectPaths
from reelpress.media import MediaRequest, VideoSettings, find_ffmpeg, plan_media, run_media_jobs
from reelpress.media.video.budget import budget_kbps, decide
from reelpress.media.video.ffmpeg import MediaInfo

ARTICLE = "content/a.md"
SETTINGS = VideoSettings(max_height=360)


def video_kbps(path: Path) -> int:
    """The video stream's bitrate as ffmpeg itself reports it (not the stage's parser)."""
    summary = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path)],
                             capture_output=True).stderr.decode()
    return int(re.search(r"Video: .*?(\d+) kb/s", summary).group(1))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("budget")
    media = root / "media"
    # web-safe H.264 High at about 6 Mb/s: fine for a phone's camera, not for its reader
    make_clip(media / "hot.mp4", size="640x360", duration=2.0, noise=10,
              extra=("-preset", "ultrafast", "-crf", "8"), faststart=True)
    make_clip(media / "calm.mp4", size="320x240", duration=1.0, faststart=True)  # ~300 kb/s
    make_clip(media / "grain.mp4", size="320x240", duration=1.0, noise=10, vcodec="mpeg4",
              extra=("-q:v", "2"))  # AV1 wins on grain
    make_clip(media / "pattern.mp4", size="320x240", duration=1.0, vcodec="mpeg4",
              extra=("-q:v", "2"))  # and loses on the bare synthetic pattern
    full = make_clip(root / "raw" / "full.mp4", duration=2.0, audio=False, faststart=True)
    truncate(media / "cut.mp4", full)
    (root / "content").mkdir()
    project = ProjectPaths.at(root)
    names = ("hot", "calm", "grain", "pattern", "cut")
    requests = [MediaRequest(f"media/{name}.mp4", ARTICLE, root / "content", line)
                for line, name in enumerate(names, start=1)]
    plan = plan_media(requests, project=project, settings=SETTINGS, tool=find_ffmpeg())
    result = run_media_jobs(plan, quiet=True)
    return {"root": root, "project": project, "plan": plan, "result": result,
            "requests": requests}


def test_budget_rungs_and_the_reason_in_words():
    settings = VideoSettings()
    assert budget_kbps(settings, 320, 240) == 1000 and budget_kbps(settings, 1280, 720) == 3500
    assert budget_kbps(settings, 720, 1280) == 3500  # portrait: the short side decides
    assert budget_kbps(settings, 3840, 2160) == 24000  # above 1080p: scaled by pixels
    info = MediaInfo(2.0, 1280, 720, 30.0, "h264", "High", "yuv420p", "aac", True, 0,
                     1280, 720, video_kbps=8000)
    over = decide(info, settings, (1280, 720))
    assert not over.remux and over.kbps == 3500
    assert over.reason == "re-encoded: 8000 kb/s is over the 720p budget of 3500 kb/s"
    within = decide(dataclasses.replace(info, video_kbps=3000), settings, (1280, 720))
    assert within.remux and "within the 720p budget of 3500 kb/s" in within.reason
    assert not decide(dataclasses.replace(info, video_kbps=0), settings, (1280, 720)).remux
    assert "hevc is not H.264" in decide(dataclasses.replace(info, video_codec="hevc"),
                                         settings, (1280, 720)).reason


def test_web_safe_source_over_budget_is_reencoded_under_the_cap(built):
    source = built["root"] / "media/hot.mp4"
    assert video_kbps(source) > 3000  # the clip really is a high-bitrate web-safe one
    result = built["result"]
    hot = result.assets["media/hot.mp4"]
    commands = [c for c in result.commands if str(source) in c]
    x264 = next(c for c in commands if "libx264" in c)
    assert x264[x264.index("-maxrate") + 1] == "1000k" and x264[x264.index("-bufsize") + 1] == (
        "2000k")
    assert any("libsvtav1" in c and "-maxrate" in c for c in commands)  # AV1 is capped too
    assert "re-encoded" in hot.notes[0] and "over the 360p budget of 1000 kb/s" in hot.notes[0]
    for rendition in hot.sources:  # VBV: at most cap x duration + one buffer
        out = result.outputs[rendition.site_path]
        assert video_kbps(out) * 2.0 <= 1000 * 2.0 + 2000, rendition.site_path


def test_web_safe_source_within_budget_is_remuxed(built):
    result = built["result"]
    calm = result.assets["media/calm.mp4"]
    assert calm.notes[0].startswith("media/calm.mp4: remuxed: web-safe H.264 at ")
    runs = [c for c in result.commands if any(a.endswith("calm.mp4") for a in c)]
    assert any(c[c.index("-c") + 1] == "copy" for c in runs if "-c" in c)
    assert not any("libx264" in c for c in runs)


def test_av1_kept_when_it_earns_its_bytes_and_listed_first(built):
    result = built["result"]
    grain = result.assets["media/grain.mp4"]
    assert len(grain.sources) == 2 and "av01" in grain.sources[0].mime
    sizes = [result.outputs[r.site_path].stat().st_size for r in grain.sources]
    assert sizes[0] <= 0.85 * sizes[1] and sizes == sorted(sizes)
    assert any("AV1 kept" in note for note in grain.notes)


def test_av1_dropped_when_bigger_and_not_published(built):
    result, plan = built["result"], built["plan"]
    pattern = result.assets["media/pattern.mp4"]
    [only] = pattern.sources
    assert "avc1" in only.mime and only.site_path == pattern.download
    [planned_av1] = [r for r in plan.assets["media/pattern.mp4"].sources if "av01" in r.mime]
    av1_file = plan.outputs[planned_av1.site_path]
    assert av1_file.stat().st_size > 0.85 * result.outputs[only.site_path].stat().st_size
    assert planned_av1.site_path not in result.outputs  # not copied to site/
    [note] = [n for n in pattern.notes if "AV1" in n]
    assert note.startswith("media/pattern.mp4: AV1 dropped: ") and "15%" in note


def test_the_choice_is_kept_with_the_cache(built):
    """A second build re-encodes nothing and makes the same choice from the cached files."""
    again = plan_media(built["requests"][:4], project=built["project"], settings=SETTINGS,
                       tool=find_ffmpeg())
    assert again.jobs == ()
    result = run_media_jobs(again, quiet=True)
    assert result.commands == ()
    for key in ("media/grain.mp4", "media/pattern.mp4", "media/hot.mp4"):
        assert result.assets[key] == built["result"].assets[key]


def test_truncated_source_fails_its_article_and_allow_damaged_publishes_it(built):
    [damaged] = [d for d in built["result"].diagnostics if "cut.mp4" in d.message]
    assert damaged.is_error and damaged.path == ARTICLE and damaged.line == 5
    assert re.search(r"media/cut\.mp4: only [\d.]+ s of 2\.0 s could be decoded",
                     damaged.message)
    assert "media/cut.mp4" in built["result"].failed
    allowed = dataclasses.replace(SETTINGS, allow_damaged=True)
    plan = plan_media(built["requests"][4:], project=built["project"], settings=allowed,
                      tool=find_ffmpeg())
    assert plan.jobs  # allow_damaged is part of the output key: no stale refusal reused
    result = run_media_jobs(plan, quiet=True)
    [warned] = [d for d in result.diagnostics if "cut.mp4" in d.message]
    assert not warned.is_error and not result.failed
    assert result.assets["media/cut.mp4"].download in result.outputs
    # back to the default: the published-anyway output is not reused, the article fails again
    strict = plan_media(built["requests"][4:], project=built["project"], settings=SETTINGS,
                        tool=find_ffmpeg())
    assert [job.kind for job in strict.jobs] == ["remux"]
    assert run_media_jobs(strict, quiet=True).failed == {"media/cut.mp4"}


def test_a_probe_cached_by_the_previous_stage_version_is_not_reused(built, tmp_path):
    """Probes cached before bitrates were read would say 0 kb/s: everything re-encoded."""
    from reelpress.media.cache import PROBE_DIR, cached_probe, file_digest
    source = built["root"] / "media/hot.mp4"
    tool = find_ffmpeg()
    digest = file_digest(source)
    entry = tmp_path / PROBE_DIR / f"{digest[:32]}.json"
    entry.parent.mkdir()
    fresh = cached_probe(tool, source, digest, tmp_path)
    assert fresh.video_kbps > 3000
    old = {k: v for k, v in json.loads(entry.read_text()).items()
           if k not in ("video_kbps", "_stage")}
    entry.write_text(json.dumps({**old, "duration": 99.0}))  # as media-1 wrote it
    assert cached_probe(tool, source, digest, tmp_path) == fresh
