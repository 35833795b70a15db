"""The video stage inside real pages: a hero video from front matter, an audio file and a
video in the body, VideoObject linked from NewsArticle, og:video, sitemap video entries,
a second build that runs no encode, and a corrupt video that fails only itself."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from media_clips import make_audio, make_clip
from sitebuilder import article, build, build_ok, read_page, write_site

BODY = """Watch the video below.

![A <b>street</b> view](../media/street.mp4){poster=0.5}

Listen:

![The interview](../media/interview.mp3)
"""


@pytest.fixture(scope="module")
def video_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("video-pages")
    make_clip(root / "media" / "hero.mp4", size="320x240", duration=1.5)
    make_clip(root / "media" / "street.mp4", size="320x240", duration=1.5)
    make_audio(root / "media" / "interview.mp3", duration=1.0)
    (root / "media" / "street.en.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nSirens in the street\n")
    write_site(root, {"content/story.md": article(
        "Story with video", "2025-07-04 10:00:00", BODY, video="media/hero.mp4",
        video_caption='"The hero clip"', summary="A summary")})
    build_ok(root)
    return root


def test_hero_and_body_media_render_as_figures(video_site: Path) -> None:
    page = read_page(video_site / "site", "story/index.html")
    videos = page.find_all("video")
    assert len(videos) == 2
    hero = page.find("div", class_="article__hero").find("video")
    assert hero.get("width") == "320" and hero.get("height") == "240"
    assert hero.get("poster")
    for video in videos:
        sources = video.find_all("source")
        assert sources[0].get("type").startswith('video/mp4; codecs="av01')
        assert any(s.get("type").startswith('video/mp4; codecs="avc1') for s in sources)
        for source in sources:
            assert (video_site / "site" / source.get("src").lstrip("/").split("#")[0]).is_file()
    body_video = videos[1]
    assert body_video.find("track").get("srclang") == "en"
    caption = body_video.parent.find("figcaption").text()
    assert caption == "A <b>street</b> view"  # escaped text, not markup
    audio = page.find("audio")
    assert [s.get("type") for s in audio.find_all("source")][0].startswith("audio/")


def test_video_objects_og_video_and_sitemap(video_site: Path) -> None:
    page = read_page(video_site / "site", "story/index.html")
    article_ld = page.jsonld_of("NewsArticle")[0]
    videos = article_ld["video"]
    assert len(videos) == 2
    street = next(v for v in videos if v["name"] == "A <b>street</b> view")
    assert street["@type"] == "VideoObject"
    assert re.fullmatch(r"PT(1(\.\d+)?|2)S", street["duration"])  # a 1.5 s clip
    assert street["uploadDate"] == "2025-07-04T10:00:00+02:00"
    assert street["transcript"] == "Sirens in the street"
    assert all(url.startswith("https://example.org/media/") for url in street["thumbnailUrl"])
    meta = {n.get("property"): n.get("content") for n in page.find_all("meta")
            if n.get("property")}
    assert meta["og:video"].endswith(".mp4") and meta["og:video:width"] == "320"
    sitemap = ET.parse(video_site / "site" / "sitemap.xml")
    namespace = {"v": "http://www.google.com/schemas/sitemap-video/1.1"}
    assert len(sitemap.findall(".//v:video", namespace)) == 2
    json.dumps(article_ld)  # plain JSON values only


def test_second_build_runs_no_encode(video_site: Path) -> None:
    (video_site / "content" / "story.md").write_text(
        (video_site / "content" / "story.md").read_text() + "\nOne more line.\n")
    result = build_ok(video_site)
    assert result.media_processed == 0
    assert result.media_cached > 0


def test_a_corrupt_video_fails_alone_and_keeps_the_previous_site(video_site: Path,
                                                                 tmp_path: Path) -> None:
    root = tmp_path / "site-copy"
    make_clip(root / "media" / "good.mp4", size="320x240", duration=1.0)
    (root / "media" / "bad.mp4").write_bytes(b"this is not a video at all")
    write_site(root, {"content/a.md": article("A", "2025-07-01", "![ok](../media/good.mp4)"),
                      "content/b.md": article("B", "2025-07-02",
                                              "x\n\n![broken](../media/bad.mp4)")})
    result = build(root)
    assert not result.ok
    errors = [d.format() for d in result.errors]
    assert len(errors) == 1 and errors[0].startswith("content/b.md:")
    assert "media/bad.mp4" in errors[0]
    assert not (root / "site").exists()
