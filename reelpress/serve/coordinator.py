"""One build at a time, and no request served from a directory that is being swapped.

The build writes into a temporary directory and renames it over the site directory. While
a build runs, requests wait (`reading()`), and a build waits for requests that are between
resolving a path and opening the file; streaming an opened file needs no lock, because an
open file survives the rename.
"""

from __future__ import annotations

import inspect
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reelpress.core.diagnostics import BuildFailed, Diagnostic, error


@dataclass(frozen=True)
class BuildOutcome:
    """The part of a pipeline `BuildResult` the server needs, plus how long it took."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    written: frozenset[str] | None  # None: the build did not say, so every page reloads
    summary: str
    seconds: float


def accepts_changed(build: Callable[..., Any]) -> bool:
    """Whether `build` takes a `changed=` keyword (for incremental rebuilds)."""
    try:
        parameters = inspect.signature(build).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "changed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def outcome_of(result: Any, seconds: float) -> BuildOutcome:
    """Normalise a pipeline result (duck-typed: ok, diagnostics, written, summary())."""
    diagnostics = tuple(getattr(result, "diagnostics", ()) or ())
    written_attr = getattr(result, "written", None)
    written = None if written_attr is None else frozenset(str(p) for p in written_attr)
    ok = bool(getattr(result, "ok", not any(d.is_error for d in diagnostics)))
    summary_attr = getattr(result, "summary", None)
    summary = summary_attr() if callable(summary_attr) else str(summary_attr or "")
    return BuildOutcome(ok, diagnostics, written, summary, seconds)


class BuildCoordinator:
    """Runs the build function and keeps requests off the site directory meanwhile.

    `on_outcome` runs while requests are still held back, so a page served after a build
    always carries that build's number in its live-reload tag.
    """

    def __init__(
        self,
        build: Callable[..., Any],
        options: Any,
        on_outcome: Callable[[BuildOutcome], None],
    ) -> None:
        self._build = build
        self._options = options
        self._on_outcome = on_outcome
        self._pass_changed = accepts_changed(build)
        self._condition = threading.Condition()
        self._building = False
        self._readers = 0
        self.builds = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold off builds while a request resolves and opens a file; wait for one running."""
        with self._condition:
            self._condition.wait_for(lambda: not self._building)
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @property
    def building(self) -> bool:
        return self._building

    def rebuild(self, changed: frozenset[Path] = frozenset()) -> BuildOutcome:
        """Run one build now (callers serialise; a second caller waits its turn)."""
        with self._condition:
            self._condition.wait_for(lambda: not self._building)
            self._building = True
            self._condition.wait_for(lambda: self._readers == 0)
        try:
            started = time.perf_counter()
            outcome = self._run(changed, started)
            self.builds += 1
            self._on_outcome(outcome)
            return outcome
        finally:
            with self._condition:
                self._building = False
                self._condition.notify_all()

    def _run(self, changed: frozenset[Path], started: float) -> BuildOutcome:
        try:
            if self._pass_changed:
                result = self._build(self._options, changed=set(changed))
            else:
                result = self._build(self._options)
        except BuildFailed as failure:
            return BuildOutcome(
                False, failure.diagnostics, None, str(failure), time.perf_counter() - started
            )
        except Exception as exc:  # noqa: BLE001 - a crashing build must not stop the preview
            traceback.print_exc()
            crash = error(
                "",
                None,
                f"internal error in the build: {type(exc).__name__}: {exc}",
                "this is a reelpress bug; the traceback is in the terminal",
            )
            return BuildOutcome(
                False, (crash,), None, "build crashed", time.perf_counter() - started
            )
        return outcome_of(result, time.perf_counter() - started)
