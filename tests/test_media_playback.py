"""Chromium plays what the stage publishes: the `<video>` markup picks AV1 first, the
H.264 fallback and the Opus audio play too, captions load, portrait shows upright."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import threading

import pytest
from media_clips import make_audio, make_clip, make_rotated

from reelpress.core.project import ProjectPaths
from reelpress.media import (
    MediaRequest,
    VideoSettings,
    audio_html,
    find_ffmpeg,
    plan_media,
    run_media_jobs,
    video_html,
)

PLAY = """async (selector) => {
  const media = document.querySelector(selector);
  if (media.readyState < 2) {
    await new Promise((ok, bad) => {
      media.addEventListener("loadeddata", ok, {once: true});
      media.addEventListener("error", () => bad(String(media.error && media.error.message)));
      setTimeout(() => bad("timeout"), 15000);
    });
  }
  await media.play();
  await new Promise((ok) => media.addEventListener("timeupdate", ok, {once: true}));
  return {src: media.currentSrc, width: media.videoWidth || 0, height: media.videoHeight || 0,
          tracks: media.textTracks ? media.textTracks.length : 0, playing: media.currentTime > 0};
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("playback")
    (root / "content").mkdir()
    # grain makes AV1 earn its bytes, so it is published (and listed first)
    phone = make_clip(root / "raw" / "phone.mp4", size="320x240", duration=1.0, noise=10)
    make_rotated(root / "media" / "portrait.mp4", phone, 90)
    (root / "media" / "portrait.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:00.900\nHi\n")
    make_audio(root / "media" / "tone.mp3", duration=1.0)
    project = ProjectPaths.at(root)
    plan = plan_media(
        [MediaRequest(f"media/{name}", "content/a.md", root / "content", 1)
         for name in ("portrait.mp4", "tone.mp3")],
        project=project, settings=VideoSettings(), tool=find_ffmpeg(),
    )  # fmt: skip
    result = run_media_jobs(plan, quiet=True)
    site = root / "site"
    (site / "media").mkdir(parents=True)
    for site_path, cached in result.outputs.items():
        (site / site_path).hardlink_to(cached)
    video = result.assets["media/portrait.mp4"]
    assert "av01" in video.sources[0].mime, video.notes
    h264_only = dataclasses.replace(video, sources=video.sources[1:])
    page = "\n".join([
        "<!doctype html><meta charset=utf-8><title>t</title>",
        '<div id="av1">', video_html(video, "Portrait", lambda p: "/" + p, {"muted": ""}), "</div>",
        '<div id="h264">', video_html(h264_only, "Fallback", lambda p: "/" + p, {"muted": ""}),
        "</div>",
        '<div id="audio">', audio_html(result.assets["media/tone.mp3"], "Tone", lambda p: "/" + p),
        "</div>",
    ])  # fmt: skip
    (site / "index.html").write_text(page, encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", video
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="module")
def page(served, autoplay_browser):
    tab = autoplay_browser.new_page()
    tab.goto(served[0])
    yield tab
    tab.close()


def test_chromium_says_probably_to_every_published_type(page, served):
    video = served[1]
    for rendition in video.sources:
        verdict = page.evaluate(
            "t => document.createElement('video').canPlayType(t)", rendition.mime
        )
        assert verdict == "probably", rendition.mime


def test_av1_is_chosen_first_and_plays_upright_with_captions(page, served):
    state = page.evaluate(PLAY, "#av1 video")
    assert state["src"].endswith(".av1.mp4")
    assert (state["width"], state["height"]) == (240, 320)
    assert state["tracks"] == 1 and state["playing"]


def test_h264_fallback_plays(page):
    state = page.evaluate(PLAY, "#h264 video")
    assert state["src"].endswith(".mp4") and not state["src"].endswith(".av1.mp4")
    assert (state["width"], state["height"]) == (240, 320) and state["playing"]


def test_opus_audio_plays(page):
    state = page.evaluate(PLAY, "#audio audio")
    assert state["src"].endswith(".webm") and state["playing"]


def test_poster_is_served(page, served):
    poster = served[1].poster_webp
    status = page.evaluate("async (u) => (await fetch(u)).status", "/" + poster)
    assert status == 200
