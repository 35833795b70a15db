"""Atomic output: everything a build writes goes to a staging directory first.

Only new or changed files are staged (unchanged ones are compared, not rewritten, so
their mtimes and inodes stay: deploy tools and browsers see nothing new). Nothing in
`site/` is touched until `commit()`: a failed or interrupted build leaves it exactly as
it was. The first build renames the whole stage into place; later ones move the staged
files in and delete the outputs that are gone. Every collision (two outputs of one name,
a file where another output needs a folder) is found before the first file moves.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reelpress.core.atomic import atomic_path, write_whole
from reelpress.core.faults import disk_full_fault
from reelpress.core.tree import files_below


class OutputConflict(Exception):
    """Two outputs need the same name as a file and as a folder."""

    def __init__(self, paths: list[str]):
        super().__init__(", ".join(paths))
        self.paths = paths


@dataclass(frozen=True)
class OutputStats:
    written: tuple[str, ...]     # new or changed files (site-relative)
    unchanged: int
    removed: tuple[str, ...]     # files of the previous site that are gone


def _stage_name(site_dir: Path) -> str:
    return f".{site_dir.name}.staging-"


def _own_mount_point(site_dir: Path) -> bool:
    try:
        return site_dir.stat().st_dev != site_dir.parent.stat().st_dev
    except OSError:
        return False


def _staging_dir(site_dir: Path) -> Path:
    """Beside site/, or inside it when site/ is its own mount point (a bind-mounted web
    root): on site/'s file system either way, so the commit is renames, never copies
    that a full disk could stop half-way."""
    home = site_dir if _own_mount_point(site_dir) else site_dir.parent
    return home / f"{_stage_name(site_dir)}{os.getpid()}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_dead_stages(site_dir: Path) -> None:
    """Staging folders of builds that died (killed, power loss) are dropped. A commit cut
    short needs no journal: the index still holds the previous build's keys and stats,
    so the next build finds every file that moved (its stat changed) and makes it again."""
    prefix = _stage_name(site_dir)
    # inside site/ only when it is its own mount point (`_staging_dir`): its thousands of
    # entries are not listed otherwise
    for home in (site_dir.parent, site_dir) if _own_mount_point(site_dir) else (site_dir.parent,):
        try:
            with os.scandir(home) as entries:  # site/ holds thousands: no glob
                stages = [entry.path for entry in entries if entry.name.startswith(prefix)]
        except OSError:
            continue
        for stage in stages:
            pid = stage.rsplit("-", 1)[-1]
            if pid.isdigit() and _alive(int(pid)):
                continue
            shutil.rmtree(stage, ignore_errors=True)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _same_file(old: Path, source: Path) -> bool:
    try:
        a, b = old.stat(), source.stat()
    except OSError:
        return False
    if (a.st_ino, a.st_dev) == (b.st_ino, b.st_dev):
        return True
    if a.st_size != b.st_size:
        return False
    with old.open("rb") as left, source.open("rb") as right:
        while True:
            chunk_left, chunk_right = left.read(1 << 20), right.read(1 << 20)
            if chunk_left != chunk_right:
                return False
            if not chunk_left:
                return True


def stage_bytes(stage: Path, site_dir: Path, rel: str, data: bytes) -> bool:
    """Stage `data` for `rel` unless the current site already has these bytes.
    True: staged (new or changed); False: unchanged. Safe to call from workers."""
    if _same_bytes(os.path.join(site_dir, rel), data):
        return False
    target = os.path.join(stage, rel)
    try:  # its folder is usually made already (`make_folders`): no mkdir to try first
        write_whole(target, data)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        write_whole(target, data)
    disk_full_fault(Path(target))
    return True


def make_folders(stage: Path, rels: Iterable[str], made: set[str] | None = None) -> None:
    """Make the folders of `rels` in the stage, each once (`made`: those made already),
    from one process, before the render workers stage files into them: two processes
    making thousands of folders in one parent contend for its lock (twice the kernel time
    of one doing it alone)."""
    made = set() if made is None else made
    home = str(stage)
    for rel in rels:
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            path = os.path.join(home, folder)
            try:  # one call for the usual folder, whose parent is made (or the stage)
                os.mkdir(path)
            except FileNotFoundError:
                os.makedirs(path, exist_ok=True)
            except FileExistsError:
                pass
            made.add(folder)


def _move(source: Path, target: Path) -> None:
    """Rename into place; across file systems (site/ as its own mount point), copy next
    to the target first so the final step is still an atomic rename."""
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        with atomic_path(target) as temporary:
            shutil.copy2(source, temporary)
        source.unlink()


def path_conflicts(paths: set[str]) -> list[str]:
    """Outputs that would need a file and a folder of the same name
    (`robots.txt` and `robots.txt/index.html`): found before anything moves."""
    folders: set[str] = set()
    for rel in paths:
        parts = rel.split("/")[:-1]
        folders.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return sorted(rel for rel in paths if rel in folders)


def blocking_removals(site_dir: Path, moves: list[str], removals: set[str]) -> list[str]:
    """What of the current site stands where a move needs a folder (a file `static/img`
    before `static/img/a.png`), or a file (a folder `a.html/` before `a.html`): outputs
    of the last build this one drops are removed before the first move; anything else
    is an `OutputConflict`, raised before anything moves."""
    first: set[str] = set()
    conflicts: set[str] = set()
    checked: set[str] = set()
    for rel in moves:
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in checked:
                continue
            checked.add(folder)
            path = site_dir / folder
            if path.is_dir():
                continue
            if os.path.lexists(path):
                (first if folder in removals else conflicts).add(folder)
            break  # nothing below a missing or blocking name exists
        target = site_dir / rel
        if target.is_dir() and not target.is_symlink():
            inside = {f"{rel}/{sub}" for sub, _ in files_below(target)}
            if inside <= removals:
                first.add(rel)
            else:
                conflicts.add(rel)
    if conflicts:
        raise OutputConflict(sorted(conflicts))
    return sorted(first)


def _remove_first(site_dir: Path, blocking: list[str]) -> None:
    for rel in blocking:
        path = site_dir / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _fault_point() -> int | None:
    """Fault injection for the crash tests: REELPRESS_FAULT_KILL_AT_MOVE=N kills this
    process with SIGKILL before the Nth file of a commit moves."""
    value = os.environ.get("REELPRESS_FAULT_KILL_AT_MOVE", "")
    return int(value) if value.isdigit() else None


def _apply(stage: Path, site_dir: Path, moves: list[str], removals: list[str]) -> None:
    made: set[Path] = set()
    kill_at = _fault_point()
    blocking = blocking_removals(site_dir, moves, set(removals))
    _remove_first(site_dir, blocking)
    gone = tuple(blocking)
    removals = [rel for rel in removals
                if rel not in gone and not rel.startswith(tuple(f"{b}/" for b in gone))]
    for number, rel in enumerate(moves, start=1):
        if number == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        source, target = stage / rel, site_dir / rel
        if not source.exists():  # already moved before an interruption
            continue
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        _move(source, target)
    for rel in removals:
        with contextlib.suppress(FileNotFoundError):
            (site_dir / rel).unlink()
    for rel in removals:  # drop folders the removals emptied
        folder = (site_dir / rel).parent
        while folder != site_dir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def existing_files(site_dir: Path) -> set[str]:
    stage = _stage_name(site_dir)
    return {rel for rel, _ in files_below(site_dir, skip_dir=lambda rel: rel.startswith(stage))}


class SiteWriter:
    """Collects a build's outputs into a stage, then `commit()` puts them in place."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        remove_dead_stages(site_dir)
        self.stage = _staging_dir(site_dir)
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir(parents=True)
        self._written: list[str] = []
        self._unchanged = 0
        self._paths: set[str] = set()
        self.compared = 0  # published files whose bytes had to be compared

    def _target(self, rel: str) -> Path:
        target = self.stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def record(self, rel: str, changed: bool) -> None:
        """Account for a file staged (or found unchanged) by `stage_bytes`."""
        if rel in self._paths:
            raise ValueError(f"two outputs of this build write {rel}")
        self._paths.add(rel)
        if changed:
            self._written.append(rel)
        else:
            self._unchanged += 1

    def write_bytes(self, rel: str, data: bytes) -> None:
        self.record(rel, stage_bytes(self.stage, self.site_dir, rel, data))

    def write_text(self, rel: str, text: str) -> None:
        self.write_bytes(rel, text.encode("utf-8"))

    def add_file(self, rel: str, source: Path) -> None:
        """Publish a file made elsewhere (a theme file, a cached rendition) as a copy:
        site/ never shares an inode with the cache or the theme, so nothing written
        there later (an editor saving in place, a damaged cache) reaches the site."""
        self.compared += 1
        if _same_file(self.site_dir / rel, source):
            self.record(rel, False)
            return
        shutil.copy2(source, self._target(rel))
        self.record(rel, True)

    @property
    def html_count(self) -> int:
        return sum(1 for rel in self._paths if rel.endswith(".html"))

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(self._paths)

    def commit(self, previous_outputs: frozenset[str] | None = None,
               on_moved: object = None) -> OutputStats:
        """Put the staged files in place and delete outputs this build no longer makes:
        those of `previous_outputs` (what the last build wrote) when known, else every
        file of site/ this build did not write. A callable `on_moved` (the value of the
        preview's commit lock) is then told the files written and removed."""
        stats = self._commit(previous_outputs)
        if callable(on_moved):
            on_moved((*stats.written, *stats.removed))
        return stats

    def _commit(self, previous_outputs: frozenset[str] | None) -> OutputStats:
        written = tuple(sorted(self._written))
        conflicts = path_conflicts(self._paths)
        if conflicts:
            raise OutputConflict(conflicts)
        if not self.site_dir.exists():
            self.site_dir.parent.mkdir(parents=True, exist_ok=True)
            self.stage.rename(self.site_dir)
            return OutputStats(written, self._unchanged, ())
        before = existing_files(self.site_dir) if previous_outputs is None else previous_outputs
        removed = tuple(sorted(before - self._paths))
        if written or removed:
            _apply(self.stage, self.site_dir, list(written), list(removed))
        shutil.rmtree(self.stage, ignore_errors=True)
        return OutputStats(written, self._unchanged, removed)
