"""Deploy into a local folder (a `gh-pages` worktree, a mounted web root).

Every path is checked against the folder's real location before it is read,
written or deleted, so neither a record entry nor a symlink inside the folder
can make a deploy touch a file outside it. Files are written to a temporary
name next to the target and renamed over it; temporary files a killed deploy
left behind are removed by the next one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from reelpress.commands.deploy.contract import (
    Applied,
    BackendError,
    DeployPlan,
    Progress,
    State,
    Survey,
)
from reelpress.commands.deploy.record import (
    RECORD_NAME,
    TEMP_MARKER,
    RecordEntry,
    SiteFile,
    file_digest,
)


class FolderBackend:
    method = "copy"

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.label = str(dest)

    @property
    def record_path(self) -> Path:
        return self.dest / RECORD_NAME

    def read_record(self) -> str | None:
        if not self.record_path.is_file():
            return None
        try:
            return self.record_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as failure:
            raise BackendError(f"cannot read the deploy record: {failure}",
                               where=str(self.record_path)) from None

    def _inside(self, rel: str) -> Path:
        """`dest/rel`, refused when its folder resolves outside dest (a symlink)."""
        root = os.path.realpath(self.dest)
        target = self.dest / rel
        folder = os.path.realpath(target.parent)
        if folder != root and not folder.startswith(root.rstrip(os.sep) + os.sep):
            raise BackendError(
                f"{rel}: its folder leads outside {self.dest} (to {folder}, through a symlink)",
                "remove that symlink from the destination, or deploy to the folder it points to",
            )
        return target

    def survey(self, site_dir: Path, files: tuple[SiteFile, ...],
               record: Mapping[str, RecordEntry]) -> Survey:
        states: dict[str, State] = {}
        for item in files:
            states[item.rel] = _state(self._inside(item.rel), item, record.get(item.rel))
        current = {item.rel for item in files}
        present = set()
        for rel in set(record) - current:
            target = self._inside(rel)
            if target.is_symlink() or target.is_file():
                present.add(rel)
        return Survey(states, frozenset(present))

    def apply(self, plan: DeployPlan, files: tuple[SiteFile, ...], site_dir: Path,
              progress: Progress | None) -> Applied:
        self.dest.mkdir(parents=True, exist_ok=True)
        swept = sweep_temp_files(self.dest, [*plan.upload, *plan.unchanged, *plan.delete])
        deleted = []
        for rel in plan.delete:
            target = self._inside(rel)
            target.unlink(missing_ok=True)
            deleted.append(rel)
            _prune_empty_parents(target, self.dest)
        sizes = {item.rel: item.size for item in files}
        uploaded, failed, failure = [], [], ""
        done_bytes = 0
        for number, rel in enumerate(plan.upload, start=1):
            try:
                _atomic_copy(site_dir / rel, self._inside(rel))
                uploaded.append(rel)
            except OSError as problem:
                failed.append(rel)
                failure = failure or f"{rel}: {problem.strerror or problem}"
            done_bytes += sizes.get(rel, 0)
            if progress:
                progress(number, len(plan.upload), done_bytes, plan.upload_bytes)
        return Applied(tuple(uploaded), tuple(deleted), tuple(failed), failure=failure,
                       swept=swept)

    def remove_record(self) -> None:
        self.record_path.unlink(missing_ok=True)


def _state(target: Path, item: SiteFile, deployed: RecordEntry | None) -> State:
    if target.is_symlink():
        return State.DIFFERS  # replaced by a real file (the link itself, never its target)
    if not target.exists():
        return State.ABSENT
    if not target.is_file():
        return State.BLOCKED
    size = target.stat().st_size
    if deployed is not None and (deployed.sha256, deployed.size) == (item.sha256, item.size) \
            and size == item.size:
        return State.SAME  # the record vouches for it: no need to read the file
    if size == item.size and file_digest(target) == (item.sha256, item.size):
        return State.SAME
    return State.DIFFERS


def sweep_temp_files(dest: Path, rels: list[str]) -> tuple[str, ...]:
    """Remove reelpress temp files (from a killed deploy) in the folders this site uses."""
    folders = {dest} | {(dest / rel).parent for rel in rels}
    removed = []
    for folder in sorted(folders):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            if entry.name.startswith(TEMP_MARKER) and not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path).relative_to(dest).as_posix())
    return tuple(removed)


def _atomic_copy(source: Path, target: Path) -> None:
    """Write next to the target, then rename: readers see the old or the new file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        target.rmdir()  # an empty folder where the file goes; a full one raises
    temp = target.with_name(f"{TEMP_MARKER}{os.getpid()}-{target.name}")
    try:
        shutil.copyfile(source, temp)
        shutil.copymode(source, temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _prune_empty_parents(path: Path, stop: Path) -> None:
    """Remove folders a deletion left empty, up to (not including) `stop`."""
    folder = path.parent
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or not ours to remove)
        folder = folder.parent


def unsafe_folder(site_dir: Path, dest: Path) -> tuple[str, str] | None:
    """Refuse destinations where copying would eat the source or the project."""
    site_real, dest_real = site_dir.resolve(), dest.resolve()
    if dest_real == site_real or site_real in dest_real.parents:
        return f"{dest} is inside the site folder {site_dir}", "choose a folder outside it"
    if dest_real in site_real.parents:
        return f"{dest} contains the site folder {site_dir}", "choose a separate folder"
    if dest.exists() and not dest.is_dir():
        return f"{dest} exists and is not a folder", "give a folder path"
    return None
