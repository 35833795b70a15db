"""What a build is asked to do and what it reports: light records that the command
line, the preview server and the fast no-op check use without importing the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reelpress.core.diagnostics import Diagnostic
from reelpress.core.stage_times import StageTimes
from reelpress.core.summary import summary_line


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    force: bool = False
    strict: bool = False
    quiet: bool = False
    verbose: bool = False
    fingerprint_assets: bool = True
    jobs: int | None = None
    scheduler: str | None = None  # --scheduler: run media jobs on this Dask scheduler
    now: dt.datetime | None = None  # "today" for future-dated articles (tests pin it)


@dataclass(frozen=True)
class BuildResult:
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    pages_written: int = 0
    pages_unchanged: int = 0
    pages_rendered: int = 0
    media_processed: int = 0
    media_cached: int = 0
    seconds: float = 0.0
    site_dir: Path | None = None
    notes: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    drafts_skipped: int = 0  # draft: true, built only with --drafts
    future_skipped: int = 0  # dated later than now, built only with --future
    explanations: tuple[str, ...] = ()  # per output rendered again: which part changed
    pages_parsed: int = 0      # Markdown files read and rendered (not found in the index)
    files_compared: int = 0    # published files compared byte by byte (stat did not vouch)
    views_built: int = 0       # outputs whose inputs changed, so their view was built
    outputs_decided: int = 0   # outputs whose keys were computed (a delta build: only those
                               # that read an edited page; the rest are the last build's)
    stage_cpu: StageTimes = StageTimes()  # CPU seconds per stage, whole process tree

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    def summary(self) -> str:
        """The one-line report (reelpress/core/summary.py)."""
        return summary_line(self)
