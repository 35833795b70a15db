"""One build at a time; requests wait only while a build moves its files into site/.

The pipeline stages a build beside site/ (pages go on being served meanwhile, even while
a long video encodes) and enters `committing()` around the moves into site/. A request
holds `reading()` only while it resolves a path and opens or reads the file: an open
file survives a rename, so streaming it needs no lock.

`committing()` yields a callable the pipeline calls with the files it moved, still inside
the window: the preview tells open pages then, before the build's post-commit work (the
search index, the build index), and before any request can read a new file, so a page
served after the commit always carries the new build number.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from reelpress.core.diagnostics import error
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.os_errors import os_error_diagnostic


class BuildFunction(Protocol):
    """`reelpress.pipeline.build_site`'s shape: the preview's whole contract with it."""

    def __call__(self, options: BuildOptions, *,
                 commit_lock: AbstractContextManager[object] | None = None) -> BuildResult: ...


CommitListener = Callable[[frozenset[str]], None]


class BuildCoordinator:
    """Runs `build(options)` one at a time and keeps requests off site/ while it commits."""

    def __init__(self, build: BuildFunction, options: BuildOptions) -> None:
        self._build = build
        self._options = options
        self._one_build = threading.Lock()
        self._condition = threading.Condition()
        self._committing = False
        self._readers = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold off commits while a request resolves and opens a file; wait for one running."""
        with self._condition:
            self._condition.wait_for(lambda: not self._committing)
            self._readers += 1
        try:
            yield
        finally:
            with self._condition:
                self._readers -= 1
                self._condition.notify_all()

    @contextmanager
    def committing(self, on_commit: CommitListener | None = None
                   ) -> Iterator[Callable[[Iterable[str]], None]]:
        """Around a build's moves into site/: new requests wait, running ones finish first.
        Yields the callable the pipeline reports the moved files to (passed to `on_commit`
        while requests still wait)."""
        with self._condition:
            self._committing = True
            self._condition.wait_for(lambda: self._readers == 0)

        def report(moved: Iterable[str]) -> None:
            if on_commit is not None:
                on_commit(frozenset(moved))

        try:
            yield report
        finally:
            with self._condition:
                self._committing = False
                self._condition.notify_all()

    def rebuild(self, on_commit: CommitListener | None = None) -> BuildResult:
        """Run one build now (a second caller waits its turn); never raises. `on_commit`
        hears the files the build moved into site/ the moment they are there (a build
        whose pipeline does not report them is heard of only by its result)."""
        with self._one_build:
            started = time.perf_counter()
            try:
                return self._build(self._options, commit_lock=self.committing(on_commit))
            except OSError as exc:  # a full disk, a read-only site/: one line, as the CLI says
                problem = os_error_diagnostic(exc, self._options.root)
                return BuildResult(False, (problem,), seconds=time.perf_counter() - started)
            except Exception as exc:  # noqa: BLE001 - a crashing build must not stop the preview
                traceback.print_exc()
                crash = error("", None, f"internal error in the build: {type(exc).__name__}: {exc}",
                              "this is a reelpress bug; the traceback is in the terminal")
                return BuildResult(False, (crash,), seconds=time.perf_counter() - started)
