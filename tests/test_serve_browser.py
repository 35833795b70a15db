"""Live reload in a real browser (Chromium via Playwright) against the real pipeline.

One small site under a `/news/` base path: edit an article -> the page shows it, swapped
in without a navigation (its video element kept); edit the stylesheet -> new style without
navigation; break the front matter -> overlay naming file
and line, fix it -> overlay gone; seek a video -> the server answered 206.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from media_clips import make_clip
from playwright.sync_api import Page
from serve_helpers import Terminal, write_preview_site

from reelpress.pipeline import BuildOptions
from reelpress.serve import PreviewServer

SITE_TOML = """\
title = "Test Courier"
base_url = "https://example.org/news/"
language = "en"
author = "desk"

[authors.desk]
name = "Desk"

[build]
allow_html = true
"""

PARIS = """\
---
title: "Paris rescue"
date: 2025-07-14 09:30:00
summary: "A caretaker climbs a facade."
---

The first version of the story.

![The clip](media/clip.mp4){#clip}
"""

LYON = """\
---
title: "Lyon floods"
date: 2025-07-10 08:00:00
summary: "The Saone rises."
---

Water in the streets of Lyon.
"""

STYLE = "body { background-color: rgb(255, 255, 255); }\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "content" / "paris.md").write_text(PARIS)
    (tmp_path / "content" / "lyon.md").write_text(LYON)
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "style.css").write_text(STYLE)
    make_clip(tmp_path / "media" / "clip.mp4", duration=2.0, faststart=True)
    return tmp_path


def set_marker(page: Page) -> None:
    page.evaluate("window.__marker = 'still here'")


def has_marker(page: Page) -> bool:
    return page.evaluate("window.__marker === 'still here'")


def overlay_text(page: Page) -> str:
    return page.locator("#__reelpress-overlay .diagnostics").inner_text()


def test_live_reload_with_the_real_pipeline(site: Path, browser):
    terminal = Terminal()
    messages = terminal.lines
    preview = PreviewServer(BuildOptions(root=site), port=0, say=terminal.say)
    with preview:
        assert preview.last_result is not None and preview.last_result.ok, messages
        assert preview.base_path == "/news/"
        page = browser.new_page()
        responses = []
        page.on("response", lambda r: responses.append((r.url, r.status, r.headers)))
        page.goto(preview.url + "paris/")
        page.get_by_text("The first version of the story.").wait_for()
        set_marker(page)

        # 1. Edit the article: the new text is swapped in; the video is the same element.
        page.evaluate("window.__video = document.querySelector('#clip video')")
        before = preview.hub.version
        saved_at = time.perf_counter()
        (site / "content" / "paris.md").write_text(PARIS.replace("first version", "second take"))
        page.get_by_text("The second take of the story.").wait_for(timeout=20000)
        latency = time.perf_counter() - saved_at
        print(f"\nsave-to-visible latency (article edit): {latency * 1000:.0f} ms")
        assert preview.hub.version > before
        assert has_marker(page)  # no reload
        assert page.evaluate("window.__video === document.querySelector('#clip video')")

        # 2. Edit the stylesheet: new style, same document (no navigation).
        saved_at = time.perf_counter()
        (site / "static" / "style.css").write_text(STYLE.replace("255, 255, 255", "10, 20, 30"))
        page.wait_for_function(
            "getComputedStyle(document.body).backgroundColor === 'rgb(10, 20, 30)'",
            timeout=20000,
        )
        print(
            f"save-to-visible latency (CSS swap): {(time.perf_counter() - saved_at) * 1000:.0f} ms"
        )
        assert has_marker(page)
        assert page.locator('link[rel="stylesheet"]').count() == 1  # the old one was removed

        # 3. Edit another article: this page does not reload.
        lines = len(messages)
        (site / "content" / "lyon.md").write_text(LYON.replace("streets", "squares"))
        terminal.wait_for("after changes to content/lyon.md", lines)
        assert preview.last_result is not None
        assert "paris/index.html" not in preview.last_result.written
        page.wait_for_function("n => window.__reelpressLive.build >= n", arg=preview.hub.version)
        assert has_marker(page)
        assert page.evaluate("window.__reelpressLive.heard") == 1  # only step 1's

        # 4. Break the front matter: overlay with file and line, the old page still shown.
        good = (site / "content" / "paris.md").read_text()
        before = preview.hub.version
        (site / "content" / "paris.md").write_text(
            good.replace("date: 2025-07-14 09:30:00", "date: [oops")
        )
        overlay = page.locator("#__reelpress-overlay .diagnostic").first
        overlay.wait_for(timeout=20000)
        text = overlay_text(page)
        assert "content/paris.md:" in text
        failed = [d for d in preview.hub.status.diagnostics if d.path == "content/paris.md"]
        assert failed and failed[0].line is not None
        assert f"content/paris.md:{failed[0].line}" in text
        assert any("content/paris.md" in m for m in messages)  # the terminal says it too
        assert has_marker(page)
        assert page.get_by_text("The second take of the story.").is_visible()

        # 5. Fix it: the overlay goes away on the next good build, without a manual reload.
        (site / "content" / "paris.md").write_text(good)
        page.locator("#__reelpress-overlay").wait_for(state="detached", timeout=20000)
        assert preview.hub.status.ok

        # 6. Seek the video: the browser asks for byte ranges and gets 206.
        page.evaluate(
            """() => new Promise((resolve, reject) => {
                const video = document.querySelector('#clip video');
                const seek = () => { video.currentTime = 1.5; };
                video.addEventListener('seeked', () => resolve(video.currentTime), {once: true});
                video.addEventListener('error', () => reject(video.error), {once: true});
                if (video.readyState >= 1) { seek(); }
                else { video.addEventListener('loadedmetadata', seek, {once: true}); }
            })"""
        )
        clip = [(status, headers) for url, status, headers in responses
                if "/media/clip." in url and url.endswith(".mp4")]
        assert any(status == 206 for status, _ in clip), clip
        partial = next(headers for status, headers in clip if status == 206)
        assert partial["content-type"] == "video/mp4"
        assert partial["content-range"].startswith("bytes ")
        page.close()
    # Nothing of the live-reload machinery was written into the site.
    for html in (site / "site").rglob("*.html"):
        assert "__reelpress" not in html.read_text()


def test_overlay_shows_messages_as_text_not_html(tmp_path: Path, browser):
    options = write_preview_site(tmp_path)
    with PreviewServer(options, port=0, watch=False, say=lambda _: None) as preview:
        page = browser.new_page()
        page.goto(preview.url)
        page.get_by_text("Paris rescue").first.wait_for()
        # A real build error whose file name and message carry markup.
        hostile = '<img src=x onerror="window.__owned = 1">'
        (tmp_path / "content" / "<b>x.md").write_text(
            f"---\ntitle: x\ndate: '{hostile}'\n---\n\nBody.\n")
        result = preview.rebuild(frozenset())
        assert result is not None and not result.ok
        page.locator("#__reelpress-overlay .diagnostic").wait_for(timeout=10000)
        text = overlay_text(page)
        assert "content/<b>x.md:3" in text
        assert hostile in text
        assert page.locator("#__reelpress-overlay img").count() == 0
        assert page.locator("#__reelpress-overlay b").count() == 0
        assert page.evaluate("window.__owned") is None
        assert page.locator("#__reelpress-overlay").is_visible()
        page.close()
