"""Atom 1.0, RSS 2.0 and JSON Feed 1.1 from plain records: strings in, strings out.

The integrator builds `FeedInfo` and `FeedEntry` records (absolute URLs, aware
datetimes) and writes the returned text to the site. Entries are emitted newest
first (by `published`, then URL) so the output does not depend on input order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import quote, urlsplit

from reelpress.render.feeds_xml import (
    cdata,
    clean_text,
    element,
    open_tag,
    require_aware,
    w3c_datetime,
)

GENERATOR = "reelpress"
ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass(frozen=True)
class FeedEntry:
    """One article as a feed item. `url` absolute; `content_html` has absolute links."""

    title: str
    url: str
    id: str
    published: datetime
    updated: datetime
    summary: str
    content_html: str
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    image_url: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.published, f"FeedEntry {self.url!r} published")
        require_aware(self.updated, f"FeedEntry {self.url!r} updated")


@dataclass(frozen=True)
class FeedInfo:
    """The feed itself. `site_url` is the absolute home (may have a sub-path)."""

    title: str
    site_url: str
    feed_url: str
    description: str
    language: str
    updated: datetime
    author: str | None = None

    def __post_init__(self) -> None:
        require_aware(self.updated, "FeedInfo updated")


def newest_first(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    """Deterministic order: newest `published` first, ties broken by URL."""
    by_url = sorted(entries, key=lambda entry: entry.url)
    return sorted(by_url, key=lambda entry: entry.published, reverse=True)


def entry_iri(entry: FeedEntry) -> str:
    """The entry's id as an IRI, which Atom requires.

    An id that already has a scheme (`https:`, `tag:`, `urn:`) is kept; a bare
    one (a slug) becomes an RFC 4151 tag URI from the URL's host and the
    publication date, stable across re-builds and URL changes of the path.
    """
    if urlsplit(entry.id).scheme:
        return entry.id
    host = urlsplit(entry.url).hostname or "localhost"
    day = _in_utc(entry.published).date().isoformat()
    return f"tag:{host},{day}:{quote(entry.id, safe='/-._~')}"


def _in_utc(value: datetime) -> datetime:
    """The moment in UTC; at the ends of the calendar (0001-01-01 at +14:00) there is no
    UTC date, and the moment keeps its own offset instead of crashing the feed."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return value


def _rfc822(value: datetime) -> str:
    moment = _in_utc(value)
    return format_datetime(moment, usegmt=moment.utcoffset() == timedelta(0))


# --- Atom 1.0 (RFC 4287) -------------------------------------------------------------------


def atom_feed(info: FeedInfo, entries: Iterable[FeedEntry]) -> str:
    """A valid Atom 1.0 document.

    Atom requires an author on every entry: entries without one inherit the
    feed's author, which falls back to the feed title when `info.author` is None.
    """
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        open_tag("feed", xmlns=ATOM_NS, xmlns__media=MEDIA_NS, xml__lang=info.language or None),
        "  " + element("title", info.title, type="text"),
        "  " + element("subtitle", info.description, type="text"),
        "  " + element("id", info.feed_url),
        "  " + element("link", rel="alternate", type="text/html", href=info.site_url),
        "  " + element("link", rel="self", type="application/atom+xml", href=info.feed_url),
        "  " + element("updated", w3c_datetime(info.updated)),
        "  <author>" + element("name", info.author or info.title) + "</author>",
        "  " + element("generator", GENERATOR),
    ]
    for entry in newest_first(entries):
        lines.extend(_atom_entry(entry, info.language))
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def _atom_entry(entry: FeedEntry, feed_language: str) -> list[str]:
    language = entry.language if entry.language and entry.language != feed_language else None
    lines = [
        "  " + open_tag("entry", xml__lang=language),
        "    " + element("title", entry.title, type="text"),
        "    " + element("id", entry_iri(entry)),
        "    " + element("link", rel="alternate", type="text/html", href=entry.url),
        "    " + element("published", w3c_datetime(entry.published)),
        "    " + element("updated", w3c_datetime(max(entry.updated, entry.published))),
    ]
    lines += ["    <author>" + element("name", name) + "</author>" for name in entry.authors]
    lines += ["    " + element("category", term=tag) for tag in entry.tags]
    if entry.summary:
        lines.append("    " + element("summary", entry.summary, type="text"))
    lines.append("    " + element("content", entry.content_html, type="html"))
    if entry.image_url:
        lines.append("    " + element("media:thumbnail", url=entry.image_url))
    lines.append("  </entry>")
    return lines


# --- RSS 2.0 -------------------------------------------------------------------------------


def rss_feed(info: FeedInfo, entries: Iterable[FeedEntry]) -> str:
    """RSS 2.0 with atom:link rel=self, content:encoded (CDATA), dc:creator and guid."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' xmlns:media="{MEDIA_NS}">',
        "  <channel>",
        "    " + element("title", info.title),
        "    " + element("link", info.site_url),
        "    " + element("description", info.description),
        "    " + element("language", info.language),
        "    " + element("lastBuildDate", _rfc822(info.updated)),
        "    " + element("generator", GENERATOR),
        "    " + element("atom:link", href=info.feed_url, rel="self", type="application/rss+xml"),
    ]
    for entry in newest_first(entries):
        lines.extend(_rss_item(entry, info.language))
    lines += ["  </channel>", "</rss>"]
    return "\n".join(lines) + "\n"


def _rss_item(entry: FeedEntry, feed_language: str = "") -> list[str]:
    permalink = entry.id == entry.url
    lines = [
        "    <item>",
        "      " + element("title", entry.title),
        "      " + element("link", entry.url),
        "      "
        + element(
            "guid",
            entry.url if permalink else entry_iri(entry),
            isPermaLink="true" if permalink else "false",
        ),
        "      " + element("pubDate", _rfc822(entry.published)),
    ]
    lines += ["      " + element("dc:creator", name) for name in entry.authors]
    if entry.language and entry.language != feed_language:
        lines.append("      " + element("dc:language", entry.language))
    lines += ["      " + element("category", tag) for tag in entry.tags]
    lines.append("      " + element("description", entry.summary))
    lines.append("      <content:encoded>" + cdata(entry.content_html) + "</content:encoded>")
    if entry.image_url:
        lines.append("      " + element("media:thumbnail", url=entry.image_url))
    lines.append("    </item>")
    return lines


# --- JSON Feed 1.1 -------------------------------------------------------------------------


def json_feed(info: FeedInfo, entries: Iterable[FeedEntry]) -> str:
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), pretty-printed UTF-8."""
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": clean_text(info.title),
        "home_page_url": info.site_url,
        "feed_url": info.feed_url,
        "description": clean_text(info.description),
        "language": info.language,
    }
    if info.author:
        feed["authors"] = [{"name": clean_text(info.author)}]
    feed["items"] = [_json_item(entry) for entry in newest_first(entries)]
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def _json_item(entry: FeedEntry) -> dict[str, object]:
    item: dict[str, object] = {
        "id": entry_iri(entry),
        "url": entry.url,
        "title": clean_text(entry.title),
        "content_html": clean_text(entry.content_html),
        "summary": clean_text(entry.summary),
        "date_published": w3c_datetime(entry.published),
        "date_modified": w3c_datetime(max(entry.updated, entry.published)),
    }
    if entry.image_url:
        item["image"] = entry.image_url
    if entry.authors:
        item["authors"] = [{"name": clean_text(name)} for name in entry.authors]
    if entry.tags:
        item["tags"] = [clean_text(tag) for tag in entry.tags]
    if entry.language:
        item["language"] = entry.language
    return item
