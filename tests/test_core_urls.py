"""Where pages go and how they link: pretty URLs, slugs, drafts and future articles,
a sub-path base URL, relative URLs, themes that extend the default, site overrides."""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

import pytest
from sitebuilder import (
    SITE_TOML,
    article,
    build,
    build_ok,
    read_page,
    run_cli,
    site_toml,
    write_site,
)

FILES = {
    "content/2025/paris.md": article("Paris ledge", "2025-07-04", "See [about us](/about/) and "
                                     "[the team](/about/team/#editors).", tags="[City Life]"),
    "content/2025/Été Chaud.md": article("Summer heat", "2025-07-05"),
    "content/renamed.md": article("Slugged", "2025-07-06", slug="special/place"),
    "content/simple.md": article("Simple", "2025-07-07", slug="short"),
    "content/_notes.md": "not an article",
    "content/.hidden.md": "not an article either",
    "content/draft.md": article("Draft story", "2025-07-08", draft="true"),
    "content/future.md": article("Future story", "2025-09-01"),  # after sitebuilder.NOW
}


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def page_links(site: Path, rel: str) -> list[str]:
    """Links a browser would follow from the page (not external, not in-page)."""
    page = read_page(site, rel)
    return [u for u in page.links() if not re.match(r"^(https?:|#|mailto:)", u)]


@pytest.fixture(scope="module")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("urls"), FILES)
    build_ok(root)
    return root / "site"


def test_pretty_urls_and_slugs(default_site: Path) -> None:
    articles = [rel for rel in html_pages(default_site)
                if not rel.startswith(("tags/", "archive/", "authors/", "search/")) and "/" in rel]
    assert articles == ["2025/ete-chaud/index.html", "2025/paris/index.html", "short/index.html",
                        "special/place/index.html"]
    assert read_page(default_site, "special/place/index.html").find("h1").text() == "Slugged"


def test_underscore_and_hidden_files_are_not_articles(default_site: Path) -> None:
    assert not list(default_site.rglob("*notes*"))
    assert not list(default_site.rglob("*hidden*"))


def test_drafts_and_future_left_out_by_default(default_site: Path) -> None:
    assert not (default_site / "draft").exists()
    assert not (default_site / "future").exists()
    everything = "".join(p.read_text(encoding="utf-8") for p in default_site.rglob("*")
                         if p.is_file() and p.suffix in (".html", ".xml", ".json"))
    assert "Draft story" not in everything
    assert "Future story" not in everything


def test_drafts_flag(tmp_path: Path) -> None:
    root = write_site(tmp_path, FILES)
    build_ok(root, drafts=True)
    assert read_page(root / "site", "draft/index.html").find("h1").text() == "Draft story"
    assert not (root / "site/future").exists()


def test_future_flag(tmp_path: Path) -> None:
    root = write_site(tmp_path, FILES)
    build_ok(root, future=True)
    home = read_page(root / "site", "index.html")
    titles = [h.text() for h in home.find_all("h2", class_="card__title")]
    assert titles[0] == "Future story"
    assert "Draft story" not in titles


def test_cli_drafts_and_future_flags(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "content/draft.md": article("Draft story", "2025-07-08", draft="true"),
        "content/future.md": article("Future story", "2999-01-01"),
        "content/now.md": article("Current story", "2025-01-01"),
    })
    assert run_cli(root, "build").returncode == 0
    assert not (root / "site/draft").exists() and not (root / "site/future").exists()
    process = run_cli(root, "build", "--drafts", "--future")
    assert process.returncode == 0, process.stderr
    assert (root / "site/draft/index.html").is_file()
    assert (root / "site/future/index.html").is_file()


def test_all_root_links_resolve(default_site: Path) -> None:
    for rel in html_pages(default_site):
        for url in page_links(default_site, rel):
            assert url.startswith("/"), (rel, url)
            target = url.split("#")[0].lstrip("/")
            if target.startswith("about/"):
                continue  # the author's own link to a page this site does not have
            path = default_site / target
            assert (path / "index.html" if url.endswith("/") else path).is_file(), (rel, url)


def test_base_url_with_sub_path(tmp_path: Path) -> None:
    root = write_site(tmp_path, FILES)
    process = run_cli(root, "build", "--base-url", "https://example.org/news/")
    assert process.returncode == 0, process.stderr
    site = root / "site"
    seen = 0
    for rel in html_pages(site):
        for url in page_links(site, rel):
            assert url.startswith("/news/"), (rel, url)
            seen += 1
        page = read_page(site, rel)
        canonical = page.find("link", rel="canonical").get("href") or ""
        assert canonical.startswith("https://example.org/news/"), canonical
        for block in page.jsonld():
            urls = [block.get("url"), block.get("@id")]
            urls += [item["item"] for item in block.get("itemListElement", [])]
            for url in filter(None, urls):
                assert url.startswith("https://example.org/news/"), (rel, url)
    assert seen > 50
    paris = read_page(site, "2025/paris/index.html")
    body_links = [a.get("href") for a in paris.find("div", class_="article__body").find_all("a")]
    assert body_links == ["/news/about/", "/news/about/team/#editors"]
    assert "https://example.org/news/2025/paris/" in (site / "sitemap.xml").read_text()


