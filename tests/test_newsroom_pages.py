"""Pages beside articles, menus, author pages, related stories, share links and `extra`:
a small newsroom site built for real, its HTML and JSON-LD parsed back."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from sitebuilder import article, build, build_ok, read_page, write_site

from reelpress.commands.check import check_site

SITE = """\
title = "Harbour Herald"
base_url = "https://example.org/"
timezone = "Europe/Paris"
author = "desk"

[extra]
tagline = "News from the docks"

[authors.desk]
name = "Herald Desk"
url = "https://example.org/about/"
bio = "The newsroom of the Harbour Herald."
social = { Mastodon = "https://mastodon.example/@herald" }

[authors.jane]
name = "Jane Roe"

[[menu.main]]
name = "About us"
page = "about"

[[menu.footer]]
name = "Contact"
page = "contact"

[[menu.footer]]
name = "Corrections"
url = "/corrections/"

[[menu.footer]]
name = "Press council"
url = "https://press-council.example/"
"""

FILES = {
    "content/pages/about.md": "---\ntitle: About the Herald\nsummary: Who we are.\n"
                              "extra:\n  founded: 1898\n---\n\nWe report on the harbour.\n",
    "content/pages/contact.md": "---\ntitle: Contact\n---\n\nWrite to [the desk](about.md).\n",
    "content/corrections.md": "---\ntitle: Corrections\ntype: page\n---\n\nNone so far.\n",
    "content/ferry.md": article("Ferry retired", "2025-07-01", tags="[Harbour, Boats]",
                                author="jane"),
    "content/crane.md": article("New crane", "2025-07-02", tags="[Harbour]"),
    "content/tug.md": article("Tug race", "2025-07-03", tags="[Boats]",
                              author='"Sam Plain"'),
    "content/quay.md": article("Quay rebuilt", "2025-07-04", tags="[Harbour]",
                               extra="\n  score: 7\n  sponsor: Port <Authority>"),
    "content/fog.md": article("Fog warning", "2025-07-05"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("newsroom"), FILES, site_toml=SITE)
    result = build_ok(root)
    assert not [d for d in result.diagnostics if "author" in d.message], result.diagnostics
    return root / "site"


def test_pages_are_written_without_a_date(site: Path) -> None:
    about = read_page(site, "about/index.html")
    assert about.find("h1").text() == "About the Herald"
    assert "We report on the harbour." in about.find("div", class_="article__body").text()
    assert read_page(site, "contact/index.html").find("h1").text() == "Contact"
    assert read_page(site, "corrections/index.html").find("h1").text() == "Corrections"
    assert not (site / "pages").exists()
    # a link to another page's Markdown file resolves like an article link
    assert read_page(site, "contact/index.html").find("div", class_="article__body") \
        .find("a").get("href") == "/about/"


def test_page_jsonld_types(site: Path) -> None:
    [about] = read_page(site, "about/index.html").jsonld_of("AboutPage")
    assert about["url"] == about["@id"] == "https://example.org/about/"
    assert about["name"] == "About the Herald" and about["description"] == "Who we are."
    assert about["isPartOf"] == {"@type": "WebSite", "url": "https://example.org/"}
    assert read_page(site, "contact/index.html").jsonld_of("ContactPage")
    corrections = read_page(site, "corrections/index.html")
    assert corrections.jsonld_of("WebPage") and not corrections.jsonld_of("NewsArticle")


def test_pages_stay_out_of_listings_feeds_and_archive(site: Path) -> None:
    for listing in ("index.html", "archive/index.html", "feed.xml", "rss.xml", "feed.json",
                    "authors/desk/index.html"):
        text = (site / listing).read_text(encoding="utf-8")
        assert "About the Herald" not in text and "/corrections/" not in text.replace(
            'href="/corrections/"', ""), listing
        assert "Ferry retired" in text or listing == "authors/desk/index.html"
    feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
    assert [item["title"] for item in feed["items"]] == [
        "Fog warning", "Quay rebuilt", "Tug race", "New crane", "Ferry retired"]


def test_pages_and_author_pages_are_in_the_sitemap(site: Path) -> None:
    tree = ElementTree.parse(site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text for loc in tree.findall(".//s:loc", ns)}
    assert {"https://example.org/about/", "https://example.org/contact/",
            "https://example.org/corrections/", "https://example.org/authors/desk/",
            "https://example.org/authors/jane/"} <= locs
    about = next(url for url in tree.findall("s:url", ns)
                 if url.find("s:loc", ns).text == "https://example.org/about/")
    assert about.find("s:lastmod", ns) is None  # no date: no invented lastmod


def test_menus_in_nav_and_footer(site: Path) -> None:
    page = read_page(site, "contact/index.html")
    nav = page.find("nav", class_="masthead__nav")
    about = [a for a in nav.find_all("a") if a.text() == "About us"]
    assert [a.get("href") for a in about] == ["/about/"]
    footer = page.find("nav", class_="site-footer__nav")
    assert [(a.text(), a.get("href"), a.get("aria-current")) for a in footer.find_all("a")] == [
        ("Contact", "/contact/", "page"), ("Corrections", "/corrections/", None),
        ("Press council", "https://press-council.example/", None)]


def test_menu_page_that_does_not_exist_warns_at_its_line(tmp_path: Path) -> None:
    toml = 'title = "T"\nbase_url = "https://example.org/"\n\n[[menu.main]]\n' \
           'name = "About"\npage = "abuot"\n'
    root = write_site(tmp_path, {"content/a.md": article("A", "2025-07-01")}, site_toml=toml)
    result = build(root)
    assert result.ok
    assert [d.format() for d in result.diagnostics if "menu" in d.message] == [
        "site.toml:4: warning: menu.main[0]: no page /abuot/ "
        "(write content/pages/abuot.md, or fix page =)"]


def test_menu_entry_needs_page_or_url(tmp_path: Path) -> None:
    toml = 'title = "T"\nbase_url = "https://example.org/"\n[[menu.footer]]\nname = "X"\n'
    root = write_site(tmp_path, {"content/a.md": article("A", "2025-07-01")}, site_toml=toml)
    result = build(root)
    assert not result.ok
    assert any(d.line == 3 and "menu.footer[0]: give either page" in d.message
               for d in result.diagnostics)


def test_author_url_to_about_passes_check(site: Path) -> None:
    report = check_site(site, base_url="https://example.org/")
    assert report.ok, report.format()
    [news] = read_page(site, "crane/index.html").jsonld_of("NewsArticle")
    assert news["author"] == [{
        "@type": "Person", "name": "Herald Desk", "url": "https://example.org/authors/desk/",
        "sameAs": ["https://example.org/about/", "https://mastodon.example/@herald"],
        "description": "The newsroom of the Harbour Herald."}]


def test_author_pages_list_their_articles(site: Path) -> None:
    desk = read_page(site, "authors/desk/index.html")
    assert desk.find("h1").text() == "Herald Desk"
    assert desk.find("p", class_="author__bio").text() == "The newsroom of the Harbour Herald."
    titles = [a.text() for a in desk.find("ul", class_="archive-list").find_all("a")]
    assert titles == ["Fog warning", "Quay rebuilt", "New crane"]
    [profile] = desk.jsonld_of("ProfilePage")
    assert profile["mainEntity"]["@type"] == "Person"
    assert profile["mainEntity"]["url"] == "https://example.org/authors/desk/"
    jane = read_page(site, "authors/jane/index.html")
    assert [a.text() for a in jane.find("ul", class_="archive-list").find_all("a")] == \
        ["Ferry retired"]
    byline = read_page(site, "ferry/index.html").find("p", class_="article__byline")
    assert byline.find("a", rel="author").get("href") == "/authors/jane/"


def test_plain_name_author_has_no_page_and_no_warning(site: Path) -> None:
    byline = read_page(site, "tug/index.html").find("p", class_="article__byline")
    assert "Sam Plain" in byline.text() and not byline.find_all("a")
    assert not (site / "authors" / "sam-plain").exists()
    [news] = read_page(site, "tug/index.html").jsonld_of("NewsArticle")
    assert news["author"] == [{"@type": "Person", "name": "Sam Plain"}]


def test_author_key_typo_still_warns(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/a.md": article("A", "2025-07-01", author="jnae")},
                      site_toml=SITE)
    result = build_ok(root)
    assert [d.format() for d in result.diagnostics if "author" in d.message] == [
        "content/a.md:4: warning: author: 'jnae' is not in [authors] of site.toml "
        "(did you mean 'jane'?)"]


def test_related_stories_share_a_tag_newest_first(site: Path) -> None:
    def related(rel: str) -> list[str]:
        page = read_page(site, rel)
        sections = page.find_all("section", class_="related")
        return [a.text() for a in sections[0].find_all("a")] if sections else []

    assert related("ferry/index.html") == ["Quay rebuilt", "Tug race", "New crane"]
    assert related("tug/index.html") == ["Ferry retired"]
    assert related("fog/index.html") == []  # no tags, no related stories
    assert related("about/index.html") == []


def test_share_links_are_plain_links(site: Path) -> None:
    page = read_page(site, "crane/index.html")
    links = {a.text(): a.get("href") for a in page.find("section", class_="share").find_all("a")}
    assert set(links) >= {"Email", "Bluesky", "Mastodon", "Facebook", "LinkedIn", "X"}
    mail = urlsplit(links["Email"])
    assert mail.scheme == "mailto"
    assert parse_qs(mail.query) == {"subject": ["New crane"],
                                    "body": ["https://example.org/crane/"]}
    assert parse_qs(urlsplit(links["Facebook"]).query)["u"] == ["https://example.org/crane/"]
    assert not page.find_all("script", src=None) or all(
        s.get("type") == "application/ld+json" for s in page.scripts)


def test_extra_reaches_templates_untouched(tmp_path: Path) -> None:
    files = dict(FILES)
    files["templates/article.html"] = (
        '{% extends "base.html" %}{% block main %}'
        '<p id="score">{{ page.extra.score | default("none") }}</p>'
        '<p id="sponsor">{{ page.extra.sponsor | default("none") }}</p>'
        '<p id="tagline">{{ site.extra.tagline }}</p>{% endblock %}')
    files["templates/page.html"] = (
        '{% extends "base.html" %}{% block main %}'
        '<p id="founded">{{ page.extra.founded | default(0) + 1 }}</p>{% endblock %}')
    root = write_site(tmp_path, files, site_toml=SITE)
    build_ok(root)
    quay = read_page(root / "site", "quay/index.html")
    assert quay.find("p", id="score").text() == "7"
    assert quay.find("p", id="sponsor").text() == "Port <Authority>"  # escaped, then parsed
    assert "Port &lt;Authority&gt;" in quay.source
    assert quay.find("p", id="tagline").text() == "News from the docks"
    assert read_page(root / "site", "about/index.html").find("p", id="founded").text() == "1899"


def test_extra_must_be_a_mapping(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/a.md": article("A", "2025-07-01", extra="[1, 2]")},
                      site_toml=SITE)
    result = build(root)
    assert not result.ok
    assert any(d.format().startswith("content/a.md:4: extra: expected a mapping")
               for d in result.diagnostics)


def test_article_without_date_is_still_an_error(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/a.md": "---\ntitle: A\n---\nx\n"}, site_toml=SITE)
    result = build(root)
    assert not result.ok
    assert any("date: required" in d.message for d in result.diagnostics)


def test_bad_type_is_reported(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/a.md": "---\ntitle: A\ntype: pgae\n---\nx\n"},
                      site_toml=SITE)
    result = build(root)
    assert any(d.format().startswith("content/a.md:3: type: expected 'article' or 'page'")
               for d in result.diagnostics)


def test_related_stories_follow_a_new_article_on_rebuild(tmp_path: Path) -> None:
    """The related list is part of an article page's render key: publishing a story with
    a shared tag re-renders the older one (and only pages whose list changed)."""
    root = write_site(tmp_path, {
        "content/a.md": article("Alpha", "2025-07-01", tags="[Harbour]"),
        "content/b.md": article("Beta", "2025-07-02", tags="[Boats]"),
    }, site_toml=SITE)
    build_ok(root)
    assert not read_page(root / "site", "a/index.html").find_all("section", class_="related")
    (root / "content/c.md").write_text(article("Gamma", "2025-07-03", tags="[Harbour]"),
                                       encoding="utf-8")
    result = build_ok(root)
    section = read_page(root / "site", "a/index.html").find("section", class_="related")
    assert [a.text() for a in section.find_all("a")] == ["Gamma"]
    assert "b/index.html" not in result.written


def test_author_photo_from_static_is_published_and_linked(tmp_path: Path) -> None:
    """`photo = "static/desk.jpg"` names the published (fingerprinted) file, on the author
    page and in every Person (so does the publisher's logo); a photo outside static/ is not
    published: a warning at its line."""
    from PIL import Image
    (tmp_path / "static").mkdir()
    Image.new("RGB", (200, 200), (20, 40, 60)).save(tmp_path / "static/desk.jpg")
    Image.new("RGB", (600, 60), (20, 40, 60)).save(tmp_path / "static/logo.png")
    toml = SITE + '\n[publisher]\nname = "Harbour Herald"\nlogo = "static/logo.png"\n'
    toml = toml.replace('[authors.jane]\nname = "Jane Roe"\n', '[authors.jane]\nname = "Jane Roe"\n'
                        'photo = "media/jane.jpg"\n').replace(
        'bio = "The newsroom', 'photo = "static/desk.jpg"\nbio = "The newsroom')
    root = write_site(tmp_path, FILES, site_toml=toml)
    result = build_ok(root)
    line = toml.splitlines().index('photo = "media/jane.jpg"') + 1
    assert [d.format() for d in result.diagnostics if "photo" in d.message] == [
        f"site.toml:{line}: warning: authors.jane.photo: 'media/jane.jpg' is not published "
        "(put the file in static/ and write photo = \"static/jane.jpg\", or give an https:// URL)"]
    site = root / "site"
    src = read_page(site, "authors/desk/index.html").find("img", class_="author__photo").get("src")
    assert src and src.startswith("/static/desk.") and (site / src.lstrip("/")).is_file()
    [news] = read_page(site, "crane/index.html").jsonld_of("NewsArticle")
    assert news["author"][0]["image"] == "https://example.org" + src
    logo = news["publisher"]["logo"]
    logo = logo["url"] if isinstance(logo, dict) else logo
    assert logo.startswith("https://example.org/static/logo.") and \
        (site / logo.removeprefix("https://example.org/")).is_file()
    report = check_site(site, base_url="https://example.org/")
    broken = {b.url for b in report.broken}  # only the photo the build warned about
    assert broken == {"/media/jane.jpg", "https://example.org/media/jane.jpg"}, broken
