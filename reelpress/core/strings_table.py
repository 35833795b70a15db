"""`[strings]` of site.toml: the site's own wording of theme strings, checked once.

`"msgid" = "text"` is for the site's language, `[strings.fr]` for another one; a list
gives one text per plural form. A translation may only use the placeholders of its
msgid (`%(name)s`): another one would fail when the page is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.languages import is_language

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def strings_table(value: Any, site_language: str, line_of: Callable[[str, str | None], int | None],
                  where: str, problems: list[Diagnostic]
                  ) -> dict[str, dict[str, str | tuple[str, ...]]]:
    """`[strings]` ("msgid" = "text", for the site's language) and `[strings.fr]` tables
    (another language); a list gives one text per plural form."""
    found: dict[str, dict[str, str | tuple[str, ...]]] = {}
    if not isinstance(value, dict):
        return found

    def add(language: str, table: str, msgid: str, msgstr: Any) -> None:
        line = line_of(f'"{msgid}"', table) or line_of(msgid, table)
        forms = tuple(msgstr) if isinstance(msgstr, list) else msgstr
        if not (isinstance(forms, str) or (forms and all(isinstance(f, str) for f in forms))):
            problems.append(error(where, line, f"[{table}] {msgid!r}: expected a text "
                                  "or a list of texts (one per plural form)"))
            return
        allowed = set(_PLACEHOLDER.findall(msgid))
        for form in (forms,) if isinstance(forms, str) else forms:
            unknown = sorted(set(_PLACEHOLDER.findall(form)) - allowed)
            if unknown and not (isinstance(forms, tuple) and unknown == ["num"]):
                problems.append(error(where, line, f"[{table}] {msgid!r}: unknown placeholder "
                                      f"%({unknown[0]})s", "use only the placeholders of the "
                                      "original text"))
                return
        found.setdefault(language, {})[msgid] = forms

    for key, entry in value.items():
        if isinstance(entry, dict):
            if not is_language(key):
                problems.append(error(where, line_of(f"strings.{key}", None),
                                      f"[strings.{key}]: unknown language {key!r}"))
                continue
            for msgid, msgstr in entry.items():
                add(key, f"strings.{key}", msgid, msgstr)
        else:
            add(site_language, "strings", key, entry)
    return found
