"""The preview swaps an edited page into the open document, in a real Chromium.

A real `PreviewServer` (127.0.0.1, real pipeline, real watcher) and one browser for the
module. Each test edits a source file and waits for what the page shows (or for the
console line the client prints when it falls back to a reload), never for a guessed time.
Whether a page was swapped or reloaded is told by a property set on `window` before the
edit: a reload loses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page
from serve_helpers import Terminal
from sitebuilder import write_site

from reelpress.core.options import BuildOptions
from reelpress.serve import PreviewServer

SITE_TOML = """\
title = "Swap Gazette"
base_url = "https://example.org/"
author = "desk"

[authors.desk]
name = "Desk"

[build]
allow_html = true

[search]
enabled = false
"""
PARAGRAPHS = "\n\n".join(f"Paragraph {n} of the long story." for n in range(80))


def story(title: str, body: str, date: str = "2025-07-14 09:30:00") -> str:
    return f'---\ntitle: "{title}"\ndate: {date}\n---\n\n{body}\n'


class Preview:
    """A running preview, its terminal, an open page and that page's console."""

    def __init__(self, root: Path, browser: Browser, push_limit: int | None = None) -> None:
        self.root = root
        self.terminal = Terminal()
        limit = {} if push_limit is None else {"push_limit": push_limit}
        self.server = PreviewServer(BuildOptions(root=root), port=0, say=self.terminal.say,
                                    **limit)
        self.server.start()
        self.page: Page = browser.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda message: self._heard(message))

    def _heard(self, message: ConsoleMessage) -> None:
        self.console.append(message.text)

    def open(self, path: str, text: str) -> None:
        self.page.goto(self.server.url + path)
        self.page.get_by_text(text).first.wait_for()
        self.page.evaluate("window.__kept = 'from before the edit'")

    def kept(self) -> bool:
        return bool(self.page.evaluate("window.__kept === 'from before the edit'"))

    def live(self, name: str) -> int:
        return int(self.page.evaluate(f"window.__reelpressLive.{name}"))

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")

    def edit_and_wait_for_build(self, rel: str, text: str) -> int:
        """Write, wait for the rebuild's line, and return the build number it published."""
        lines = len(self.terminal.lines)
        self.write(rel, text)
        self.terminal.wait_for("Rebuilt", lines)
        return self.server.hub.version

    def close(self) -> None:
        self.page.close()
        self.server.close()


@contextmanager
def running_preview(root: Path, browser: Browser, extra: dict[str, str] | None = None,
                    push_limit: int | None = None) -> Iterator[Preview]:
    """Two articles (`/paris/`, long; `/lyon/`), a stylesheet and `extra` files, served
    and watched (`push_limit`: the largest page sent with a swap event)."""
    write_site(root, {
        "content/paris.md": story("Paris rescue", "The first version.\n\n" + PARAGRAPHS),
        "content/lyon.md": story("Lyon floods", "Water in Lyon.", "2025-07-10 08:00:00"),
        "static/style.css": "body { background-color: rgb(255, 255, 255); }\n",
        **(extra or {}),
    }, site_toml=SITE_TOML)
    running = Preview(root, browser, push_limit)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def preview(tmp_path: Path, browser: Browser) -> Iterator[Preview]:
    with running_preview(tmp_path, browser) as running:
        yield running


def test_an_edit_is_swapped_in_without_a_navigation(preview: Preview):
    preview.open("paris/", "The first version.")
    navigations: list[str] = []
    preview.page.on("framenavigated", lambda frame: navigations.append(frame.url))
    find_fifth = ("[...document.querySelectorAll('main p')]"
                  ".find(p => p.textContent.includes('Paragraph 5 of'))")
    preview.page.evaluate(f"window.__fifth = {find_fifth}")
    source = preview.root / "content/paris.md"
    text = source.read_text().replace("Paris rescue", "Paris rescue, updated")
    preview.write("content/paris.md", text.replace("The first version.", "The second take."))
    preview.page.get_by_text("The second take.").wait_for()
    assert preview.kept() and navigations == []
    assert preview.live("swaps") == 1
    assert preview.live("fetches") == 0  # the page came with the event
    assert preview.page.title().startswith("Paris rescue, updated")  # <head> followed
    assert preview.page.get_by_text("The first version.").count() == 0
    # Unchanged nodes are the same nodes: a paragraph that did not change was not rebuilt.
    assert preview.page.evaluate(f"window.__fifth.isConnected && window.__fifth === {find_fifth}")
    # Exactly one copy of the live-reload script, and no console complaint.
    assert preview.page.locator('script[src="/__reelpress/livereload.js"]').count() == 1
    assert not [line for line in preview.console if "[reelpress]" in line]


