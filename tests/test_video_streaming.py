"""Long videos, chapters and platform embeds in a real site, then in a real Chromium: the
HLS ladder (one ffmpeg, fMP4 segments, a master playlist ffmpeg itself can read) plays
natively and seeks, a chapter link seeks its video, the chapters are Clip key moments,
and a YouTube facade makes no request to another host until it is clicked."""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from media_clips import FFMPEG, make_clip
from sitebuilder import SITE_TOML, article, build_ok, read_page, write_site

from reelpress.serve.files import mime_type

YOUTUBE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s"
BODY = f"""The interview, and the press conference on YouTube:

![The press conference]({YOUTUBE}){{poster=../media/still.jpg}}

A short clip with chapters from a sidecar file:

![The street](../media/street.mp4)

And on Vimeo, inline: ![the drone shot](https://vimeo.com/76979871).
"""
CONFIG = SITE_TOML + "\n[video]\nav1 = false\nhls_heights = [144, 72]\n"
CHAPTERS = '["0:00 Arrival", "0:30 The question", "1:00 Goodbye"]'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("streaming")
    media = root / "media"
    make_clip(media / "long.mp4", size="256x144", duration=70.0, rate=10)
    make_clip(media / "street.mp4", size="320x240", duration=2.0)
    (media / "street.chapters.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nSirens\n\n00:01.000 --> 00:02.000\nCrowd\n")
    subprocess.run([FFMPEG, "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180",
                    "-frames:v", "1", str(media / "still.jpg")], check=True)
    write_site(root, {"content/interview.md": article(
        "The long interview", "2025-07-04 10:00:00", BODY, video="media/long.mp4",
        chapters=CHAPTERS, summary="Seventy seconds with the mayor")}, site_toml=CONFIG)
    build_ok(root)
    return root


def master_of(site: Path) -> Path:
    [master] = (site / "site" / "media").glob("long.*.m3u8")
    return master


def test_long_video_gets_a_ladder_with_a_master_playlist(site):
    master = master_of(site)
    text = master.read_text()
    variants = re.findall(r"#EXT-X-STREAM-INF:(.*)\n(.*)", text)
    assert [re.search(r"RESOLUTION=(\d+x\d+)", a).group(1) for a, _ in variants] == [
        "256x144", "128x72"]
    for attributes, uri in variants:
        assert re.search(r"BANDWIDTH=\d+", attributes)
        assert re.search(r'CODECS="avc1\.64[0-9a-f]{4},mp4a\.40\.2"', attributes)
        playlist = master.parent / uri
        assert "#EXT-X-MAP:URI=" in playlist.read_text()  # fMP4 (CMAF) segments
        assert len(re.findall(r"\.m4s", playlist.read_text())) == 12  # 70 s / 6 s
    # ffmpeg's own reading of the master: two programs, H.264 + AAC each, 70 s
    summary = subprocess.run([FFMPEG, "-hide_banner", "-i", str(master)],
                             capture_output=True).stderr.decode()
    assert summary.count("Video: h264") == 2 and summary.count("Audio: aac") == 2
    assert "Duration: 00:01:10" in summary or "Duration: 00:01:09" in summary


def test_ladder_rungs_stay_under_their_budget(site):
    master = master_of(site)
    for _, uri in re.findall(r"#EXT-X-STREAM-INF:(.*)\n(.*)", master.read_text()):
        folder = (master.parent / uri).parent
        stem = Path(uri).name.split(".")[0]
        size = sum(p.stat().st_size for p in folder.glob(f"{stem}_*.m4s"))
        assert size * 8 / 70 / 1000 < 1000 + 128 + 2000 / 70  # 360p budget + audio + buffer


def test_page_lists_hls_first_then_the_progressive_fallback(site):
    page = read_page(site / "site", "interview/index.html")
    hero = page.find("div", class_="article__hero").find("video")
    types = [s.get("type") for s in hero.find_all("source")]
    assert types[0] == "application/vnd.apple.mpegurl"
    assert types[1].startswith('video/mp4; codecs="avc1')
    for source in hero.find_all("source"):
        assert (site / "site" / source.get("src").lstrip("/")).is_file()


def test_chapters_give_a_track_a_list_and_clip_key_moments(site):
    page = read_page(site / "site", "interview/index.html")
    hero = page.find("div", class_="article__hero")
    track = [t for t in hero.find_all("track") if t.get("kind") == "chapters"][0]
    vtt = (site / "site" / track.get("src").lstrip("/")).read_text()
    assert vtt.startswith("WEBVTT") and "00:00:30.000 --> 00:01:00.000\nThe question" in vtt
    links = hero.find("ol", class_="reelpress-chapters").find_all("a")
    assert [a.get("data-seek") for a in links] == ["0", "30", "60"]
    assert links[1].text().endswith("The question")
    blocks = [json.loads(s.text()) for s in page.find_all("script")
              if s.get("type") == "application/ld+json"]
    videos = [v for b in blocks for v in b.get("video", [])]
    clips = next(v["hasPart"] for v in videos if "hasPart" in v and v["duration"] == "PT1M10S")
    assert clips[1] == {"@type": "Clip", "name": "The question", "startOffset": 30,
                        "endOffset": 60, "url": "https://example.org/interview/#t=30"}
    street = [v for v in videos if v.get("hasPart") and v["duration"] == "PT2S"][0]
    assert [c["name"] for c in street["hasPart"]] == ["Sirens", "Crowd"]


