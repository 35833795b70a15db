"""axe-core (bundled by axe-playwright-python, no network) on every page type of the demo,
in a real Chromium, at desktop and phone widths, light and dark: no serious or critical
violation. Plus layout facts a new user reported: a portrait video fits the screen, the
breadcrumb sits in the article column, the favicon loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from media_clips import make_clip
from playwright.sync_api import Browser
from sitebuilder import SITE_TOML, article, build_ok, write_site

from reelpress.core.options import BuildOptions
from reelpress.serve import PreviewServer

PAGES = {
    "home": "",
    "article": "paris-rescue/",
    "tag": "tags/paris/",
    "topics": "tags/",
    "archive": "archive/",
    "page": "about/",
    "author": "authors/newsdesk/",
    "not found": "no-such-page/",
    "search": "search/",
}
# target-size (WCAG 2.2 AA, 24x24 px) is off in axe-core's defaults: the issue found card
# tag links 13 px tall with it, so it is turned on here.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
SCREENS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def serious(results: dict) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")
            for node in v["nodes"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_no_serious_axe_violations(browser: Browser, served_demo: PreviewServer, screen: str,
                                   scheme: str) -> None:
    context = browser.new_context(viewport=SCREENS[screen], color_scheme=scheme)
    page = context.new_page()
    axe = Axe()
    found: dict[str, list[str]] = {}
    try:
        for name, path in PAGES.items():
            page.goto(served_demo.url + path)
            page.wait_for_load_state("load")
            if name == "search":  # the Pagefind UI is built by a script: check it built
                page.wait_for_selector("#search[data-ready] .pagefind-ui__search-input")
            problems = serious(axe.run(page, options=AXE_OPTIONS).response)
            if problems:
                found[name] = problems
    finally:
        context.close()
    assert not found, found


def test_target_size_is_checked(browser: Browser) -> None:
    """The rule is really on: two 9 px links side by side are a serious violation."""
    context = browser.new_context(viewport=SCREENS["phone"])
    page = context.new_page()
    small = "font-size:9px;line-height:9px;display:inline-block"
    page.set_content(f'<html lang="en"><title>t</title><main><h1>t</h1><p>'
                     f'<a href="#a" style="{small}">a</a><a href="#b" style="{small}">b</a>'
                     "</p></main></html>")
    found = serious(Axe().run(page, options=AXE_OPTIONS).response)
    context.close()
    assert [problem.split()[0] for problem in found] == ["target-size", "target-size"], found


def test_favicon_loads_and_no_request_fails(browser: Browser, served_demo: PreviewServer) -> None:
    context = browser.new_context(viewport=SCREENS["desktop"])
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    page.goto(served_demo.url + "paris-rescue/")
    page.wait_for_load_state("load")
    icon = page.evaluate("""() => fetch(document.querySelector('link[rel=icon]').href)
                            .then(r => [r.status, r.headers.get('content-type')])""")
    context.close()
    assert icon[0] == 200 and icon[1].startswith("image/svg+xml")
    assert not failed


def test_breadcrumb_is_aligned_with_the_article_column(browser: Browser,
                                                       served_demo: PreviewServer) -> None:
    context = browser.new_context(viewport=SCREENS["desktop"])
    page = context.new_page()
    page.goto(served_demo.url + "paris-rescue/")
    boxes = page.evaluate("""() => ['.breadcrumbs ol', '.article__title'].map(
        s => document.querySelector(s).getBoundingClientRect().left)""")
    crumbs = page.evaluate("() => [...document.querySelectorAll('.breadcrumbs li')]"
                           ".map(li => li.textContent.trim())")
    title = page.text_content(".article__title")
    context.close()
    assert abs(boxes[0] - boxes[1]) < 1, boxes
    assert title not in crumbs and crumbs[0] == "Home"


def test_portrait_video_fits_the_screen(browser: Browser, tmp_path: Path) -> None:
    """A phone video (portrait) must show its controls without scrolling."""
    make_clip(tmp_path / "media/phone.mp4", size="360x640", duration=1.0)
    root = write_site(tmp_path, {"content/v.md": article(
        "Phone video", "2025-07-01", body="Intro.\n\n![Filmed on a phone](media/phone.mp4)\n")},
        site_toml=SITE_TOML + "\n[video]\nav1 = false\n")
    build_ok(root)
    with PreviewServer(BuildOptions(root=root), port=0, say=lambda message: None) as preview:
        context = browser.new_context(viewport=SCREENS["desktop"])
        page = context.new_page()
        page.goto(preview.url + "v/")
        page.wait_for_function("document.querySelector('video').readyState >= 1")
        box = page.evaluate("""() => { const r = document.querySelector('video')
            .getBoundingClientRect(); return [r.width, r.height]; }""")
        context.close()
    width, height = box
    assert height <= SCREENS["desktop"]["height"] * 0.85 + 1, box
    assert abs(width / height - 360 / 640) < 0.02, box  # not stretched
