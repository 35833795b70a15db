"""FAQ answers are Markdown like the body: root links get the sub-path, and media that
only a body can process is reported instead of leaking placeholders."""

from __future__ import annotations

from pathlib import Path

from sitebuilder import build_ok, read_page, site_toml, write_site

FAQ = """---
title: FAQ links
date: 2025-07-01
faq:
  - q: Where is the archive?
    a: See [the archive](/archive/).
  - q: A photo?
    a: Here is one ![a street](media/street.jpg)
---

Body.
"""


def test_faq_answers_get_the_sub_path_and_no_media_placeholders(tmp_path: Path) -> None:
    toml = site_toml(base='title = "T"\nbase_url = "https://example.org/news/"\n')
    write_site(tmp_path, {"content/a.md": FAQ}, site_toml=toml)
    result = build_ok(tmp_path)
    html = (tmp_path / "site" / "a" / "index.html").read_text()
    assert "\x00" not in html
    page = read_page(tmp_path / "site", "a/index.html")
    faq_links = [a.get("href") for a in page.find("section", class_="faq").find_all("a")]
    assert faq_links == ["/news/archive/"]
    warnings = [d.format() for d in result.warnings]
    assert any("faq[1]: image files in FAQ answers are not processed" in w for w in warnings)
