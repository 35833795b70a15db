"""Work a cold build does once instead of once per output that shows it (issue 15): each
cut is checked for the output it must still give, and for doing its work only once."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

from sitebuilder import article, build_ok, write_site

from reelpress.build.content_worker import load_prepared
from reelpress.content.loader import load_page
from reelpress.core.config import SiteConfig, load_config
from reelpress.core.project import ProjectPaths
from reelpress.markup.engine import render_body
from reelpress.render import article as article_module
from reelpress.render import site_pages
from reelpress.render.article import resolve_source_links
from reelpress.render.i18n import EMPTY_CATALOGS

ATOM = "{http://www.w3.org/2005/Atom}"
STORIES = 24  # more than the 20 newest a feed shows, fewer than the pool threshold


def _stories() -> dict[str, str]:
    return {f"content/story-{n:02}.md": article(
        f"Story {n}", f"2025-03-{1 + n:02}",
        f"Intro {n}. See [the next](story-{(n + 1) % STORIES:02}.md), "
        f"[a section](#part) and [the archive](/archive/?from={n}).\n\n## Part\n\nMore.\n",
        tags="[alpha]") for n in range(STORIES)}


def test_feed_bodies_have_absolute_links_and_pages_keep_site_paths(tmp_path: Path) -> None:
    root = write_site(tmp_path, _stories())
    build_ok(root, jobs=1)
    site = root / "site"
    page = (site / "story-05" / "index.html").read_text()
    assert 'href="/story-06/"' in page and 'href="/archive/?from=5"' in page
    for feed in ("feed.xml", "tags/alpha/feed.xml"):
        entries = ET.parse(site / feed).getroot().findall(f"{ATOM}entry")
        assert len(entries) == 20
        content = {e.find(f"{ATOM}title").text: e.find(f"{ATOM}content").text  # type: ignore[union-attr]
                   for e in entries}
        assert 'href="https://example.org/story-06/"' in content["Story 5"]
        assert 'href="https://example.org/archive/?from=5"' in content["Story 5"]
        assert 'href="#part"' in content["Story 5"]  # a fragment stays a fragment
    rss = (site / "rss.xml").read_text()
    assert "https://example.org/archive/?from=5" in rss
    items = json.loads((site / "feed.json").read_text())["items"]
    story = next(item for item in items if item["title"] == "Story 5")
    assert 'href="https://example.org/story-06/"' in story["content_html"]
    assert '"/archive/' not in story["content_html"]


def test_each_feed_body_is_made_once_for_the_three_feed_formats(tmp_path: Path) -> None:
    """The Atom, RSS and JSON feeds of one list show the same 20 bodies with absolute
    links: each is resolved once, not once per format."""
    root = write_site(tmp_path, {
        f"content/story-{n:02}.md": article(f"Story {n}", f"2025-03-{1 + n:02}",
                                            f"Intro {n}.\n") for n in range(STORIES)})
    article_module._page_html.cache_clear()
    site_pages._feed_text.cache_clear()
    build_ok(root, jobs=1)
    made = article_module._page_html.cache_info()
    assert made.misses == STORIES + 20  # 24 pages, then 20 feed bodies made once...
    entries = site_pages._feed_text.cache_info()
    assert entries.misses == 20 and entries.hits >= 2 * 20  # ...and shown by all three


def test_stored_page_records_keep_the_rendered_faq_not_its_markdown(tmp_path: Path) -> None:
    """Each record is held by the main process and every render worker forked from it:
    the FAQ answers as written are left out once rendered; the page still shows them,
    and an edited answer still reaches the page."""
    faq = '\n  - q: "Why?"\n    a: "Because of **this** and [that](story-01.md)."'
    root = write_site(tmp_path, {
        "content/story-00.md": article("Story 0", "2025-03-01", "Intro.\n", faq=faq),
        "content/story-01.md": article("Story 1", "2025-03-02", "Other.\n")})
    build_ok(root, jobs=1)
    with sqlite3.connect(root / ".reelpress-cache" / "index.sqlite") as db:
        records = [load_prepared(value) for (value,) in
                   db.execute("SELECT value FROM nodes WHERE kind = 'page'")]
    story = next(r for r in records if r is not None and r.rel == "content/story-00.md")
    assert story.page is not None and story.page.meta.faq == () and story.page.body == ""
    assert [f.question for f in story.faq] == ["Why?"]
    assert "<strong>this</strong>" in story.faq[0].answer_html
    page = (root / "site" / "story-00" / "index.html").read_text()
    assert "Because of <strong>this</strong> and" in page and 'href="/story-01/"' in page
    source = root / "content" / "story-00.md"
    source.write_text(source.read_text().replace("**this**", "*these*"))
    build_ok(root, jobs=1)
    page = (root / "site" / "story-00" / "index.html").read_text()
    assert "Because of <em>these</em> and" in page


def test_reading_times_are_remembered_per_language() -> None:
    """Reading times are formatted once per (minutes, language) and kept: the same
    minutes in another language are formatted again, in that language."""
    shown = [(EMPTY_CATALOGS.locale(code).minutes(7), EMPTY_CATALOGS.locale(code).minutes(1))
             for code in ("en", "de", "fr", "en")]
    assert shown == [("7 min", "1 min"), ("7 Min.", "1 Min."), ("7\u00a0min", "1\u00a0min"),
                     ("7 min", "1 min")]


def test_articles_linking_one_story_share_its_link_target(tmp_path: Path) -> None:
    """Every article is held by the main process and copied into each render worker:
    a link target many articles name is one string, and its fragment is its own."""
    root = write_site(tmp_path, {
        "content/a.md": article("A", "2025-03-01", "[x](c.md) and [y](c.md#part)\n"),
        "content/b.md": article("B", "2025-03-02", "[x](c.md) and [z](c.md#other)\n"),
        "content/c.md": article("C", "2025-03-03", "## Part\n\n## Other\n")})
    pages = {}
    for name in ("a", "b"):
        page, problems = load_page(root / "content" / f"{name}.md", rel=f"content/{name}.md",
                                   rel_to_content=PurePosixPath(f"{name}.md"),
                                   config=_config(root))
        assert page is not None and not problems
        body = render_body(page.body, body_line=page.body_line, allow_html=False,
                           base_path="/news/")
        pages[name] = dict(resolve_source_links(page, body, (), {"content/c.md": "c/"},
                                                "/news/")[0])
    assert pages["a"] == {"c.md": "/news/c/", "c.md#part": "/news/c/#part"}
    assert pages["b"] == {"c.md": "/news/c/", "c.md#other": "/news/c/#other"}
    assert pages["a"]["c.md"] is pages["b"]["c.md"]


def _config(root: Path) -> SiteConfig:
    config, problems = load_config(ProjectPaths.at(root))
    assert config is not None, problems
    return config
