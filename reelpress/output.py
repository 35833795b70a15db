"""Atomic output: stage the whole new site beside `site/`, then swap it in.

A failed or interrupted build never touches `site/`. Files whose bytes did not change
are hard-linked from the previous site into the stage, so their mtimes (and inodes)
stay: deploy tools and browsers see nothing new.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class OutputStats:
    written: tuple[str, ...]     # new or changed files (site-relative)
    unchanged: int
    removed: tuple[str, ...]     # files of the previous site that are gone


def _staging_dir(site_dir: Path) -> Path:
    return site_dir.parent / f".{site_dir.name}.staging-{os.getpid()}"


def recover_interrupted_swap(site_dir: Path) -> None:
    """A crash between the two renames of a swap leaves `site/` missing and the old
    tree parked: put it back. Stale stages of dead builds are removed."""
    parent = site_dir.parent
    if not parent.is_dir():
        return
    for leftover in parent.glob(f".{site_dir.name}.old-*"):
        if not site_dir.exists():
            leftover.rename(site_dir)
        else:
            shutil.rmtree(leftover, ignore_errors=True)
    for stage in parent.glob(f".{site_dir.name}.staging-*"):
        pid = stage.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stage, ignore_errors=True)


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


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
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
    """Put `data` at `rel` in the stage; True when it differs from the current site's
    file (written), False when the old file was linked in unchanged."""
    target = stage / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    old = site_dir / rel
    if _same_bytes(old, data):
        _link_or_copy(old, target)
        return False
    target.write_bytes(data)
    return True


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class SiteWriter:
    """Collects a build's outputs into a stage, then `commit()` swaps it in."""

    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        recover_interrupted_swap(site_dir)
        self.stage = _staging_dir(site_dir)
        if self.stage.exists():
            shutil.rmtree(self.stage)
        self.stage.mkdir(parents=True)
        self._written: list[str] = []
        self._unchanged = 0
        self._paths: set[str] = set()
        self._made_dirs: set[Path] = {self.stage}

    def _target(self, rel: str) -> Path:
        target = self.stage / rel
        parent = target.parent
        if parent not in self._made_dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(parent)
        self._paths.add(rel)
        return target

    def write_bytes(self, rel: str, data: bytes) -> None:
        target = self._target(rel)
        old = self.site_dir / rel
        if _same_bytes(old, data):
            _link_or_copy(old, target)
            self._unchanged += 1
            return
        target.write_bytes(data)
        self._written.append(rel)

    def record(self, rel: str, changed: bool) -> None:
        """Account for a file a worker process staged with `stage_bytes`."""
        self._paths.add(rel)
        if changed:
            self._written.append(rel)
        else:
            self._unchanged += 1

    def write_text(self, rel: str, text: str) -> None:
        self.write_bytes(rel, text.encode("utf-8"))

    def keep_previous(self, rel: str) -> bool:
        """Reuse the previous build's file as it is (incremental builds); False if gone."""
        old = self.site_dir / rel
        if not old.is_file():
            return False
        _link_or_copy(old, self._target(rel))
        self._unchanged += 1
        return True

    def add_file(self, rel: str, source: Path) -> None:
        """Publish a file made elsewhere (media cache, theme static) without copying bytes."""
        target = self._target(rel)
        old = self.site_dir / rel
        if _same_file(old, source):
            _link_or_copy(old, target)
            self._unchanged += 1
            return
        _link_or_copy(source, target)
        self._written.append(rel)

    @property
    def html_count(self) -> int:
        return sum(1 for rel in self._paths if rel.endswith(".html"))

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)

    def commit(self) -> OutputStats:
        """Swap the stage in; the old tree is parked, then deleted."""
        removed: tuple[str, ...] = ()
        if self.site_dir.exists():
            removed = tuple(sorted(
                p.relative_to(self.site_dir).as_posix() for p in self.site_dir.rglob("*")
                if p.is_file() and p.relative_to(self.site_dir).as_posix() not in self._paths
            ))
            parked = self.site_dir.parent / f".{self.site_dir.name}.old-{os.getpid()}"
            self.site_dir.rename(parked)
            self.stage.rename(self.site_dir)
            shutil.rmtree(parked, ignore_errors=True)
        else:
            self.site_dir.parent.mkdir(parents=True, exist_ok=True)
            self.stage.rename(self.site_dir)
        return OutputStats(tuple(sorted(self._written)), self._unchanged, removed)
