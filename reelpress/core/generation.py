"""A memo whose entries live as long as builds keep using them: what a long-running
process (the preview) keeps between builds, without growing with the site's history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")


class Generation(Generic[Key, Value]):
    """A memo whose entries live as long as builds keep using them."""

    def __init__(self) -> None:
        self._kept: dict[Key, Value] = {}
        self._used: dict[Key, Value] = {}
        self.misses = 0       # in the build under way...
        self.last_misses = 0  # ...and in the last one (what tests and benchmarks read)

    def get(self, key: Key) -> Value | None:
        value = self._used.get(key)
        if value is None:
            value = self._kept.get(key)
            if value is None:
                self.misses += 1
            else:
                self._used[key] = value
        return value

    def put(self, key: Key, value: Value) -> Value:
        self._used[key] = value
        return value

    def get_or_make(self, key: Key, make: Callable[[], Value]) -> Value:
        value = self.get(key)
        return value if value is not None else self.put(key, make())

    def used(self) -> list[Value]:
        """The values the build under way has used so far."""
        return list(self._used.values())

    def end_build(self) -> None:
        self._kept, self._used = self._used, {}
        self.last_misses, self.misses = self.misses, 0

    def __len__(self) -> int:
        return len(self._kept.keys() | self._used.keys())


Source = TypeVar("Source")


def same_objects(a: object, b: object) -> bool:
    """`a` is `b`, or both are tuples (or dicts) of the very same objects (built afresh
    from unchanged records), or equal strings and integers of one type."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) != len(b):
            return False
        for x, y in zip(a, b, strict=True):  # a loop, with strings inline: the fast form
            if x is y:
                continue
            if type(x) is str:
                if type(y) is not str or x != y:
                    return False
            elif not same_objects(x, y):
                return False
        return True
    if isinstance(a, str | int):  # of one type: True is not taken for 1 (floats: -0.0 == 0.0)
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_objects(value, b[key])
                                            for key, value in a.items())
    return False


class Derived(Generic[Key, Source, Value]):
    """Values made from a source record, by key: the very same value object while the
    source is the same object, and the previous value object again when a new source
    gives an equal value, so memos keyed by identity further down keep hitting."""

    def __init__(self) -> None:
        self._memo: Generation[Key, tuple[Source, Value]] = Generation()
        self.made = 0       # in the build under way...
        self.last_made = 0  # ...and in the last one (what tests and benchmarks read)

    def get(self, key: Key, source: Source, make: Callable[[Source], Value]) -> Value:
        entry = self._memo.get(key)
        if entry is not None and (entry[0] is source or same_objects(entry[0], source)):
            return entry[1]
        value = make(source)
        self.made += 1
        if entry is not None and entry[1] == value:
            value = entry[1]
        self._memo.put(key, (source, value))
        return value

    def used(self) -> list[Value]:
        """The values the build under way has used so far."""
        return [value for _, value in self._memo.used()]

    def end_build(self) -> None:
        self._memo.end_build()
        self.last_made, self.made = self.made, 0
