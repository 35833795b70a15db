"""The repo's demo site (copied, built once per session by `python build.py`)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from sitebuilder import assert_no_traceback, html_text, read_page

TITLE = ("Barefoot on a sixth-floor ledge: the caretaker who carried six people out of a "
         "Paris fire")


@pytest.fixture(scope="module")
def demo_site(demo_build: tuple[Path, subprocess.CompletedProcess]) -> Path:
    root, process = demo_build
    assert_no_traceback(process)
    assert process.returncode == 0, process.stderr
    return root / "site"


def test_demo_builds_cleanly(demo_build: tuple[Path, subprocess.CompletedProcess]) -> None:
    _, process = demo_build
    assert process.returncode == 0, process.stderr
    assert "warning" not in process.stderr
    assert process.stdout.startswith("built ")


def test_demo_article(demo_site: Path) -> None:
    page = read_page(demo_site, "paris-rescue/index.html")
    assert page.find("h1", class_="article__title").text() == TITLE
    assert "By Courier Newsdesk" in page.find("p", class_="article__byline").text()
    body = page.find("div", class_="article__body")
    assert [h.text() for h in body.find_all("h2")] == [
        "Six people, one ledge", "Recognition from the city and the president",
        "A question of citizenship"]


def test_demo_jsonld(demo_site: Path) -> None:
    page = read_page(demo_site, "paris-rescue/index.html")
    [news] = page.jsonld_of("NewsArticle")
    assert news["headline"] == TITLE
    assert news["datePublished"] == "2025-07-14T09:30:00+02:00"
    assert news["dateModified"] == "2025-07-14T18:00:00+02:00"
    assert dt.datetime.fromisoformat(news["datePublished"]).utcoffset() is not None
    assert news["author"][0]["name"] == "Courier Newsdesk"
    assert news["publisher"]["name"] == "The Reelpress Courier"
    # the credited hero photo is an ImageObject, the others plain URLs
    urls = [i["url"] if isinstance(i, dict) else i for i in news["image"]]
    assert urls and all(url.startswith("https://example.org/") for url in urls)
    [hero] = [i for i in news["image"] if isinstance(i, dict)]
    assert hero["creditText"] == "reelpress demo" and hero["caption"].startswith("The kind of")
    for url in urls:
        assert (demo_site / url.removeprefix("https://example.org/")).is_file(), url
    assert len(page.jsonld_of("BreadcrumbList")) == 1
    [faq] = page.jsonld_of("FAQPage")
    assert len(faq["mainEntity"]) == 4
    assert faq["mainEntity"][1]["name"] == "Who is Fousseynou Cissé?"
    visible = page.find("section", class_="faq").find_all("details")
    assert [(d.find("summary").text(), d.find("div", class_="faq__answer").text())
            for d in visible] == [
        (q["name"], html_text(q["acceptedAnswer"]["text"])) for q in faq["mainEntity"]]


def test_demo_home_and_listings(demo_site: Path) -> None:
    home = read_page(demo_site, "index.html")
    [website] = home.jsonld_of("WebSite")
    assert website["name"] == "The Reelpress Courier"
    assert [a.text() for a in home.find_all("h2", class_="card__title")] == [TITLE]
    for tag in ("paris", "rescues", "citizenship"):
        assert (demo_site / "tags" / tag / "index.html").is_file()
    assert (demo_site / "404.html").is_file()
    assert read_page(demo_site, "archive/index.html").find("h2").text() == "2025"


def test_demo_theme_courier_extends_default(demo_site: Path) -> None:
    """themes/courier/ overrides the masthead, the footer and adds its stylesheet; every
    other template and the default stylesheet still come from the default theme."""
    repo = Path(__file__).resolve().parent.parent
    assert "extends = \"default\"" in (repo / "themes/courier/theme.toml").read_text()
    overridden = {p.relative_to(repo / "themes/courier/templates").as_posix()
                  for p in (repo / "themes/courier/templates").rglob("*.html")}
    assert "article.html" not in overridden and "base.html" not in overridden
    for rel in ("index.html", "paris-rescue/index.html", "about/index.html"):
        page = read_page(demo_site, rel)
        sheets = [link.get("href") or "" for link in page.find_all("link", rel="stylesheet")]
        assert [Path(s).name.split(".")[0] for s in sheets] == ["style", "courier"], sheets
        assert all((demo_site / s.lstrip("/")).is_file() for s in sheets)
        assert page.find("p", class_="masthead__tagline").text() == \
            "Multimedia news, built with reelpress"  # courier's masthead, [extra] of site.toml
        footer = page.find("footer", class_="site-footer")  # courier's: archive and feed
        names = [a.text() for a in footer.find("nav", class_="site-footer__nav").find_all("a")]
        assert names[-2:] == ["Archive", "Feed"] and not footer.find_all(
            "p", class_="site-footer__small"), names
    assert "--brand: #14365c" in next((demo_site / "static").glob("courier.*.css")).read_text()
