"""Build problems as data with a location, collected instead of raised.

A stage that finds a user's mistake records a `Diagnostic` and carries on, so one
build reports every problem at once; only the orchestrator decides to stop.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: where (path relative to the project, 1-based line) and what to do."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    column: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        """`content/x.md:6: date: expected ... (hint)`; warnings say so."""
        where = self.path or "reelpress"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        label = "" if self.is_error else "warning: "
        text = f"{where}: {label}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "message": self.message,
            "hint": self.hint,
            "severity": self.severity.value,
            "text": self.format(),
        }


def error(path: str | Path, line: int | None, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(str(path), line, message, hint, Severity.ERROR)


def warning(path: str | Path, line: int | None, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(str(path), line, message, hint, Severity.WARNING)


@dataclass
class Reporter:
    """Collects diagnostics from every stage (thread-safe), de-duplicated, in arrival order."""

    _items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, diagnostic: Diagnostic) -> None:
        with self._lock:
            if diagnostic not in self._seen:
                self._seen.add(diagnostic)
                self._items.append(diagnostic)

    def extend(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    @property
    def items(self) -> tuple[Diagnostic, ...]:
        with self._lock:
            return tuple(self._items)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.items if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.items if not d.is_error)

    def has_errors(self) -> bool:
        return bool(self.errors)
