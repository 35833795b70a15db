"""A small site built for real: pages parsed back with html.parser, JSON-LD with json.loads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sitebuilder import article, build_ok, read_page, write_site

FILES = {
    "content/old-ferry.md": article(
        "Old ferry retired", "2025-03-02 08:00:00", "The ferry sailed for the last time.",
        tags="[Harbour, Transport]", summary='"The last crossing."'),
    "content/new-bridge.md": article(
        "New bridge opens", "2025-07-20 10:15:00", "## Opening day\n\nCrowds walked across.",
        tags="[Transport]", updated="2025-07-21 09:00:00", author="desk"),
    "content/mid-market.md": article(
        "Market moves indoors", "2024-11-05", "Stalls moved into the hall.",
        tags="[Harbour]", author='"Guest Writer"'),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("html"), FILES)
    build_ok(root)
    return root / "site"


def test_home_lists_articles_newest_first(site: Path) -> None:
    home = read_page(site, "index.html")
    titles = [card.find("h2").text() for card in home.find_all("article", class_="card")]
    assert titles == ["New bridge opens", "Old ferry retired", "Market moves indoors"]
    links = [card.find("h2").find("a").get("href")
             for card in home.find_all("article", class_="card")]
    assert links == ["/new-bridge/", "/old-ferry/", "/mid-market/"]
    assert home.find("title").text() == "Test Gazette"


def test_home_has_website_jsonld(site: Path) -> None:
    home = read_page(site, "index.html")
    [website] = home.jsonld_of("WebSite")
    assert website["@context"] == "https://schema.org"
    assert website["name"] == "Test Gazette"
    assert website["url"] == "https://example.org/"
    assert website["description"] == "A site made by a test"


def test_article_page_has_title_byline_and_body(site: Path) -> None:
    page = read_page(site, "new-bridge/index.html")
    assert page.find("h1", class_="article__title").text() == "New bridge opens"
    byline = page.find("p", class_="article__byline")
    assert "By Test Desk" in byline.text()
    # a key of [authors] has its own page; its configured url is in the Person's sameAs
    assert byline.find("a", rel="author").get("href") == "/authors/desk/"
    times = byline.find_all("time")
    assert [t.get("datetime") for t in times] == ["2025-07-20T10:15:00+02:00",
                                                  "2025-07-21T09:00:00+02:00"]
    assert "July 20, 2025" in byline.text()
    assert times[1].text() == "July 21, 2025, 9:00 AM CEST"  # "Updated" says when, to the minute
    body = page.find("div", class_="article__body")
    assert body.find("h2").text() == "Opening day"
    assert body.find("h2").get("id") == "opening-day"
    assert body.find("p").text() == "Crowds walked across."
    assert page.find("title").text() == "New bridge opens | Test Gazette"
    assert page.find("link", rel="canonical").get("href") == "https://example.org/new-bridge/"


def test_plain_author_name_is_used_as_is(site: Path) -> None:
    page = read_page(site, "mid-market/index.html")
    assert page.find("span", class_="article__author").text() == "Guest Writer"
    [news] = page.jsonld_of("NewsArticle")
    assert news["author"] == [{"@type": "Person", "name": "Guest Writer"}]


def test_article_jsonld_news_article(site: Path) -> None:
    page = read_page(site, "new-bridge/index.html")
    blocks = page.jsonld()
    assert sorted(b["@type"] for b in blocks) == ["BreadcrumbList", "NewsArticle"]
    [news] = page.jsonld_of("NewsArticle")
    assert news["headline"] == "New bridge opens"
    published = dt.datetime.fromisoformat(news["datePublished"])
    assert published.utcoffset() == dt.timedelta(hours=2)  # Europe/Paris in July
    assert published == dt.datetime(2025, 7, 20, 8, 15, tzinfo=dt.UTC)
    assert dt.datetime.fromisoformat(news["dateModified"]).utcoffset() is not None
    assert news["dateModified"] == "2025-07-21T09:00:00+02:00"
    assert news["author"] == [{"@type": "Person", "name": "Test Desk",
                               "url": "https://example.org/authors/desk/",
                               "sameAs": ["https://example.org/desk/"]}]
    assert news["publisher"]["@type"] == "Organization"
    assert news["publisher"]["name"] == "Test Gazette"
    assert news["mainEntityOfPage"]["@id"] == "https://example.org/new-bridge/"
    assert "image" not in news  # this article has no photo


def test_date_modified_defaults_to_published_and_winter_offset(site: Path) -> None:
    [news] = read_page(site, "mid-market/index.html").jsonld_of("NewsArticle")
    assert news["datePublished"] == "2024-11-05T00:00:00+01:00"
    assert news["dateModified"] == news["datePublished"]


def test_breadcrumbs(site: Path) -> None:
    page = read_page(site, "old-ferry/index.html")
    [crumbs] = page.jsonld_of("BreadcrumbList")
    items = crumbs["itemListElement"]
    assert [(i["position"], i["name"], i["item"]) for i in items] == [
        (1, "Home", "https://example.org/"),
        (2, "Harbour", "https://example.org/tags/harbour/"),
        (3, "Old ferry retired", "https://example.org/old-ferry/"),
    ]
    # the visible trail stops above the headline (which is right below it)
    visible = page.find("nav", class_="breadcrumbs")
    assert [li.text() for li in visible.find_all("li")] == ["Home", "Harbour"]


def test_404_page(site: Path) -> None:
    page = read_page(site, "404.html")
    assert page.find("h1").text() == "Page not found"
    assert page.find("a", href="/").text()


def test_tag_pages(site: Path) -> None:
    harbour = read_page(site, "tags/harbour/index.html")
    titles = [c.find("h2").text() for c in harbour.find_all("article", class_="card")]
    assert titles == ["Old ferry retired", "Market moves indoors"]
    transport = read_page(site, "tags/transport/index.html")
    titles = [c.find("h2").text() for c in transport.find_all("article", class_="card")]
    assert titles == ["New bridge opens", "Old ferry retired"]
    index = read_page(site, "tags/index.html")
    entries = {li.find("a").text(): (li.find("a").get("href"), li.find("span").text())
               for li in index.find("ul", class_="topic-index").find_all("li")}
    assert entries == {"Harbour": ("/tags/harbour/", "(2)"),
                       "Transport": ("/tags/transport/", "(2)")}


def test_archive_groups_by_year_newest_first(site: Path) -> None:
    page = read_page(site, "archive/index.html")
    sections = page.find_all("section", class_="archive-year")
    assert [s.find("h2").text() for s in sections] == ["2025", "2024"]
    assert [a.text() for a in sections[0].find_all("a")] == ["New bridge opens",
                                                            "Old ferry retired"]
    assert [a.text() for a in sections[1].find_all("a")] == ["Market moves indoors"]


def test_stylesheet_is_fingerprinted(site: Path) -> None:
    page = read_page(site, "index.html")
    href = page.find("link", rel="stylesheet").get("href") or ""
    assert re.fullmatch(r"/static/style\.[0-9a-f]{10}\.css", href), href
    assert (site / href.lstrip("/")).is_file()
    assert not (site / "static" / "style.css").exists()


def test_every_internal_link_resolves(site: Path) -> None:
    for html in site.rglob("*.html"):
        page = read_page(site, html.relative_to(site).as_posix())
        for url in page.links():
            if url.startswith("/"):
                target = site / url.lstrip("/").split("#")[0]
                if url.endswith("/"):
                    target = target / "index.html"
                assert target.is_file(), f"{html}: broken link {url}"


def test_pagination_newest_first_across_pages(tmp_path: Path) -> None:
    from sitebuilder import site_toml
    files = {f"content/s{n}.md": article(f"Story {n}", f"2025-01-0{n}", tags="[All]")
             for n in range(1, 6)}
    root = write_site(tmp_path, files, site_toml=site_toml("per_page = 2"))
    build_ok(root)
    site = root / "site"
    seen: list[str] = []
    for rel, prev, next_ in (("index.html", None, "/page/2/"),
                             ("page/2/index.html", "/", "/page/3/"),
                             ("page/3/index.html", "/page/2/", None)):
        page = read_page(site, rel)
        seen += [h.text() for h in page.find_all("h2", class_="card__title")]
        nav = page.find_all("nav", class_="pagination")
        assert [a.get("href") for a in nav[0].find_all("a", rel="prev")] == ([prev] if prev else [])
        assert [a.get("href") for a in nav[0].find_all("a", rel="next")] == \
            ([next_] if next_ else [])
    assert seen == ["Story 5", "Story 4", "Story 3", "Story 2", "Story 1"]
    assert read_page(site, "page/2/index.html").jsonld_of("WebSite") == []
    assert (site / "tags/all/page/3/index.html").is_file()
