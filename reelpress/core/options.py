"""What a build is asked to do and what it reports: light records that the command
line, the preview server and the fast no-op check use without importing the engine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reelpress.core.diagnostics import Diagnostic


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

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    def summary(self) -> str:
        if not self.ok:
            return (f"build failed: {len(self.errors)} error(s), {len(self.warnings)} warning(s); "
                    f"site/ left as it was ({self.seconds:.2f} s)")
        return (f"built {self.pages_written + self.pages_unchanged} pages "
                f"({self.pages_written} written, {self.pages_unchanged} unchanged), "
                f"media {self.media_processed} processed / {self.media_cached} cached, "
                f"{len(self.warnings)} warning(s) in {self.seconds:.2f} s")
