"""Feeds parse back with feedparser (no bozo) and ElementTree, and carry every field."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

import feedparser
import pytest

from reelpress.render.feeds import FeedEntry, FeedInfo, atom_feed, entry_iri, json_feed, rss_feed

PARIS = timezone(timedelta(hours=2))
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "media": "http://search.yahoo.com/mrss/",
}
NASTY_TITLE = "Flood <live> & ]]> \"quotes\" 'apos' \x00\x07\x1b\ufffe done"
CONTENT = '<p>Water &amp; mud ]]> rising</p><img src="https://example.org/news/a.jpg" alt="x">'


def make_info(**changes: object) -> FeedInfo:
    values: dict[str, object] = {
        "title": "Le Journal <&>",
        "site_url": "https://example.org/news/",
        "feed_url": "https://example.org/news/atom.xml",
        "description": "Local news & video",
        "language": "fr",
        "updated": datetime(2026, 5, 3, 12, 0, tzinfo=PARIS),
        "author": "Newsroom",
    }
    values.update(changes)
    return FeedInfo(**values)  # type: ignore[arg-type]


def make_entry(slug: str, day: int, **changes: object) -> FeedEntry:
    values: dict[str, object] = {
        "title": f"Story {slug}",
        "url": f"https://example.org/news/{slug}/",
        "id": f"https://example.org/news/{slug}/",
        "published": datetime(2026, 5, day, 9, 30, tzinfo=PARIS),
        "updated": datetime(2026, 5, day, 10, 0, tzinfo=PARIS),
        "summary": f"Summary of {slug}",
        "content_html": CONTENT,
        "authors": ("Ana Lima", "Bo Chen"),
        "tags": ("floods", "R&D"),
        "image_url": f"https://example.org/news/{slug}/poster.jpg",
        "language": None,
    }
    values.update(changes)
    return FeedEntry(**values)  # type: ignore[arg-type]


ENTRIES = (
    make_entry("older", 1),
    make_entry("nasty", 2, title=NASTY_TITLE, id="nasty-story", language="en"),
    make_entry("newest", 3),
)
CLEAN_TITLE = "Flood <live> & ]]> \"quotes\" 'apos'  done"


def test_atom_is_well_formed_and_round_trips_through_feedparser() -> None:
    text = atom_feed(make_info(), ENTRIES)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    parsed = feedparser.parse(text)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Le Journal <&>"
    assert parsed.feed.link == "https://example.org/news/"
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == ["https://example.org/news/atom.xml"]
    assert [entry.link for entry in parsed.entries] == [
        "https://example.org/news/newest/",
        "https://example.org/news/nasty/",
        "https://example.org/news/older/",
    ]
    nasty = parsed.entries[1]
    assert nasty.title == CLEAN_TITLE
    assert nasty.id == "tag:example.org,2026-05-02:nasty-story"
    assert _content_of(root, "https://example.org/news/nasty/") == CONTENT
    assert 'src="https://example.org/news/a.jpg"' in nasty.content[0].value
    assert nasty.summary == "Summary of nasty"
    assert [author.name for author in nasty.authors] == ["Ana Lima", "Bo Chen"]
    assert [tag.term for tag in nasty.tags] == ["floods", "R&D"]
    assert nasty.published_parsed[:5] == (2026, 5, 2, 7, 30)  # UTC
    assert nasty.updated_parsed[:5] == (2026, 5, 2, 8, 0)
    assert nasty.media_thumbnail[0]["url"] == "https://example.org/news/nasty/poster.jpg"


def _content_of(root: ET.Element, url: str) -> str | None:
    for entry in root.findall("atom:entry", NS):
        link = entry.find("atom:link", NS)
        if link is not None and link.get("href") == url:
            return entry.findtext("atom:content", namespaces=NS)
    return None


def test_atom_entry_language_and_author_fallback() -> None:
    text = atom_feed(make_info(author=None), [make_entry("a", 1, authors=(), language="en")])
    root = ET.fromstring(text)
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert root.get(xml_lang) == "fr"
    entry = root.find("atom:entry", NS)
    assert entry is not None and entry.get(xml_lang) == "en"
    # Atom needs an author for every entry: the feed's own, named after the feed.
    assert root.findtext("atom:author/atom:name", namespaces=NS) == "Le Journal <&>"
    assert entry.find("atom:author", NS) is None
    assert feedparser.parse(text).bozo == 0


def test_rss_has_self_link_content_encoded_creators_and_guids() -> None:
    text = rss_feed(make_info(feed_url="https://example.org/news/rss.xml"), ENTRIES)
    parsed = feedparser.parse(text)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    root = ET.fromstring(text.encode("utf-8"))
    channel = root.find("channel")
    assert channel is not None
    self_link = channel.find("atom:link", NS)
    assert self_link is not None
    assert self_link.attrib == {
        "href": "https://example.org/news/rss.xml",
        "rel": "self",
        "type": "application/rss+xml",
    }
    assert channel.findtext("lastBuildDate") == "Sun, 03 May 2026 10:00:00 GMT"
    items = channel.findall("item")
    assert [item.findtext("link") for item in items] == [
        "https://example.org/news/newest/",
        "https://example.org/news/nasty/",
        "https://example.org/news/older/",
    ]
    newest, nasty = items[0], items[1]
    guid = newest.find("guid")
    assert guid is not None
    assert (guid.text, guid.get("isPermaLink")) == ("https://example.org/news/newest/", "true")
    nasty_guid = nasty.find("guid")
    assert nasty_guid is not None and nasty_guid.get("isPermaLink") == "false"
    assert nasty_guid.text == "tag:example.org,2026-05-02:nasty-story"
    assert nasty.findtext("title") == CLEAN_TITLE
    assert nasty.findtext("content:encoded", namespaces=NS) == CONTENT  # survives "]]>"
    assert [c.text for c in nasty.findall("dc:creator", NS)] == ["Ana Lima", "Bo Chen"]
    assert [c.text for c in nasty.findall("category")] == ["floods", "R&D"]
    assert nasty.findtext("pubDate") == "Sat, 02 May 2026 07:30:00 GMT"
    assert "mud ]]> rising" in parsed.entries[1].content[0].value


def test_json_feed_1_1() -> None:
    feed = json.loads(json_feed(make_info(), ENTRIES))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == "https://example.org/news/"
    assert feed["feed_url"] == "https://example.org/news/atom.xml"
    assert feed["authors"] == [{"name": "Newsroom"}]
    assert feed["language"] == "fr"
    assert [item["url"] for item in feed["items"]] == [
        "https://example.org/news/newest/",
        "https://example.org/news/nasty/",
        "https://example.org/news/older/",
    ]
    nasty = feed["items"][1]
    assert nasty["title"] == CLEAN_TITLE
    assert nasty["content_html"] == CONTENT
    assert nasty["language"] == "en"
    assert nasty["tags"] == ["floods", "R&D"]
    assert nasty["authors"] == [{"name": "Ana Lima"}, {"name": "Bo Chen"}]
    assert nasty["image"] == "https://example.org/news/nasty/poster.jpg"
    published = datetime.fromisoformat(nasty["date_published"])
    assert published == datetime(2026, 5, 2, 7, 30, tzinfo=UTC)
    assert datetime.fromisoformat(nasty["date_modified"]) > published
    # JSON Feed 1.1 requires `id` (a string) on every item; feedparser 6.0 cannot read JSON.
    assert all(isinstance(item["id"], str) and item["id"] for item in feed["items"])


@pytest.mark.parametrize("render", [atom_feed, rss_feed, json_feed])
def test_output_does_not_depend_on_input_order(render) -> None:
    shuffled = list(ENTRIES)
    random.Random(7).shuffle(shuffled)
    assert render(make_info(), shuffled) == render(make_info(), ENTRIES)


@pytest.mark.parametrize("render", [atom_feed, rss_feed])
def test_empty_feed_is_still_valid(render) -> None:
    parsed = feedparser.parse(render(make_info(), []))
    assert parsed.bozo == 0
    assert parsed.entries == []
    assert parsed.feed.title == "Le Journal <&>"
    assert json.loads(json_feed(make_info(), []))["items"] == []


def test_control_characters_everywhere_still_give_well_formed_xml() -> None:
    bad = "".join(chr(code) for code in range(32)) + "\ud800\uffff<&>"
    entry = make_entry("x", 1, title=bad, summary=bad, content_html=bad, tags=(bad,))
    info = make_info(title=bad, description=bad, author=bad)
    for text in (atom_feed(info, [entry]), rss_feed(info, [entry])):
        ET.fromstring(text.encode("utf-8"))
        assert feedparser.parse(text).bozo == 0
    json.loads(json_feed(info, [entry]))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_entry("x", 1, published=datetime(2026, 5, 1, 9, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        make_info(updated=datetime(2026, 5, 1))


def test_entry_iri_keeps_uris_and_tags_bare_ids() -> None:
    assert entry_iri(make_entry("a", 1)) == "https://example.org/news/a/"
    assert entry_iri(make_entry("a", 1, id="urn:uuid:1234")) == "urn:uuid:1234"
    assert entry_iri(make_entry("a", 1, id="a story")) == "tag:example.org,2026-05-01:a%20story"


def test_feed_xml_escaping_is_the_standard_librarys() -> None:
    """`render/feeds_xml` writes what `xml.sax.saxutils` would (without importing it)."""
    import itertools
    from xml.sax.saxutils import escape, quoteattr

    from reelpress.render.feeds_xml import xml_attrs, xml_text

    pieces = ["a", "&", "<", ">", '"', "'", "\n", "\r", "\t", "&amp;", "]]>", "é", "\x07"]
    for size in (1, 2, 3):
        for parts in itertools.product(pieces, repeat=size):
            text = "".join(parts)
            clean = text.replace("\x07", "")
            assert xml_text(text) == escape(clean)
            assert xml_attrs({"v": text}) == f" v={quoteattr(clean)}"
