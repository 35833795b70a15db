"""Pure pieces of the video features: platform links, chapter lists, the HLS ladder and
its command, the facade's markup, and the [video] settings' own checks."""

from __future__ import annotations

import re

import pytest
from sitebuilder import SITE_TOML, article, build, write_site

from reelpress.markup.embeds import platform_video
from reelpress.markup.engine import render_body
from reelpress.media.facade import facade_html
from reelpress.media.video import chapters as chap
from reelpress.media.video.ffmpeg import MediaInfo
from reelpress.media.video.hls import Rung, hls_command, ladder, site_master
from reelpress.media.video.recipes import VideoSettings


@pytest.mark.parametrize(("url", "platform", "video_id", "start"), [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", 0),
    ("https://youtu.be/dQw4w9WgXcQ?t=90", "youtube", "dQw4w9WgXcQ", 90),
    ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=1m5s", "youtube", "dQw4w9WgXcQ", 65),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ", 0),
    ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=7", "youtube", "dQw4w9WgXcQ", 7),
    ("https://vimeo.com/76979871", "vimeo", "76979871", 0),
    ("https://player.vimeo.com/video/76979871#t=12s", "vimeo", "76979871", 12),
])
def test_platform_links_are_recognised(url, platform, video_id, start):
    video = platform_video(url)
    assert video is not None
    assert (video.platform, video.video_id, video.start) == (platform, video_id, start)


@pytest.mark.parametrize("url", [
    "https://www.youtube.com/watch?v=short", "https://youtu.be/dQw4w9WgXcQ/extra",
    "javascript:alert(1)//youtu.be/dQw4w9WgXcQ", "https://evil.example/watch?v=dQw4w9WgXcQ",
    "https://vimeo.com/about", "https://www.youtube.com/watch?v=dQw4w9WgXc%22",
])
def test_other_links_are_not_platform_videos(url):
    assert platform_video(url) is None