def test_youtube_link_is_a_facade_with_no_third_party_markup(site):
    page = read_page(site / "site", "interview/index.html")
    button = page.find("button", class_="reelpress-facade")
    assert button.get("data-embed-src") == (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=42")
    # nothing that loads by itself points off the site (links the reader may follow do)
    loads = [node.get(name) or "" for node in page.find_all() for name in ("src", "srcset")]
    loads += [node.get("href") or "" for node in page.find_all("link")
              if node.get("rel") in ("stylesheet", "preload", "icon", "modulepreload")]
    assert loads and all(not u.startswith(("http:", "https:", "//")) for u in loads), loads
    assert not page.find_all("iframe")
    html = (site / "site" / "interview/index.html").read_text()
    assert '<noscript><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=42s">' in html
    assert '<a href="https://vimeo.com/76979871">the drone shot</a>' in html  # inline: a link
    poster = button.find("img")
    assert poster is not None and (site / "site" / poster.get("src").lstrip("/")).is_file()
    blocks = [json.loads(s.text()) for s in page.find_all("script")
              if s.get("type") == "application/ld+json"]
    embeds = [v for b in blocks for v in b.get("video", []) if "youtube" in v.get("embedUrl", "")]
    assert embeds[0]["embedUrl"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42"
    assert embeds[0]["thumbnailUrl"][0].startswith("https://example.org/")


def test_second_build_runs_no_job_and_a_new_ladder_prunes_the_old(site):
    again = build_ok(site)
    assert again.media_processed == 0
    old_folder = master_of(site).with_suffix(".hls")
    cache = site / ".reelpress-cache" / "media"
    assert (cache / old_folder.name).is_dir()
    (site / "site.toml").write_text(CONFIG.replace("[144, 72]", "[144]"))
    try:
        build_ok(site)
        assert not (cache / old_folder.name).exists() and not old_folder.exists()
        [variant] = re.findall(r"#EXT-X-STREAM-INF:(.*)", master_of(site).read_text())
        assert "RESOLUTION=256x144" in variant
    finally:
        (site / "site.toml").write_text(CONFIG)
        build_ok(site)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    def guess_type(self, path):  # the preview server's types (.m3u8, .m4s, .vtt)
        return mime_type(path)

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def browser_page(site, autoplay_browser):
    handler = functools.partial(SiteHandler, directory=str(site / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    requests: list[str] = []
    tab = autoplay_browser.new_page()

    def route(request_route):  # record everything; nothing leaves 127.0.0.1
        url = request_route.request.url
        requests.append(url)
        if urlsplit(url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            request_route.fulfill(status=204, body="")

    tab.route("**/*", route)
    tab.goto(f"http://127.0.0.1:{server.server_address[1]}/interview/")
    yield tab, requests
    tab.close()
    server.shutdown()
    server.server_close()


PLAY_AND_SEEK = """async ([selector, to]) => {
  const video = document.querySelector(selector);
  const wait = (name) => new Promise((ok, bad) => {
    video.addEventListener(name, ok, {once: true});
    video.addEventListener("error", () => bad(String(video.error && video.error.message)),
                           {once: true});
  });
  if (video.readyState < 2) await wait("loadeddata");
  await video.play();
  await wait("timeupdate");
  const seeked = wait("seeked");
  video.currentTime = to;
  await seeked;
  return {src: video.currentSrc, time: video.currentTime, width: video.videoWidth};
}"""


def test_chromium_plays_the_hls_ladder_natively_and_seeks(browser_page):
    tab, requests = browser_page
    state = tab.evaluate(PLAY_AND_SEEK, [".article__hero video", 45])
    assert state["src"].endswith(".m3u8") and state["width"] > 0
    assert state["time"] >= 44
    assert any(u.endswith(".m4s") for u in requests)  # segments, not the progressive MP4


def test_a_chapter_link_seeks_its_video(browser_page):
    tab, _ = browser_page
    tab.evaluate("""() => new Promise((ok) => {
        const video = document.querySelector(".article__hero video");
        video.addEventListener("seeked", ok, {once: true});
        document.querySelector('.article__hero a[data-seek="60"]').click();
    })""")
    time = tab.evaluate("document.querySelector('.article__hero video').currentTime")
    assert time >= 59
    assert tab.url.endswith("/interview/")  # stayed on the page


def test_youtube_facade_makes_no_request_to_another_host_until_clicked(browser_page):
    tab, requests = browser_page
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in requests), requests
    tab.click("button.reelpress-facade")
    tab.wait_for_selector("iframe.reelpress-facade__frame")
    outside = [u for u in requests if urlsplit(u).hostname != "127.0.0.1"]
    assert outside and outside[0] == (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&start=42")
