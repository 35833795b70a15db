"""docs/themes.md lists exactly the variables each template receives: the list is read
back from a real build (tools/theme_docs.py) and compared with the file."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

import theme_docs  # noqa: E402


def test_docs_list_every_template_variable(tmp_path: Path) -> None:
    found = theme_docs.collect(tmp_path)
    documented = theme_docs.documented(theme_docs.DOC.read_text(encoding="utf-8"))
    assert sorted(documented) == sorted(theme_docs.TEMPLATES)
    for template, rows in found.items():
        actual = [(name, kind) for name, kind, _ in rows]
        missing = sorted(set(actual) - set(documented[template]))
        stale = sorted(set(documented[template]) - set(actual))
        assert not missing and not stale, (
            f"{template}: docs/themes.md is out of date (run python tools/theme_docs.py "
            f"--write): not documented {missing}, no longer passed {stale}")


def test_a_new_context_variable_is_noticed(tmp_path: Path) -> None:
    """The walk sees what views pass: `page.extra` keys are the author's own, but the
    sample's page.extra mapping and the menus are listed."""
    found = theme_docs.collect(tmp_path)
    names = {name for name, _, _ in found["article.html"]}
    assert {"page.extra", "site.extra", "site.menus.main[].link", "page.related[].title",
            "page.share[].link", "url", "asset"} <= names
    assert not any(name.startswith("page.extra.") for name in names)
