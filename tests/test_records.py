"""Records held by the thousand are slotted and pickle by their field values
(core/records.py): a record read back from the index of a real build is equal to the one
the build made, and holds no per-instance dict."""

from __future__ import annotations

import contextlib
import dataclasses
import pickle
import sqlite3
from pathlib import Path

import pytest
from sitebuilder import article, build_ok, write_site

from reelpress.build.content_worker import PreparedPage
from reelpress.core.records import pickled_by_fields


def _records(value: object) -> list[object]:
    """Every dataclass instance reachable from `value`."""
    found: list[object] = []
    todo = [value]
    while todo:
        item = todo.pop()
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            found.append(item)
            todo.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, (tuple, list)):
            todo.extend(item)
    return found


def test_page_records_of_a_real_build_round_trip_without_dicts(tmp_path: Path) -> None:
    body = ("Intro with [a link](b.md).\n\n## Part one\n\nText.\n\n"
            "::: faq\n### Why?\nBecause.\n:::\n")
    root = write_site(tmp_path / "site", {
        "content/a.md": article("A", "2025-01-02", body, tags="[x, y]"),
        "content/b.md": article("B", "2025-01-03", "Plain *text*.\n")})
    build_ok(root)
    with contextlib.closing(sqlite3.connect(root / ".reelpress-cache" / "index.sqlite")) as db:
        rows = db.execute("SELECT value FROM nodes WHERE kind = 'page'").fetchall()
    stored = [pickle.loads(value) for (value,) in rows]
    assert len(stored) == 2 and all(isinstance(p, PreparedPage) for p in stored)
    for page in stored:
        records = _records(page)
        assert {type(r).__name__ for r in records} >= {"PreparedPage", "SourcePage", "PageMeta",
                                                      "RenderedBody"}
        for record in records:
            assert not hasattr(record, "__dict__"), type(record).__name__
            assert pickle.loads(pickle.dumps(record)) == record


def test_a_record_of_one_field_pickles_too() -> None:
    @pickled_by_fields
    @dataclasses.dataclass(frozen=True, slots=True)
    class One:
        value: tuple[int, ...]

    globals()["One"] = One  # pickled by reference, as a module-level class is
    One.__qualname__ = "One"
    assert pickle.loads(pickle.dumps(One((1, 2)))) == One((1, 2))


def test_a_field_outside_init_is_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Derived:
        value: int
        twice: int = dataclasses.field(init=False, default=0)

    with pytest.raises(AssertionError, match="every field in __init__"):
        pickled_by_fields(Derived)
