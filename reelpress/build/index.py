"""The one store of the incremental build: `.reelpress-cache/index.sqlite`.

Tables: `files` (content hash of each input file, re-hashed only when its stat changes),
`nodes` (records computed from inputs, by the digest of those inputs), `outputs` (per
site folder, each output file's key and the stat of the file that key produced),
`builds` and `tracked` (per site folder, what the no-op check needs: the record of the
last good build, and the stat of every file and folder it read), and for the delta path
(`build/delta.py`), per site folder: `stories` (each published article's URL, outline
digest and record key), `story_paths` (every story's URL, in one record), `story_links`
(the related stories and translations chosen for every story, in one record),
`story_records` (the article itself,
complete, for each article an output reads beside others: a feed; apart, so that
reading an outline reads no article), `specs` (each output but an article's page that
reads whole articles, as a spec naming them) and `reads` (which of these outputs read
which article).

Every build's writes are one transaction in WAL mode: a `kill -9` leaves the old index
or the new one, and a build and a preview server can share it. Nodes alone may be
written before it, in transactions of their own (`add_nodes`): each is a pure cache
under the digest of its inputs and claims nothing of site/. An index that does not
open, or was written by another format, is discarded with a note, never trusted.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

INDEX_FILE = "index.sqlite"
FORMAT = "reelpress-index-8"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL,
                                 size INTEGER NOT NULL, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes(key TEXT PRIMARY KEY, kind TEXT NOT NULL, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS outputs(site TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL,
                                   size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                                   parts TEXT NOT NULL, inputs TEXT NOT NULL,
                                   PRIMARY KEY(site, path));
CREATE TABLE IF NOT EXISTS builds(site TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tracked(site TEXT NOT NULL, path TEXT NOT NULL,
                                   mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL,
                                   PRIMARY KEY(site, path));
CREATE TABLE IF NOT EXISTS stories(site TEXT NOT NULL, rel TEXT NOT NULL, url_path TEXT NOT NULL,
                                   outline TEXT NOT NULL, key TEXT NOT NULL,
                                   PRIMARY KEY(site, rel));
CREATE TABLE IF NOT EXISTS story_paths(site TEXT PRIMARY KEY, paths BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS story_links(site TEXT PRIMARY KEY, linked BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS story_records(site TEXT NOT NULL, rel TEXT NOT NULL,
                                         article BLOB NOT NULL, PRIMARY KEY(site, rel));
CREATE TABLE IF NOT EXISTS specs(site TEXT NOT NULL, path TEXT NOT NULL, spec BLOB NOT NULL,
                                 PRIMARY KEY(site, path));
CREATE TABLE IF NOT EXISTS reads(site TEXT NOT NULL, rel TEXT NOT NULL, path TEXT NOT NULL,
                                 PRIMARY KEY(site, rel, path));
CREATE INDEX IF NOT EXISTS reads_by_path ON reads(site, path);
CREATE INDEX IF NOT EXISTS output_stats ON outputs(site, path, size, mtime_ns);
"""

FileRow = tuple[int, int, str]           # mtime_ns, size, sha256
TrackedRow = tuple[str, int, int]        # path, mtime_ns, size
# key, size, mtime_ns, view parts (JSON, for --explain), digest of the view's inputs
OutputRow = tuple[str, int, int, str, str]


@dataclass(frozen=True)
class IndexChanges:
    """What one build adds to the index, written in one transaction."""

    files: dict[str, FileRow]
    nodes: dict[str, tuple[str, bytes]]   # key -> (kind, value)
    outputs: dict[str, OutputRow]         # this site folder's outputs (see `complete`)
    record: dict[str, object]             # the no-op record (JSON)
    live_nodes: frozenset[str] | None     # nodes this build used (the rest may go); None:
                                          # a delta build, which knows only what it read
    stories: StoryChanges | None = None
    complete: bool = True                 # `outputs`, `tracked` are complete (the rest go)
    tracked: tuple[TrackedRow, ...] = ()  # the stat of what the build read (or changed)
    untracked: tuple[str, ...] = ()       # (a delta build) tracked paths now gone


