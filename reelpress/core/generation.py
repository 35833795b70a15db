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

    def end_build(self) -> None:
        self._kept, self._used = self._used, {}
        self.last_misses, self.misses = self.misses, 0

    def __len__(self) -> int:
        return len(self._kept.keys() | self._used.keys())
