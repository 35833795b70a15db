"""Control characters in published text: a NUL or a U+0001 in a page, a feed or a
JSON-LD string is never meant (it is a leaked internal marker, or an escape in the
source) and breaks XML readers and search engines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

# What the build writes from the authors' text. Scripts are left out: a minified library
# (the search index's) may hold control characters on purpose.
TEXT_SUFFIXES = (".html", ".htm", ".css", ".xml", ".json", ".txt", ".vtt", ".svg",
                 ".webmanifest")
# C0 controls but tab, newline and carriage return; DEL; C1 controls as UTF-8
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")
_TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def raw_control_character(data: bytes) -> tuple[int, str] | None:
    """(line, 'U+0000') of the first control character in a file's bytes, or None."""
    found = _RAW_CONTROL.search(data)
    if found is None:
        return None
    character = found.group().decode("utf-8", "replace")
    return data.count(b"\n", 0, found.start()) + 1, f"U+{ord(character):04X}"


def json_control_character(value: object) -> str | None:
    """'U+0000' when a string of a JSON document holds a control character (written
    escaped as \\u0000, so the raw bytes look clean)."""
    for text in _strings(value):
        found = _TEXT_CONTROL.search(text)
        if found:
            return f"U+{ord(found.group()):04X}"
    return None


def _strings(value: object) -> Iterator[str]:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def file_control_character(path: Path) -> tuple[int, str] | None:
    """The first control character of a published text file (JSON files: in any string)."""
    data = path.read_bytes()
    found = raw_control_character(data)
    if found is None and path.suffix.lower() == ".json":
        try:
            document = json.loads(data)
        except ValueError:
            return None  # not ours to judge here
        character = json_control_character(document)
        if character:
            return 1, character
    return found
