"""The one deploy contract every destination follows, as data and pure functions.

Copy only what changed; delete only what an earlier deploy of this site put there
(the record) and what is gone from the site; never touch anything else. Each
destination (folder, SSH, object storage) only answers "what is there" (a
`Survey`) and carries out a `DeployPlan`; the decisions are made here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from reelpress.commands.check import CheckReport
from reelpress.commands.deploy.record import RecordEntry, SiteFile
from reelpress.core.diagnostics import Diagnostic, error

# (files done, files in all, bytes done, bytes in all): called after each upload
Progress = Callable[[int, int, int, int], None]


class State(StrEnum):
    SAME = "same"  # the destination holds these exact bytes
    DIFFERS = "differs"  # another content under that name
    ABSENT = "absent"
    BLOCKED = "blocked"  # something that is not a file (a folder) stands there


@dataclass(frozen=True)
class Survey:
    """What the destination holds for each site file, and which stale record entries exist."""

    states: Mapping[str, State]
    present: frozenset[str] | None = None  # stale entries that exist; None: not known, all
    etags: Mapping[str, str] = field(default_factory=dict)  # object storage: ETag of SAME files


@dataclass(frozen=True)
class DeployPlan:
    upload: tuple[str, ...]
    unchanged: tuple[str, ...]
    delete: tuple[str, ...]
    conflicts: tuple[str, ...]  # files this site did not deploy that `upload` would replace
    upload_bytes: int = 0


@dataclass(frozen=True)
class Applied:
    """What a destination did with a plan: every upload it finished, every deletion."""

    uploaded: tuple[str, ...]
    deleted: tuple[str, ...]
    failed: tuple[str, ...] = ()
    etags: Mapping[str, str] = field(default_factory=dict)
    failure: str = ""  # the first failure's message
    swept: tuple[str, ...] = ()  # temporary files a killed deploy had left, now removed


class BackendError(Exception):
    """A destination refused or could not be reached; `hint` says what to do."""

    def __init__(self, message: str, hint: str = "", where: str = "",
                 line: int | None = None) -> None:
        super().__init__(message)
        self.message, self.hint, self.where, self.line = message, hint, where, line


class Backend(Protocol):
    method: str
    label: str

    def read_record(self) -> str | None: ...  # one an older reelpress left at DEST


    def survey(self, site_dir: Path, files: tuple[SiteFile, ...],
               record: Mapping[str, RecordEntry]) -> Survey: ...

    def apply(self, plan: DeployPlan, files: tuple[SiteFile, ...], site_dir: Path,
              progress: Progress | None) -> Applied: ...

    def remove_record(self) -> None: ...  # ...removed once the project holds it


def make_plan(files: tuple[SiteFile, ...], record: Mapping[str, RecordEntry],
              survey: Survey) -> DeployPlan:
    """Each file's fate from what is there and what the record says this site owns."""
    upload, unchanged, conflicts = [], [], []
    size = 0
    for item in files:
        state = survey.states.get(item.rel, State.ABSENT)
        if state is State.SAME:
            unchanged.append(item.rel)
            continue
        upload.append(item.rel)
        size += item.size
        if state is State.BLOCKED or (state is State.DIFFERS and item.rel not in record):
            conflicts.append(item.rel)
    current = {item.rel for item in files}
    stale = sorted(set(record) - current)
    if survey.present is not None:
        stale = [rel for rel in stale if rel in survey.present]
    return DeployPlan(tuple(upload), tuple(unchanged), tuple(stale), tuple(conflicts), size)


def next_record(files: tuple[SiteFile, ...], previous: Mapping[str, RecordEntry],
                applied: Applied, survey: Survey, plan: DeployPlan) -> dict[str, RecordEntry]:
    """The record after a deploy: a failed upload keeps its old entry (retried next time),
    a stale entry whose deletion did not happen stays listed (deleted next time)."""
    entries: dict[str, RecordEntry] = {}
    failed = set(applied.failed)
    for item in files:
        if item.rel in failed:
            if item.rel in previous:
                entries[item.rel] = previous[item.rel]
            continue
        etag = applied.etags.get(item.rel) or survey.etags.get(item.rel, "")
        entries[item.rel] = RecordEntry(item.sha256, item.size, etag)
    gone = set(applied.deleted)
    for rel in plan.delete:
        if rel not in gone and rel in previous:
            entries[rel] = previous[rel]
    return entries


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did (or, with `dry_run`, would do); `error` is set when it failed."""

    destination: str
    method: str  # "copy", "rsync", "s3" or "" when nothing ran
    copied_paths: tuple[str, ...] = ()
    unchanged: int = 0
    deleted_paths: tuple[str, ...] = ()
    dry_run: bool = False
    check_report: CheckReport | None = None
    error: str = ""
    hint: str = ""
    where: str = ""  # the file the error is about (the record), with its line
    line: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def copied(self) -> int:
        return len(self.copied_paths)

    @property
    def deleted(self) -> int:
        return len(self.deleted_paths)

    def summary(self) -> str:
        """One line for the terminal."""
        if self.error:
            hint = f" ({self.hint})" if self.hint else ""
            where = f"{self.where}:{self.line}: " if self.where and self.line else (
                f"{self.where}: " if self.where else "")
            return f"deploy to {self.destination} failed: {where}{self.error}{hint}"
        verb = "would deploy" if self.dry_run else "deployed"
        text = (f"{verb} to {self.destination}: {self.copied} copied, "
                f"{self.unchanged} unchanged, {self.deleted} deleted")
        if self.check_report is not None and not self.check_report.ok:
            text += f" (past {len(self.check_report.broken)} broken reference(s))"
        return text

    def plan_lines(self) -> list[str]:
        """The plan, one file a line, as --dry-run prints it."""
        return ([f"upload {rel}" for rel in self.copied_paths]
                + [f"delete {rel}" for rel in self.deleted_paths])

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Broken links found by the pre-deploy check, then the failure itself."""
        found = list(self.check_report.diagnostics()) if self.check_report else []
        if self.error:
            found.append(error(self.where, self.line,
                               f"deploy to {self.destination}: {self.error}", self.hint))
        return tuple(found)


class DeployError(Exception):
    """`deploy` did not publish; `result` holds the reason, hint and any broken links."""

    def __init__(self, result: DeployResult) -> None:
        self.result = result
        lines = [result.summary()]
        if result.check_report is not None:
            label = result.check_report.site_label
            lines += ["  " + problem.format(label) for problem in result.check_report.broken]
        super().__init__("\n".join(lines))


def shown(paths: tuple[str, ...], limit: int = 5) -> str:
    return ", ".join(paths[:limit]) + (" ..." if len(paths) > limit else "")
