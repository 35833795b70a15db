"""The publishing surface on a real built site: a sub-path base URL site whose every
internal link resolves, feeds through a real feed parser, the sitemap as XML, social
cards and Open Graph, `check` catching broken links, `deploy` twice."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from PIL import Image
from sitebuilder import article, build_ok, read_page, run_cli, site_toml, write_site

from reelpress.commands.check import check_site

SUB_PATH = site_toml('per_page = 2', base=(
    'title = "Project News"\nbase_url = "https://user.github.io/project/"\n'
    'timezone = "Europe/Paris"\n'))


def photo(path: Path) -> bytes:
    image = Image.new("RGB", (900, 600), (120, 90, 60))
    for x in range(0, 900, 30):
        image.paste((200, 180, 40), (x, 0, x + 10, 600))
    image.save(path, "JPEG")
    return path.read_bytes()


@pytest.fixture(scope="module")
def project_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "media").mkdir()
    photo(root / "media" / "street.jpg")
    files = {
        f"content/story-{n}.md": article(
            f"Story {n} <b>&</b>", f"2025-07-0{n}", f"Body {n}. See [the first](story-1.md).\n",
            tags="[Paris, Rescues]", summary=f"Summary {n}",
            **({"image": "media/street.jpg", "image_alt": "A street"} if n == 1 else {}))
        for n in range(1, 6)
    }
    write_site(root, files, site_toml=SUB_PATH)
    build_ok(root)
    return root


def test_every_internal_link_of_a_sub_path_site_resolves(project_site: Path) -> None:
    report = check_site(project_site / "site", base_url="https://user.github.io/project/")
    assert report.ok, report.format()
    home = read_page(project_site / "site", "index.html")
    links = [link for link in home.links() if not link.startswith(("http", "#", "mailto"))]
    assert links and all(link.startswith("/project/") for link in links)


def test_feeds_parse_with_a_real_feed_parser(project_site: Path) -> None:
    for name in ("feed.xml", "rss.xml", "tags/paris/feed.xml"):
        parsed = feedparser.parse((project_site / "site" / name).read_bytes())
        assert parsed.bozo == 0, (name, parsed.get("bozo_exception"))
        assert len(parsed.entries) == 5
        titles = [entry.title for entry in parsed.entries]
        assert titles[0] == "Story 5 <b>&</b>"
        assert all(entry.link.startswith("https://user.github.io/project/")
                   for entry in parsed.entries)
        content = parsed.entries[-1].get("content", [{}])[0].get("value", "") or \
            parsed.entries[-1].get("summary", "")
        assert "https://user.github.io/project/story-1/" in content


def test_sitemap_and_robots(project_site: Path) -> None:
    tree = ET.parse(project_site / "site" / "sitemap.xml")
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [node.text for node in tree.findall("s:url/s:loc", namespace)]
    assert "https://user.github.io/project/story-3/" in locations
    assert all(loc.startswith("https://user.github.io/project/") for loc in locations)
    robots = (project_site / "site" / "robots.txt").read_text()
    assert "Sitemap: https://user.github.io/project/sitemap.xml" in robots


def test_social_card_and_open_graph(project_site: Path) -> None:
    page = read_page(project_site / "site", "story-1/index.html")
    meta = {node.get("property"): node.get("content") for node in page.find_all("meta")
            if node.get("property")}
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "Story 1 <b>&</b>"
    card = meta["og:image"]
    assert card.startswith("https://user.github.io/project/media/")
    with Image.open(project_site / "site" / card.removeprefix(
            "https://user.github.io/project/")) as image:
        assert image.size == (1200, 630)
        assert not image.getexif()
    assert meta["article:tag"] in {"Paris", "Rescues"}


def test_pagination_and_tag_pages(project_site: Path) -> None:
    site = project_site / "site"
    assert (site / "page" / "2" / "index.html").is_file()
    assert (site / "page" / "3" / "index.html").is_file()
    assert (site / "tags" / "rescues" / "index.html").is_file()
    assert (site / "archive" / "index.html").is_file()


def test_check_command_reports_broken_links_with_the_page(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": article("A", "2025-07-01", "[gone](/nowhere/)")})
    build_ok(tmp_path)
    process = run_cli(tmp_path, "check")
    assert process.returncode == 1
    assert "site/a/index.html" in process.stdout and "/nowhere/" in process.stdout


def test_deploy_twice_copies_nothing_the_second_time(project_site: Path,
                                                     tmp_path: Path) -> None:
    dest = tmp_path / "www"
    first = run_cli(project_site, "deploy", str(dest))
    assert first.returncode == 0, first.stderr
    assert (dest / "index.html").is_file()
    second = run_cli(project_site, "deploy", str(dest))
    assert second.returncode == 0, second.stderr
    assert "copied 0" in second.stdout or " 0 copied" in second.stdout, second.stdout
