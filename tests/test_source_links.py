"""Links between articles written as Markdown file paths resolve to the articles' URLs."""

from __future__ import annotations

from pathlib import Path

from sitebuilder import build, read_page, write_site

from reelpress.commands.check import check_site


def test_md_links_in_body_and_faq_point_at_the_article_urls(tmp_path: Path) -> None:
    write_site(tmp_path, {
        "content/2025/paris.md": (
            "---\ntitle: Paris\ndate: 2025-07-04\nslug: paris-rescue\n"
            "faq:\n  - q: More?\n    a: See [Lyon](../lyon.md#what-happened).\n---\n\n"
            "Read [the Lyon story](../lyon.md) and [missing](nowhere.md).\n"),
        "content/lyon.md": "---\ntitle: Lyon\ndate: 2025-07-01\n---\n\n## What happened\n\nx\n",
    })
    result = build(tmp_path)
    assert result.ok
    page = read_page(tmp_path / "site", "2025/paris-rescue/index.html")
    hrefs = [a.attrs.get("href") for a in page.find_all("a")]
    assert "/lyon/" in hrefs
    assert "/lyon/#what-happened" in hrefs
    messages = [d.format() for d in result.warnings]
    assert any("content/2025/paris.md:" in m and "nowhere.md" in m for m in messages)
    broken = check_site(tmp_path / "site").broken
    assert [b.url for b in broken] == ["nowhere.md"]
