"""sitemap.xml parses back with namespaces; video entries follow Google's extension."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from reelpress.render.sitemap import (
    MAX_URLS_PER_SITEMAP,
    SitemapEntry,
    SitemapVideo,
    robots_txt,
    sitemap_index_xml,
    sitemap_xml,
    split_sitemap,
)

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "video": "http://www.google.com/schemas/sitemap-video/1.1",
}
BASE = "https://user.github.io/project/"


def video(**changes: object) -> SitemapVideo:
    values: dict[str, object] = {
        "thumbnail_loc": BASE + "media/flood-poster.jpg",
        "title": "Flood <live> & more",
        "description": "Water rising in the old town.",
        "content_loc": BASE + "media/flood-720p.mp4",
        "duration": 93.4,
        "publication_date": datetime(2026, 5, 2, 9, 30, tzinfo=timezone(timedelta(hours=2))),
    }
    values.update(changes)
    return SitemapVideo(**values)  # type: ignore[arg-type]


def parse(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(text.encode("utf-8"))


def test_urls_with_lastmod_in_w3c_format() -> None:
    text = sitemap_xml(
        [
            SitemapEntry(BASE, datetime(2026, 5, 3, 10, 0, 5, 123, tzinfo=UTC)),
            SitemapEntry(BASE + "paris/?a=1&b=2", date(2026, 5, 1)),
            SitemapEntry(BASE + "about/"),
        ]
    )
    root = parse(text)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    urls = root.findall("sm:url", NS)
    assert [u.findtext("sm:loc", namespaces=NS) for u in urls] == [
        BASE,
        BASE + "paris/?a=1&b=2",
        BASE + "about/",
    ]
    assert [u.findtext("sm:lastmod", namespaces=NS) for u in urls] == [
        "2026-05-03T10:00:05Z",
        "2026-05-01",
        None,
    ]
    assert "xmlns:video" not in text  # no videos, no extension namespace


def test_video_entry_has_every_google_field() -> None:
    root = parse(sitemap_xml([SitemapEntry(BASE + "flood/", date(2026, 5, 2), (video(),))]))
    element = root.find("sm:url/video:video", NS)
    assert element is not None
    fields = {child.tag.split("}")[1]: child.text for child in element}
    assert fields == {
        "thumbnail_loc": BASE + "media/flood-poster.jpg",
        "title": "Flood <live> & more",
        "description": "Water rising in the old town.",
        "content_loc": BASE + "media/flood-720p.mp4",
        "duration": "93",
        "publication_date": "2026-05-02T09:30:00+02:00",
    }


def test_video_limits_are_enforced() -> None:
    long_description = "word " * 1000
    entry = SitemapEntry(
        BASE + "long/",
        None,
        (
            video(description=long_description, duration=40_000.0, title="t" * 300),
            video(duration=0.2, content_loc=None, player_loc=BASE + "embed/1/"),
        ),
    )
    videos = parse(sitemap_xml([entry])).findall("sm:url/video:video", NS)
    description = videos[0].findtext("video:description", namespaces=NS) or ""
    assert len(description) <= 2048 and description.endswith("…")
    assert len(videos[0].findtext("video:title", namespaces=NS) or "") <= 100
    assert videos[0].findtext("video:duration", namespaces=NS) == "28800"
    assert videos[1].findtext("video:duration", namespaces=NS) == "1"
    assert videos[1].find("video:content_loc", NS) is None
    assert videos[1].findtext("video:player_loc", namespaces=NS) == BASE + "embed/1/"


def test_video_needs_a_location_and_dates_need_a_zone() -> None:
    with pytest.raises(ValueError, match="content_loc or player_loc"):
        video(content_loc=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        SitemapEntry(BASE, datetime(2026, 5, 1, 12, 0))


def test_duplicate_urls_are_listed_once_first_wins() -> None:
    root = parse(
        sitemap_xml(
            [
                SitemapEntry(BASE + "a/", date(2026, 1, 1)),
                SitemapEntry(BASE + "b/"),
                SitemapEntry(BASE + "a/", date(2026, 2, 2)),
            ]
        )
    )
    urls = root.findall("sm:url", NS)
    assert [u.findtext("sm:loc", namespaces=NS) for u in urls] == [BASE + "a/", BASE + "b/"]
    assert urls[0].findtext("sm:lastmod", namespaces=NS) == "2026-01-01"


def test_control_characters_are_dropped() -> None:
    entry = SitemapEntry(BASE + "x/", None, (video(title="Bad\x00\x0b title", description="\x1f"),))
    element = parse(sitemap_xml([entry])).find("sm:url/video:video", NS)
    assert element is not None
    assert element.findtext("video:title", namespaces=NS) == "Bad title"


def test_too_many_urls_for_one_file_and_the_split_index() -> None:
    entries = [SitemapEntry(f"{BASE}p{i}/") for i in range(MAX_URLS_PER_SITEMAP + 1)]
    with pytest.raises(ValueError, match="sitemap_index_xml"):
        sitemap_xml(entries)
    chunks = split_sitemap(entries)
    assert [len(chunk) for chunk in chunks] == [MAX_URLS_PER_SITEMAP, 1]
    assert len(parse(sitemap_xml(chunks[1])).findall("sm:url", NS)) == 1
    index = parse(
        sitemap_index_xml(
            [(BASE + "sitemap-1.xml", date(2026, 5, 1)), (BASE + "sitemap-2.xml", None)]
        )
    )
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert [s.findtext("sm:loc", namespaces=NS) for s in index.findall("sm:sitemap", NS)] == [
        BASE + "sitemap-1.xml",
        BASE + "sitemap-2.xml",
    ]


def test_robots_allows_all_by_default_and_points_at_the_sitemap() -> None:
    assert robots_txt(BASE + "sitemap.xml") == (
        f"User-agent: *\nDisallow:\n\nSitemap: {BASE}sitemap.xml\n"
    )


def test_robots_disallow_paths_cannot_inject_directives() -> None:
    text = robots_txt(BASE + "sitemap.xml", ("drafts/", "/project/private/", "/x\nAllow: /", " "))
    lines = text.splitlines()
    assert lines[:4] == [
        "User-agent: *",
        "Disallow: /drafts/",
        "Disallow: /project/private/",
        "Disallow: /xAllow:/",
    ]
    assert sum(line.startswith("Allow") for line in lines) == 0
    assert lines[-1] == f"Sitemap: {BASE}sitemap.xml"
