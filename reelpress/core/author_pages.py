"""Each key of `[authors]` gets the page /authors/<slug of the key>/: two keys of one
slug ('Ann' and 'ann') would write one file, and a Windows device name cannot be a
folder. Both are refused at the key's line of site.toml."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.languages import slugify, windows_reserved


def author_page_problems(keys: Iterable[str], line_of: Callable[[str], int | None],
                         where: str) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    owners: dict[str, str] = {}
    for key in keys:
        slug = slugify(key)
        if slug in owners:
            problems.append(error(where, line_of(key), f"authors.{key}: its page "
                                  f"/authors/{slug}/ is also the page of authors.{owners[slug]}",
                                  "rename one of the two keys"))
        elif slug and windows_reserved(slug):
            problems.append(error(where, line_of(key), f"authors.{key}: {slug!r} is a reserved "
                                  "file name on Windows", "rename the key"))
        owners.setdefault(slug, key)
    return problems
