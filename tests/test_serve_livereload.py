"""Who reloads after a rebuild: URL mapping, page references, the decision, the hub."""

from __future__ import annotations

import threading
import time

from reelpress.core.diagnostics import error, warning
from reelpress.serve.livereload import (
    NOTHING,
    RELOAD,
    Action,
    PageRefs,
    ReloadHub,
    decide,
    inject,
    page_references,
    script_tag,
    site_path_for_url,
    sse_event,
    url_for_site_path,
)


def test_url_for_site_path():
    assert url_for_site_path("a/index.html") == "/a/"
    assert url_for_site_path("index.html") == "/"
    assert url_for_site_path("a/b/style.css") == "/a/b/style.css"
    assert url_for_site_path("paris/index.html", "/news/") == "/news/paris/"
    assert url_for_site_path("index.html", "/news/") == "/news/"


def test_site_path_for_url():
    assert site_path_for_url("/a/") == "a/index.html"
    assert site_path_for_url("/") == "index.html"
    assert site_path_for_url("/feed.xml") == "feed.xml"
    assert site_path_for_url("/news/paris/", "/news/") == "paris/index.html"
    assert site_path_for_url("/news", "/news/") == "index.html"
    assert site_path_for_url("/other/", "/news/") is None
    assert site_path_for_url("/caf%C3%A9/") == "café/index.html"
    assert site_path_for_url("/a/../../x") is None


PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="/assets/site.css">
<link rel="stylesheet" href="print.css?v=3" media="print">
<link rel="stylesheet" href="https://cdn.example.com/x.css">
<link rel="icon" href="/favicon.png">
<script src="/assets/app.js" defer></script>
</head><body>
<img src="photo-640.webp" srcset="photo-640.webp 640w, photo-1280.webp 1280w" alt="">
<video poster="/media/poster.jpg"><source src="/media/clip.mp4" type="video/mp4">
<track src="/media/clip.vtt" kind="captions"></video>
<a href="/other/">not loaded by the page</a>
</body></html>"""


def test_page_references_lists_same_site_files():
    refs = page_references(PAGE, "/paris/")
    assert refs.stylesheets == {"assets/site.css", "paris/print.css"}
    assert refs.others == {
        "favicon.png",
        "assets/app.js",
        "paris/photo-640.webp",
        "paris/photo-1280.webp",
        "media/poster.jpg",
        "media/clip.mp4",
        "media/clip.vtt",
    }


def test_page_references_under_a_base_path():
    html = '<link rel=stylesheet href="/news/assets/site.css"><img src="/elsewhere/x.png">'
    refs = page_references(html, "/news/paris/", "/news/")
    assert refs.stylesheets == {"assets/site.css"}
    assert refs.others == frozenset()


REFS = PageRefs(frozenset({"assets/site.css"}), frozenset({"media/clip.mp4", "assets/app.js"}))


def test_decide_swaps_only_the_changed_page():
    assert decide(frozenset({"paris/index.html"}), "paris/index.html", REFS) == Action("swap", ())
    assert decide(frozenset({"lyon/index.html"}), "paris/index.html", REFS) == NOTHING
    assert decide(frozenset(), "paris/index.html", REFS) == NOTHING
    # The page and its stylesheet in one build: swap, then the stylesheet.
    both = decide(frozenset({"paris/index.html", "assets/site.css"}), "paris/index.html", REFS)
    assert both == Action("swap", ("/assets/site.css",))
    assert both.event_data() == '{"css": ["/assets/site.css"]}'
    # A page and a script it uses: the script needs a fresh load.
    assert decide(frozenset({"paris/index.html", "assets/app.js"}), "paris/index.html",
                  REFS) == RELOAD
    # A tab showing a feed or an image that changed reloads; a swap is for HTML.
    assert decide(frozenset({"feed.xml"}), "feed.xml", PageRefs()) == RELOAD


def test_decide_swaps_css_without_reload():
    action = decide(frozenset({"assets/site.css"}), "paris/index.html", REFS)
    assert action == Action("css", ("/assets/site.css",))
    under_base = decide(frozenset({"assets/site.css"}), "p/index.html", REFS, base_path="/news/")
    assert under_base.css_paths == ("/news/assets/site.css",)
    # A stylesheet the page does not link may be @imported by one it does: swap them all.
    assert decide(frozenset({"assets/base.css"}), "paris/index.html", REFS) == Action("css")
    assert decide(frozenset({"assets/base.css"}), "x/index.html", PageRefs()) == NOTHING


def test_decide_reloads_for_scripts_and_media_the_page_uses():
    assert decide(frozenset({"assets/app.js"}), "paris/index.html", REFS) == RELOAD
    assert decide(frozenset({"media/clip.mp4", "assets/site.css"}), "p/index.html", REFS) == RELOAD
    assert decide(frozenset({"media/other.mp4"}), "paris/index.html", REFS) == NOTHING


def test_decide_for_missing_and_vanished_pages():
    # The tab shows a 404 for /new/: it reloads when the page appears or 404.html changes.
    appeared = decide(
        frozenset(), "new/index.html", PageRefs(), page_exists=True, page_missing=True
    )
    assert appeared == RELOAD
    assert (
        decide(
            frozenset({"404.html"}),
            "new/index.html",
            PageRefs(),
            page_exists=False,
            page_missing=True,
        )
        == RELOAD
    )
    assert (
        decide(
            frozenset({"a/index.html"}),
            "new/index.html",
            PageRefs(),
            page_exists=False,
            page_missing=True,
        )
        == NOTHING
    )
    # The page the tab shows was deleted: reload to show the 404.
    assert decide(frozenset({"x/index.html"}), "gone/index.html", REFS, page_exists=False) == RELOAD


def test_hub_history_and_wait():
    hub = ReloadHub()
    assert hub.changes_since(0) == frozenset()
    hub.publish(True, ["a/index.html"], ())
    hub.publish(False, [], (error("content/b.md", 3, "bad date"),))
    hub.publish(True, ["b/index.html", "site.css"], ())
    assert hub.version == 3
    assert hub.changes_since(0) == {"a/index.html", "b/index.html", "site.css"}
    assert hub.changes_since(1) == {"b/index.html", "site.css"}
    assert hub.changes_since(3) == frozenset()
    assert hub.changes_since(0, until=2) == {"a/index.html"}
    assert hub.status.ok

    woke: list[int] = []
    waiter = threading.Thread(target=lambda: woke.append(hub.wait(3, timeout=10)))
    waiter.start()
    time.sleep(0.05)
    hub.publish(True, [], ())
    waiter.join(5)
    assert woke == [4]
    assert hub.wait(4, timeout=0.01) == 4


def test_hub_forgets_old_history_and_says_so():
    hub = ReloadHub()
    for number in range(250):
        hub.publish(True, [f"p{number}/index.html"], ())
    assert hub.changes_since(0) is None
    assert hub.changes_since(249) == {"p249/index.html"}


def test_status_json_lists_errors_only_when_failed():
    hub = ReloadHub()
    hub.publish(False, [], (error("content/<b>.md", 7, "x < y"), warning("a.md", 1, "meh")))
    text = hub.status.to_json()
    assert '"ok": false' in text
    assert "content/<b>.md:7: x < y" in text  # JSON text; the overlay uses textContent
    assert "meh" not in text


def test_inject_before_the_last_body_end():
    tag = script_tag(7)
    assert tag == b'<script src="/__reelpress/livereload.js" data-build="7"></script>'
    html = b"<html><body><pre></body></pre></BODY >\n</html>"
    assert inject(html, tag) == b"<html><body><pre></body></pre>" + tag + b"</BODY >\n</html>"
    assert inject(b"<p>fragment", tag) == b"<p>fragment" + tag
    assert b"data-missing" in script_tag(1, missing=True)


def test_sse_event_format():
    assert sse_event("status", '{"ok": true}', 4) == b'event: status\nid: 4\ndata: {"ok": true}\n\n'
    assert sse_event("x", "a\nb") == b"event: x\ndata: a\ndata: b\n\n"