def test_the_scroll_position_is_kept(preview: Preview):
    preview.open("paris/", "The first version.")
    preview.page.evaluate("window.__paragraph = [...document.querySelectorAll('main p')]"
                          ".find(p => p.textContent.includes('Paragraph 70 of'))")
    preview.page.evaluate("window.__paragraph.scrollIntoView()")
    scrolled = preview.page.evaluate("window.scrollY")
    assert scrolled > 500
    text = (preview.root / "content/paris.md").read_text()
    preview.write("content/paris.md", text.replace("Paragraph 79 of", "Paragraph 79, edited, of"))
    preview.page.get_by_text("Paragraph 79, edited, of").wait_for()
    assert preview.kept()
    assert preview.page.evaluate("window.scrollY") == scrolled
    assert preview.page.evaluate("window.__paragraph.isConnected")


def test_a_stylesheet_change_applies_in_place(preview: Preview):
    preview.open("paris/", "The first version.")
    preview.write("static/style.css", "body { background-color: rgb(10, 20, 30); }\n")
    preview.page.wait_for_function(
        "getComputedStyle(document.body).backgroundColor === 'rgb(10, 20, 30)'")
    assert preview.kept()
    assert preview.live("heard") == 0  # the page did not change: only its stylesheet
    # The page and its stylesheet in one burst: swapped, then the stylesheet swapped.
    text = (preview.root / "content/paris.md").read_text()
    (preview.root / "static/style.css").write_text("body { background-color: rgb(1, 2, 3); }")
    preview.write("content/paris.md", text.replace("The first version.", "Styled anew."))
    preview.page.get_by_text("Styled anew.").wait_for()
    preview.page.wait_for_function(
        "getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'")
    assert preview.kept()
    assert preview.page.locator('link[rel="stylesheet"]').count() == 1


def test_a_changed_head_script_falls_back_to_a_full_reload(tmp_path: Path, browser: Browser):
    partial = "templates/partials/head_extra.html"
    keep = '<script data-reelpress-swap="keep">window.__headScript = 1;</script>'
    with running_preview(tmp_path, browser, {partial: keep}) as preview:
        changed_head_script_reloads(preview, partial)


def changed_head_script_reloads(preview: Preview, partial: str) -> None:
    preview.open("paris/", "The first version.")
    assert preview.page.evaluate("window.__headScript") == 1
    # The head script's code changes: a swap cannot do what a reload would.
    preview.write(partial, '<script data-reelpress-swap="keep">window.__headScript = 2;</script>')
    preview.page.wait_for_function("window.__headScript === 2")
    assert not preview.kept()
    assert "[reelpress] reload: the page's scripts changed" in preview.console
    # The script unchanged and marked `keep`, the page's text changed: swapped, not rerun.
    preview.page.evaluate("window.__kept = 'from before the edit'; window.__headScript = 'x'")
    text = (preview.root / "content/paris.md").read_text()
    preview.write("content/paris.md", text.replace("The first version.", "Kept script."))
    preview.page.get_by_text("Kept script.").wait_for()
    assert preview.kept()
    assert preview.page.evaluate("window.__headScript") == "x"