def test_bad_base_url_flag(tmp_path: Path) -> None:
    root = write_site(tmp_path, FILES)
    process = run_cli(root, "build", "--base-url", "example.org/news")
    assert process.returncode == 1
    assert "base_url: expected an absolute http(s) URL, got 'example.org/news'" in process.stderr
    assert "Traceback" not in process.stderr


def test_relative_urls_work_from_the_file_system(tmp_path: Path) -> None:
    root = write_site(tmp_path, FILES, site_toml=site_toml(
        'base_url = "https://example.org/news/"', "relative_urls = true",
        base=SITE_TOML.replace('base_url = "https://example.org/"\n', "")))
    write_site(root, {"about/team/index.md": "x"}, site_toml=None)  # not content: ignored
    build_ok(root)
    site = root / "site"
    for rel in html_pages(site):
        for url in page_links(site, rel):
            assert not url.startswith("/"), (rel, url)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel),
                                                       url.split("#")[0]))
            if target.startswith("about"):
                continue
            assert (site / target).is_file(), (rel, url)
    paris = read_page(site, "2025/paris/index.html")
    body_links = [a.get("href") for a in paris.find("div", class_="article__body").find_all("a")]
    assert body_links == ["../../about/index.html", "../../about/team/index.html#editors"]
    assert paris.find("link", rel="canonical").get("href") == \
        "https://example.org/news/2025/paris/"


THEME_INDEX = """\
{% extends "base.html" %}
{% block main %}
<h1 class="mytheme-title">{{ listing.title }}</h1>
<ol class="mytheme-list">
{% for card in listing.cards %}<li><a href="{{ card.link }}">{{ card.title }}</a></li>
{% endfor %}
</ol>
{% endblock %}
"""
SITE_CARD = """\
<article class="card site-card">
<h2 class="card__title"><a href="{{ card.link }}">{{ card.title }}</a></h2></article>
"""


@pytest.fixture(scope="module")
def themed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("theme"), {
        **FILES,
        "themes/mytheme/theme.toml": 'extends = "default"\n',
        "themes/mytheme/templates/index.html": THEME_INDEX,
        "themes/mytheme/static/theme.js": "console.log('theme');\n",
        "templates/partials/card.html": SITE_CARD,
        "static/style.css": "body { color: rebeccapurple; }\n",
        "static/robots-extra.txt": "kept as is\n",
    }, site_toml=site_toml('theme = "mytheme"'))
    build_ok(root)
    return root / "site"


def test_theme_extends_default_and_overrides_one_template(themed_site: Path) -> None:
    home = read_page(themed_site, "index.html")
    assert home.find("h1", class_="mytheme-title").text() == "Test Gazette"
    assert len(home.find("ol", class_="mytheme-list").find_all("li")) == 4
    assert home.find("header", class_="masthead")  # base.html still comes from default
    article_page = read_page(themed_site, "2025/paris/index.html")
    assert article_page.find("h1", class_="article__title").text() == "Paris ledge"


def test_site_override_of_one_template(themed_site: Path) -> None:
    tag_page = read_page(themed_site, "tags/city-life/index.html")  # tag.html -> index.html
    assert tag_page.find("h1", class_="mytheme-title")
    archive = read_page(themed_site, "archive/index.html")
    assert not archive.find_all("article", class_="site-card")
    listing = read_page(themed_site, "tags/index.html")
    assert listing.find("ul", class_="topic-index")


def test_site_card_override_used_by_default_templates(tmp_path: Path) -> None:
    root = write_site(tmp_path, {**FILES, "templates/partials/card.html": SITE_CARD})
    build_ok(root)
    cards = read_page(root / "site", "index.html").find_all("article", class_="site-card")
    assert len(cards) == 4


def test_site_static_override_is_fingerprinted(themed_site: Path) -> None:
    page = read_page(themed_site, "index.html")
    href = page.find("link", rel="stylesheet").get("href") or ""
    data = b"body { color: rebeccapurple; }\n"
    digest = hashlib.sha256(data).hexdigest()[:10]
    assert href == f"/static/style.{digest}.css"
    assert (themed_site / href.lstrip("/")).read_bytes() == data
    assert (themed_site / "static/robots-extra.txt").read_text() == "kept as is\n"
    js = list((themed_site / "static").glob("theme.*.js"))
    assert len(js) == 1 and re.fullmatch(r"theme\.[0-9a-f]{10}\.js", js[0].name)


def test_theme_with_unknown_parent(tmp_path: Path) -> None:
    root = write_site(tmp_path, {**FILES, "themes/mytheme/theme.toml": 'extends = "nope"\n'},
                      site_toml=site_toml('theme = "mytheme"'))
    result = build(root)
    assert not result.ok
    [problem] = result.errors
    assert problem.format().startswith("themes/mytheme/theme.toml:1: unknown theme 'nope'")
