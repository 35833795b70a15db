"""The theme decides the `sizes` of responsive images (its layout knows how wide they are)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from sitebuilder import article, build_ok, read_page, site_toml, write_site


def test_a_theme_sets_image_sizes_and_inherits_the_rest(tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    Image.new("RGB", (1000, 600), (90, 120, 150)).save(tmp_path / "media" / "p.jpg")
    write_site(tmp_path, {
        "themes/narrow/theme.toml": 'extends = "default"\n[image_sizes]\nbody = "33vw"\n',
        "content/a.md": article("A", "2025-07-01", "![A photo](../media/p.jpg)",
                                image="media/p.jpg", image_alt="Hero"),
    }, site_toml=site_toml('theme = "narrow"'))
    build_ok(tmp_path)
    page = read_page(tmp_path / "site", "a/index.html")
    body_img = page.find("div", class_="article__body").find("img")
    hero_img = page.find("div", class_="article__hero").find("img")
    assert body_img.get("sizes") == "33vw"
    assert hero_img.get("sizes") == "(min-width: 44rem) 42rem, 100vw"  # from default
    assert hero_img.get("loading") == "eager" and body_img.get("loading") == "lazy"
    lead = read_page(tmp_path / "site", "index.html").find("article", class_="card--lead")
    assert lead.find("img").get("sizes") == "(min-width: 68rem) 38rem, 100vw"