def test_scripts_that_do_not_say_they_survive_a_swap_get_a_reload(preview: Preview):
    counter = ("<script{mode}>window.__runs = (window.__runs || 0) + 1; "
               "document.currentScript.insertAdjacentHTML('afterend', "
               "'<p id=\"ran\">ran ' + window.__runs + '</p>');</script>")
    body = "Scripted story.\n\n" + counter
    preview.edit_and_wait_for_build(
        "content/lyon.md", story("Lyon floods", body.format(mode=""), "2025-07-10 08:00:00"))
    preview.open("lyon/", "Scripted story.")
    preview.write("content/lyon.md", story("Lyon floods", body.format(mode="").replace(
        "Scripted story.", "Scripted, edited."), "2025-07-10 08:00:00"))
    preview.page.get_by_text("Scripted, edited.").wait_for()
    preview.page.wait_for_function("!window.__kept")  # reloaded: the script ran on a fresh page
    assert any("without data-reelpress-swap" in line for line in preview.console)
    # `rerun`: swapped, and the script ran again on the swapped page.
    rerun = body.format(mode=' data-reelpress-swap="rerun"')
    preview.write("content/lyon.md", story("Lyon floods", rerun, "2025-07-10 08:00:00"))
    preview.page.get_by_text("Scripted story.").wait_for()  # a reload: the script changed
    preview.page.wait_for_function("window.__runs === 1")  # the new page's script ran
    assert "[reelpress] reload: the page's scripts changed" in preview.console
    preview.page.evaluate("window.__kept = 'from before the edit'")
    preview.write("content/lyon.md", story("Lyon floods", rerun.replace(
        "Scripted story.", "Rerun story."), "2025-07-10 08:00:00"))
    preview.page.get_by_text("Rerun story.").wait_for()
    preview.page.wait_for_function("window.__runs === 2")
    assert preview.kept()
    assert preview.page.locator("#ran").inner_text() == "ran 2"  # the morph put back ran 1


def test_an_edit_to_a_page_not_open_does_not_refetch_the_open_one(preview: Preview):
    preview.open("paris/", "The first version.")
    requested: list[str] = []
    preview.page.on("request", lambda request: requested.append(request.url))
    version = preview.edit_and_wait_for_build(
        "content/lyon.md", story("Lyon floods", "Water in the squares of Lyon.",
                                 "2025-07-10 08:00:00"))
    result = preview.server.last_result
    assert result is not None and "paris/index.html" not in result.written
    # The page has heard of the build (its status event) and fetched nothing.
    preview.page.wait_for_function("n => window.__reelpressLive.build >= n", arg=version)
    assert preview.live("heard") == 0 and preview.live("fetches") == 0
    assert not [url for url in requested if url.endswith("/paris/")]
    assert preview.kept()


def test_a_page_over_the_push_limit_is_fetched_and_a_failed_fetch_reloads(
        tmp_path: Path, browser: Browser):
    with running_preview(tmp_path, browser, push_limit=0) as preview:
        fetched_then_failed(preview)


def fetched_then_failed(preview: Preview) -> None:
    preview.open("paris/", "The first version.")
    text = (preview.root / "content/paris.md").read_text()
    preview.write("content/paris.md", text.replace("The first version.", "Fetched."))
    preview.page.get_by_text("Fetched.").wait_for()
    assert preview.kept() and preview.live("fetches") == 1 and preview.live("swaps") == 1

    def refuse_fetches(route) -> None:  # the client's fetch fails; the reload goes through
        if route.request.resource_type == "fetch":
            route.abort()
        else:
            route.continue_()

    preview.page.route("**/paris/", refuse_fetches)
    preview.write("content/paris.md", text.replace("The first version.", "After a failure."))
    preview.page.get_by_text("After a failure.").wait_for()
    assert not preview.kept()
    assert any(line.startswith("[reelpress] reload: the swap failed") for line in preview.console)


def test_a_new_stylesheet_in_the_head_falls_back_to_a_full_reload(tmp_path: Path,
                                                                   browser: Browser):
    partial = "templates/partials/head_extra.html"
    with running_preview(tmp_path, browser, {partial: "", "static/extra.css":
                                             "main { color: rgb(200, 0, 0); }"}) as preview:
        preview.open("paris/", "The first version.")
        preview.write(partial, '<link rel="stylesheet" href="/static/extra.css">')
        preview.page.wait_for_function(
            "getComputedStyle(document.querySelector('main')).color === 'rgb(200, 0, 0)'")
        assert not preview.kept()
        assert "[reelpress] reload: the page's stylesheets changed" in preview.console
