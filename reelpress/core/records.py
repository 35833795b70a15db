"""Records held by the thousand (one page, one article each): slotted, and pickled by
their field values.

A frozen dataclass without slots carries a dict per instance, a third of a page
record's memory at 5,000 articles. With slots, the pickle protocol falls back to
`dataclasses`' Python `__getstate__`/`__setstate__`, which made a cold build's records
twice as slow to pickle and to load (they cross between processes and into the index).
`pickled_by_fields` gives such a class a `__reduce__` that hands the field values, read
by one C `attrgetter`, back to the class: as fast as the dict-based pickle, and smaller.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar

Record = TypeVar("Record", bound=type)


def pickled_by_fields(cls: Record) -> Record:
    """Decorate a `@dataclass(frozen=True, slots=True)` whose fields are all `__init__`
    arguments: pickled as `cls(*values)`."""
    fields = dataclasses.fields(cls)
    assert fields and all(f.init for f in fields), f"{cls.__name__}: every field in __init__"
    names = [f.name for f in fields]
    values: Callable[[Any], Any] = operator.attrgetter(*names)
    if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
        def reduce(self: Any) -> tuple[type, tuple[Any, ...]]:
            return cls, (values(self),)
    else:
        def reduce(self: Any) -> tuple[type, tuple[Any, ...]]:
            return cls, values(self)
    cls.__reduce__ = reduce  # type: ignore[assignment]
    return cls