def test_embed_urls_are_privacy_friendly():
    youtube = platform_video("https://youtu.be/dQw4w9WgXcQ?t=42")
    assert youtube.embed_url == (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=42")
    vimeo = platform_video("https://vimeo.com/76979871/abcdef1234")
    assert vimeo.embed_url == (
        "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1&h=abcdef1234")
    assert vimeo.watch_url == "https://vimeo.com/76979871/abcdef1234"


def test_markdown_marks_platform_links_and_facade_escapes_the_caption():
    body = render_body('![A "quote" <b>](https://youtu.be/dQw4w9WgXcQ)\n')
    [ref] = body.media
    assert ref.kind == "platform" and ref.standalone
    html = facade_html(platform_video(ref.src), ref.alt, None)
    assert "<b>" not in html and "&#34;quote&#34;" in html
    assert "reelpress-facade__placeholder" in html  # no poster: the theme's placeholder
    assert "<iframe" not in html and "<noscript><a href=" in html


def test_chapter_lines_and_their_errors():
    starts = chap.parse_lines(("0:00 Intro", "1:30 The rescue", "1:02:03 Late"))
    assert starts == [(0.0, "Intro"), (90.0, "The rescue"), (3723.0, "Late")]
    chapters = chap.from_starts(starts[:2], 120.0)
    assert chapters[0] == chap.Chapter(0.0, 90.0, "Intro") and chapters[1].end == 120.0
    with pytest.raises(chap.ChapterError, match=r"chapters\[2\]: expected 'M:SS Title'"):
        chap.parse_lines(("0:00 Intro", "soon: the end"))
    with pytest.raises(chap.ChapterError, match="does not start after chapter 1"):
        chap.from_starts([(30.0, "b"), (10.0, "a")], 60.0)
    with pytest.raises(chap.ChapterError, match="after the end of the video"):
        chap.from_starts([(0.0, "a"), (70.0, "b")], 60.0)


def info(width: int, height: int, duration: float = 90.0) -> MediaInfo:
    return MediaInfo(duration, width, height, 30.0, "h264", "High", "yuv420p", "aac", True, 0,
                     width, height)


def test_ladder_never_goes_above_the_source():
    settings = VideoSettings()
    assert [(r.width, r.height) for r in ladder(info(1920, 1080), settings)] == [
        (1280, 720), (960, 540), (640, 360)]
    assert [(r.width, r.height) for r in ladder(info(854, 480), settings)] == [(640, 360)]
    assert [(r.width, r.height) for r in ladder(info(320, 240), settings)] == [(320, 240)]
    assert [r.kbps for r in ladder(info(1920, 1080), settings)] == [3500, 2000, 1000]


def test_ladder_command_is_one_process_with_split_and_fmp4():
    rungs = (Rung(1280, 720, 3500), Rung(640, 360, 1000))
    from pathlib import Path
    args = hls_command("ffmpeg", Path("/in.mp4"), Path("/out"), info(1920, 1080),
                       VideoSettings(x264_threads=3), rungs)
    graph = args[args.index("-filter_complex") + 1]
    assert graph.startswith("[0:v]split=2[s0][s1];") and "scale=640:360" in graph
    assert args[args.index("-maxrate:v:1") + 1] == "1000k"
    assert args[args.index("-hls_segment_type") + 1] == "fmp4"
    assert args[args.index("-var_stream_map") + 1] == "v:0,a:0 v:1,a:1"
    assert args[args.index("-threads") + 1] == "3"  # the recipe's, not the pool's
    assert site_master("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n0.m3u8\n", "x.hls") == (
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nx.hls/0.m3u8\n")


def test_bad_video_settings_are_reported_at_their_line(tmp_path):
    config = SITE_TOML + ("\n[video]\nmax_kbps_720 = 10\nav1_min_saving = 1.5\n"
                          "hls_heights = [361]\n")
    write_site(tmp_path, {"content/a.md": article("A", "2025-07-04")}, site_toml=config)
    result = build(tmp_path)
    messages = {d.message: d.line for d in result.errors}
    lines = config.splitlines()
    expected = {"max_kbps_720": "max_kbps_720 = 10", "av1_min_saving": "av1_min_saving = 1.5",
                "hls_heights": "hls_heights = [361]"}
    for key, line_text in expected.items():
        [(message, line)] = [(m, n) for m, n in messages.items() if f"[video] {key}:" in m]
        assert line == lines.index(line_text) + 1, message


def test_silent_short_video_ladder_when_the_threshold_is_lowered(tmp_path):
    from media_clips import make_clip

    from reelpress.core.project import ProjectPaths
    from reelpress.media import MediaRequest, find_ffmpeg, plan_media, run_media_jobs
    make_clip(tmp_path / "media" / "quiet.mp4", size="256x144", duration=3.0, audio=False)
    settings = VideoSettings(av1=False, hls_min_seconds=2, hls_heights=(144, 72),
                             hls_segment_seconds=1)
    plan = plan_media([MediaRequest("media/quiet.mp4", "content/a.md", tmp_path, 1)],
                      project=ProjectPaths.at(tmp_path), settings=settings, tool=find_ffmpeg())
    result = run_media_jobs(plan, quiet=True)
    asset = result.assets["media/quiet.mp4"]
    master = result.outputs[asset.hls].read_text()
    assert master.count("#EXT-X-STREAM-INF") == 2 and "mp4a" not in master
    assert re.findall(r'CODECS="(avc1\.64[0-9a-f]{4})"', master)
    segments = [p for p in result.outputs if p.endswith(".m4s")]
    assert len(segments) == 6  # 3 s in 1 s segments, two rungs
    assert any("HLS ladder 256x144" in note for note in asset.notes)


def test_chapters_out_of_order_fail_the_article_at_its_video_line(tmp_path):
    from media_clips import make_clip
    make_clip(tmp_path / "media" / "clip.mp4", size="320x240", duration=1.0)
    write_site(tmp_path, {"content/a.md": article(
        "A", "2025-07-04 10:00:00", "Text.", video="media/clip.mp4",
        chapters='["0:00 Start", "0:00 Again"]')},
        site_toml=SITE_TOML + "\n[video]\nav1 = false\n")
    result = build(tmp_path)
    [problem] = [d for d in result.errors if "chapter" in d.message]
    assert problem.path == "content/a.md" and problem.line == 4  # the video: line
    assert "chapter 2 does not start after chapter 1" in problem.message