# url_path, outline digest, record key, and the article pickled when an output reads it
# beside others (else None: no `story_records` row)
StoryRow = tuple[str, str, str, bytes | None]


@dataclass(frozen=True)
class StoryChanges:
    """The delta path's records: rows written, and (a full build) the complete sets."""

    stories: dict[str, StoryRow]                      # rel -> row, new or changed
    specs: dict[str, tuple[tuple[str, ...], bytes]]   # output -> (rels read, spec), changed
    all_stories: frozenset[str] | None = None         # a full build: every rel (rest go)
    all_specs: frozenset[str] | None = None           # ... and every output path
    paths: dict[str, str] | None = None               # ... and every story's URL path
    all_records: frozenset[str] | None = None         # ... and every rel stored whole
    linked: bytes | None = None                       # ... and the links record, changed


class BuildIndex:
    def __init__(self, connection: sqlite3.Connection):
        self._db = connection

    @classmethod
    def open(cls, cache_dir: Path, *, fresh: bool = False) -> tuple[BuildIndex, str | None]:
        """The index of `cache_dir` (created if missing). `fresh`: start empty (--force)."""
        path = cache_dir / INDEX_FILE
        if fresh:
            _discard(path)
        try:
            return cls(_connect(path)), None
        except (sqlite3.DatabaseError, _Foreign) as exc:
            why = "from another version" if isinstance(exc, _Foreign) else "unreadable"
            note = f"build index {why}; rebuilding"
        _discard(path)
        try:
            return cls(_connect(path)), note
        except sqlite3.Error:  # not writable at all: work in memory, say so once
            return cls(_connect(None)), "build index cannot be written; this build keeps none"

    @classmethod
    def peek(cls, cache_dir: Path) -> BuildIndex | None:
        """The index, read-only, or None when it is missing, foreign or damaged (left
        as it is: the build that follows reports and replaces it)."""
        path = cache_dir / INDEX_FILE
        if not path.is_file():
            return None
        try:
            db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        except sqlite3.Error:
            return None
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            if row is None or row[0] != FORMAT:
                db.close()
                return None
        except sqlite3.Error:
            db.close()
            return None
        return cls(db)

    def close(self) -> None:
        self._db.close()

    def files(self) -> dict[str, FileRow]:
        return {row[0]: (row[1], row[2], row[3]) for row in
                self._db.execute("SELECT path, mtime_ns, size, sha256 FROM files")}

    def nodes(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(keys)
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(
                f"SELECT key, value FROM nodes WHERE key IN ({marks})", chunk))  # noqa: S608
        return found

    def outputs(self, site: str) -> dict[str, OutputRow]:
        return {row[0]: (row[1], row[2], row[3], row[4], row[5]) for row in self._db.execute(
            "SELECT path, key, size, mtime_ns, parts, inputs FROM outputs WHERE site = ?",
            (site,))}

    def file_row(self, path: str) -> FileRow | None:
        row = self._db.execute("SELECT mtime_ns, size, sha256 FROM files WHERE path = ?",
                               (path,)).fetchone()
        return (row[0], row[1], row[2]) if row is not None else None

    def output_row(self, site: str, path: str) -> OutputRow | None:
        row = self._db.execute("SELECT key, size, mtime_ns, parts, inputs FROM outputs "
                               "WHERE site = ? AND path = ?", (site, path)).fetchone()
        return (row[0], row[1], row[2], row[3], row[4]) if row is not None else None

    def output_stats(self, site: str) -> list[tuple[str, int, int]]:
        """(path, size, mtime_ns) of every output: all the no-op check needs."""
        return list(self._db.execute(
            "SELECT path, size, mtime_ns FROM outputs WHERE site = ?", (site,)))

    def tracked(self, site: str) -> list[TrackedRow]:
        return list(self._db.execute(
            "SELECT path, mtime_ns, size FROM tracked WHERE site = ?", (site,)))

    def record(self, site: str) -> dict[str, object] | None:
        row = self._db.execute("SELECT record FROM builds WHERE site = ?", (site,)).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def save(self, site: str, changes: IndexChanges, previous: dict[str, OutputRow]) -> None:
        """Write one build's changes atomically; a row as it is stays."""
        db = self._db
        with db:
            db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                           ((path, *row) for path, row in changes.files.items()))
            db.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)",
                           [(key, kind, value) for key, (kind, value) in changes.nodes.items()])
            if changes.complete:
                gone = [(site, path) for path in previous if path not in changes.outputs]
                db.executemany("DELETE FROM outputs WHERE site = ? AND path = ?", gone)
            db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                           ((site, path, *row) for path, row in changes.outputs.items()
                            if previous.get(path) != row))
            db.execute("INSERT OR REPLACE INTO builds VALUES (?, ?)",
                       (site, json.dumps(changes.record)))
            untracked, tracked = changes.untracked, changes.tracked
            if changes.complete:  # read in this transaction: the rows that changed go
                before = {row[0]: row for row in self.tracked(site)}
                now = {row[0] for row in tracked}
                untracked = tuple(path for path in before if path not in now)
                tracked = tuple(row for row in tracked if before.get(row[0]) != row)
            db.executemany("DELETE FROM tracked WHERE site = ? AND path = ?",
                           [(site, path) for path in untracked])
            db.executemany("INSERT OR REPLACE INTO tracked VALUES (?, ?, ?, ?)",
                           ((site, *row) for row in tracked))
            if changes.stories is not None:
                self._save_stories(site, changes.stories)
            if changes.live_nodes is not None:
                self._collect_garbage(changes.live_nodes)

    def add_nodes(self, nodes: dict[str, tuple[str, bytes]]) -> None:
        """Nodes written in a transaction of their own, before the build's (see above)."""
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)",
                                 ((key, kind, value) for key, (kind, value) in nodes.items()))

    def story_keys(self, site: str, rels: Iterable[str] | None = None
                   ) -> dict[str, tuple[str, str, str]]:
        """Each stored story's (url_path, outline, record key), without the records; all
        of them, or those of `rels`."""
        query = "SELECT rel, url_path, outline, key FROM stories WHERE site = ?"
        if rels is None:
            return {row[0]: (row[1], row[2], row[3]) for row in self._db.execute(query, (site,))}
        found: dict[str, tuple[str, str, str]] = {}
        for rel in rels:
            found.update((row[0], (row[1], row[2], row[3])) for row in
                         self._db.execute(query + " AND rel = ?", (site, rel)))
        return found

    def story_links(self, site: str) -> bytes | None:
        """The related stories and translations of every story (one pickled record)."""
        row = self._db.execute("SELECT linked FROM story_links WHERE site = ?",
                               (site,)).fetchone()
        return row[0] if row is not None else None

    def stored_records(self, site: str) -> set[str]:
        """The stories whose article is stored whole."""
        return {rel for (rel,) in self._db.execute(
            "SELECT rel FROM story_records WHERE site = ?", (site,))}

    def story_paths(self, site: str) -> dict[str, str] | None:
        """Every stored story's URL path, by its source path (one record)."""
        row = self._db.execute("SELECT paths FROM story_paths WHERE site = ?",
                               (site,)).fetchone()
        try:
            paths = pickle.loads(row[0]) if row is not None else None  # noqa: S301 - ours
        except Exception:  # noqa: BLE001 - damaged: a miss
            return None
        return paths if isinstance(paths, dict) else None

    def stories(self, site: str, rels: Iterable[str]) -> dict[str, bytes]:
        return self._chunked("SELECT rel, article FROM story_records WHERE site = ? "
                             "AND rel IN ({})", site, rels)

    def specs(self, site: str, paths: Iterable[str] | None = None) -> dict[str, bytes]:
        """Stored specs by output path (all of them when `paths` is None)."""
        if paths is None:
            return dict(self._db.execute("SELECT path, spec FROM specs WHERE site = ?", (site,)))
        return self._chunked("SELECT path, spec FROM specs WHERE site = ? AND path IN ({})",
                             site, paths)

    def readers(self, site: str, rels: Iterable[str]) -> set[str]:
        """The outputs that read any of these articles whole."""
        return set(self._chunked("SELECT path, rel FROM reads WHERE site = ? AND rel IN ({})",
                                 site, rels))

    def _chunked(self, query: str, site: str, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(keys)
        found: dict[str, bytes] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update(self._db.execute(query.format(",".join("?" * len(chunk))),
                                          [site, *chunk]))
        return found

    def _keep_only(self, site: str, keep: frozenset[str] | None, column: str,
                   tables: tuple[str, ...]) -> None:
        """Rows of `tables` whose `column` is not in `keep` go (None: all stay)."""
        if keep is None:
            return
        gone = [(site, key) for (key,) in self._db.execute(
            f"SELECT {column} FROM {tables[0]} WHERE site = ?", (site,))  # noqa: S608
            if key not in keep]
        for table in tables:
            self._db.executemany(
                f"DELETE FROM {table} WHERE site = ? AND {column} = ?", gone)  # noqa: S608

    def _save_stories(self, site: str, changes: StoryChanges) -> None:
        db = self._db
        self._keep_only(site, changes.all_stories, "rel", ("stories",))
        self._keep_only(site, changes.all_records, "rel", ("story_records",))
        self._keep_only(site, changes.all_specs, "path", ("specs", "reads"))
        if changes.paths is not None:
            db.execute("INSERT OR REPLACE INTO story_paths VALUES (?, ?)",
                       (site, pickle.dumps(changes.paths, protocol=pickle.HIGHEST_PROTOCOL)))
        if changes.linked is not None:
            db.execute("INSERT OR REPLACE INTO story_links VALUES (?, ?)",
                       (site, changes.linked))
        rows = changes.stories.items()
        db.executemany("INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?)",
                       ((site, rel, *row[:3]) for rel, row in rows))
        db.executemany("INSERT OR REPLACE INTO story_records VALUES (?, ?, ?)",
                       ((site, rel, row[3]) for rel, row in rows if row[3] is not None))
        db.executemany("INSERT OR REPLACE INTO specs VALUES (?, ?, ?)",
                       [(site, path, spec) for path, (_, spec) in changes.specs.items()])
        db.executemany("DELETE FROM reads WHERE site = ? AND path = ?",
                       [(site, path) for path in changes.specs])
        db.executemany("INSERT OR IGNORE INTO reads VALUES (?, ?, ?)",
                       [(site, rel, path) for path, (rels, _) in changes.specs.items()
                        for rel in rels])

    def _collect_garbage(self, live: frozenset[str]) -> None:
        """Drop records no build uses any more, once they outnumber the live ones."""
        total = self._db.execute("SELECT COUNT(*) FROM nodes").fetchone()[0]
        if total <= 2 * len(live) + 64:
            return
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS live(key TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM live")
        self._db.executemany("INSERT OR IGNORE INTO live VALUES (?)", [(k,) for k in live])
        self._db.execute("DELETE FROM nodes WHERE key NOT IN (SELECT key FROM live)")


class _Foreign(Exception):
    pass


def _connect(path: Path | None) -> sqlite3.Connection:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path) if path is not None else ":memory:", timeout=30,
                         isolation_level=None if path is None else "DEFERRED")
    try:
        db.execute("PRAGMA busy_timeout = 30000")
        if path is not None:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None:
            with db:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
        elif row[0] != FORMAT:
            raise _Foreign(row[0])
        db.execute("SELECT COUNT(*) FROM outputs").fetchone()  # fails early when corrupt
    except BaseException:
        db.close()
        raise
    return db


def _discard(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            Path(str(path) + suffix).unlink()
