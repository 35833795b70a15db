"""What each media cache file was when it was made: size, digest and stat, in one small
SQLite table per cache folder, beside it (`.reelpress-cache/media.ledger.sqlite` for
`media/`), so the folder holds outputs only.

A name in the cache says what the file should hold, not that it still does: a disk
error, an editor or a stray `dd` can change the bytes behind it. So a cache file is
reused only when it is as recorded: same stat (cheap), or, when the stat changed, the
same size and digest (read once, then the new stat is remembered). Anything else (no
record, other bytes) is a miss: the job runs again and replaces the file, and only
files that passed are published.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

LEDGER_SUFFIX = ".ledger.sqlite"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS made(name TEXT PRIMARY KEY, size INTEGER NOT NULL, "
           "mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, "
           "sha256 TEXT NOT NULL)")
# size, mtime_ns, ctime_ns (no write, not even one that puts the mtime back, keeps it),
# inode, sha256
Row = tuple[int, int, int, int, str]
Stat = tuple[int, int, int, int]


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in blocks (media sources and cache files)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _stat(path: Path) -> Stat | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


class CacheLedger:
    """The records of one cache folder, read once; `sound` checks a file against them,
    `record` adds files this build made. Writes are single upserts, so two builds sharing
    a cache (`serve` and a terminal build) do not lose each other's records."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self._rows: dict[str, Row] = {}
        self._refreshed: dict[str, Row] = {}
        with contextlib.suppress(sqlite3.Error, OSError), self._connect(create=False) as db:
            self._rows = {name: (size, mtime, ctime, inode, sha)
                          for name, size, mtime, ctime, inode, sha in db.execute(
                              "SELECT name, size, mtime_ns, ctime_ns, inode, sha256 FROM made")}

    def _connect(self, *, create: bool) -> contextlib.closing[sqlite3.Connection]:
        path = self.cache_dir.with_name(self.cache_dir.name + LEDGER_SUFFIX)
        if not create and not path.is_file():
            raise FileNotFoundError(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30)
        db.execute(_SCHEMA)
        return contextlib.closing(db)

    def _name(self, path: Path) -> str:
        return path.relative_to(self.cache_dir).as_posix()

    def sound(self, path: Path) -> bool:
        """True when the file holds the bytes it was made with (a damaged, unrecorded or
        missing file is a miss)."""
        stat, row = _stat(path), self._rows.get(self._name(path))
        if stat is None or row is None or stat[0] != row[0]:
            return False
        if stat == row[:4]:
            return True
        try:
            same = file_digest(path) == row[4]
        except OSError:
            return False
        if same:  # copied, touched, restored from a CI cache: the bytes are the same
            self._refreshed[self._name(path)] = (*stat, row[4])
        return same

    def record(self, paths: Iterable[Path]) -> None:
        """Remember files just made (their digest is read now), and the new stats of files
        `sound` found unchanged in content."""
        rows = dict(self._refreshed)
        for path in paths:
            stat = _stat(path)
            if stat is not None:
                with contextlib.suppress(OSError):
                    rows[self._name(path)] = (*stat, file_digest(path))
        if not rows:
            return
        with self._connect(create=True) as db, db:
            db.executemany("INSERT OR REPLACE INTO made VALUES (?, ?, ?, ?, ?, ?)",
                           [(name, *row) for name, row in rows.items()])
        self._rows.update(rows)
        self._refreshed.clear()

    def forget_missing(self) -> None:
        """Drop the records of files that are gone (pruned)."""
        gone = [name for name in self._rows if not os.path.lexists(self.cache_dir / name)]
        if not gone:
            return
        with contextlib.suppress(sqlite3.Error, OSError), self._connect(create=False) as db, db:
            db.executemany("DELETE FROM made WHERE name = ?", [(name,) for name in gone])
