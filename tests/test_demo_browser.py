"""The built demo article in a real browser: every video plays (currentTime advances, no
media error), its poster loads, seeking works through HTTP Range requests, and the hero
photo loads. Served by reelpress's own preview server, as a writer would see it."""

from __future__ import annotations

PLAY_ALL = """async () => {
  const results = [];
  for (const video of document.querySelectorAll("article video")) {
    if (video.readyState < 2) {
      await new Promise((ok, bad) => {
        video.addEventListener("loadeddata", ok, {once: true});
        video.addEventListener("error",
          () => bad("media error " + (video.error && video.error.code)));
        setTimeout(() => bad("timeout waiting for data"), 20000);
      });
    }
    video.muted = true;
    await video.play();
    const started = video.currentTime;
    await new Promise((ok) => setTimeout(ok, 700));
    const advanced = video.currentTime > started;
    video.pause();
    const target = Math.min(video.duration - 0.5, 2.0);
    const seeked = new Promise((ok) => video.addEventListener("seeked", ok, {once: true}));
    video.currentTime = target;
    await seeked;
    const poster = await new Promise((ok) => {
      const image = new Image();
      image.onload = () => ok({loaded: true, width: image.naturalWidth});
      image.onerror = () => ok({loaded: false, width: 0});
      image.src = video.poster;
    });
    results.push({src: video.currentSrc, advanced, error: video.error && video.error.code,
                  seekedTo: video.currentTime, target, poster,
                  width: video.videoWidth, height: video.videoHeight,
                  tracks: video.textTracks.length});
  }
  return results;
}"""


def test_every_demo_video_plays_seeks_and_shows_its_poster(served_demo, autoplay_browser):
    ranges: list[int] = []
    page = autoplay_browser.new_page()
    page.on("response", lambda r: ranges.append(r.status) if "/media/" in r.url
            and r.url.endswith(".mp4") else None)
    page.goto(served_demo.url + "paris-rescue/")
    results = page.evaluate(PLAY_ALL)
    hero = page.evaluate("""() => { const img = document.querySelector('.article__hero img');
        return img ? img.decode().then(() => img.naturalWidth, () => 0) : -1; }""")
    page.close()
    assert results, "the demo article has no video"
    for video in results:
        assert video["error"] is None
        assert video["advanced"], f"{video['src']} did not play"
        assert abs(video["seekedTo"] - video["target"]) < 0.5
        assert video["poster"]["loaded"] and video["poster"]["width"] > 0
        assert video["width"] > 0 and video["height"] > 0
        assert video["tracks"] >= 1  # the demo clip ships English captions
    assert ".av1." in results[0]["src"] or results[0]["src"].endswith(".mp4")
    assert 206 in ranges, f"no Range response among {ranges}"
    assert hero > 0
