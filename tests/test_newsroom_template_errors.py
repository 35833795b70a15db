"""A Python error raised inside a template override (a filter's TypeError, a KeyError
from `page.extra.pop('missing')`, a division by zero) is a one-line
`template-file:line: message` error naming the article, exit 1, the last site intact."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuilder import (
    SITE_TOML,
    article,
    assert_no_traceback,
    problem_lines,
    run_cli,
    snapshot,
    write_site,
)

OVERRIDES = {
    "type-error": '{{ (page.extra.count) | join(",") }}',
    "key-error": "{% set gone = page.extra.pop('missing') %}",
    "zero-division": "{{ page.extra.count // 0 }}",
}
MESSAGES = {
    "type-error": "TypeError: 'int' object is not iterable",
    "key-error": "KeyError: 'missing'",
    "zero-division": "ZeroDivisionError: integer division or modulo by zero",
}


@pytest.mark.parametrize("kind", sorted(OVERRIDES))
def test_python_error_in_a_template_is_one_line_naming_the_article(tmp_path: Path,
                                                                   kind: str) -> None:
    root = write_site(tmp_path, {
        "content/story.md": article("Story", "2025-07-01", extra="{count: 3}"),
    }, site_toml=SITE_TOML)
    first = run_cli(root, "build")
    assert first.returncode == 0, first.stderr
    before = snapshot(root / "site")
    override = root / "templates/article.html"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text("<!doctype html>\n<title>{{ page.title }}</title>\n"
                        + OVERRIDES[kind] + "\n")
    failed = run_cli(root, "build")
    assert failed.returncode == 1
    assert_no_traceback(failed)
    assert problem_lines(failed.stderr) == [
        f"templates/article.html:3: {MESSAGES[kind]} (rendering content/story.md)"]
    assert snapshot(root / "site") == before  # the previous site, byte for byte
