"""The build graph: what the last build knew, what this build learns, and the no-op check.

Inputs are files, hashed by content and re-hashed only when their stat changes. Records
computed from them (a prepared page) are nodes, stored under the digest of their inputs:
a `touch`, or an edit that gives the same bytes, finds the same node and nothing
downstream runs again. Every output's key is the digest of the exact view its template
receives plus the template's fingerprint (see `render/outputs.py`); an output whose key
and file are as the last build left them is kept without rendering.

The no-op check needs nothing else: the last good build recorded the stat of every file
and folder it read and of every file it wrote, and when it stops being valid (a
future-dated article coming due, the year in the footer).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from reelpress import __version__
from reelpress.build.index import (
    BuildIndex,
    FileRow,
    IndexChanges,
    OutputRow,
    StoryChanges,
    TrackedRow,
)
from reelpress.core.diagnostics import Diagnostic, Severity
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.project import ProjectPaths
from reelpress.core.tree import walk
from reelpress.output.writer import remove_dead_stages

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Bytes of new nodes held before they are written (a cold build at 5,000 articles makes
# some 20 MB of page records, which the pipeline writes as soon as they are all made).
NODES_HELD = 4 << 20
SMALL_FILE = 1 << 20  # bytes: hashed from one read; a larger file (a video) in blocks
T = TypeVar("T")
Signature = tuple[int, int]  # mtime_ns, size


def signature(path: str) -> Signature | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def options_digest(options: BuildOptions) -> str:
    """What, besides files, decides a build's output: the options, the tools found on
    PATH, and reelpress's own version."""
    parts = (__version__, options.drafts, options.future, options.base_url, options.strict,
             options.fingerprint_assets, str(options.out_dir or ""),
             os.environ.get("PATH", ""), os.environ.get("REELPRESS_FFMPEG", ""))
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def code_files() -> list[str]:
    """reelpress's own modules and built-in themes: an upgrade or an edit of an editable
    install must not be answered from an old record."""
    found = walk(PACKAGE_DIR, skip_dir=lambda rel: Path(rel).name == "__pycache__")
    return [str(PACKAGE_DIR), *(str(path) for rel, path, _ in found if not rel.endswith(".pyc"))]


def code_stamp() -> str:
    """Nodes are only reused by the code that made them."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(code_files()):
        if path.endswith(".py"):
            digest.update(f"{path}:{signature(path)}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass
class BuildGraph:
    """One build's working state over the index (owned by the pipeline, never shared)."""

    index: BuildIndex
    site_dir: Path
    new_files: dict[str, FileRow] = field(default_factory=dict)
    new_nodes: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # not yet written
    _new_node_bytes: int = 0
    _nodes_unwritable: bool = False  # an early write failed: the rest wait for `save`
    live_nodes: set[str] = field(default_factory=set)
    # outputs found as the last build left them, by their stat: not stat'ed again
    verified: dict[str, Signature] = field(default_factory=dict)
    # the delta path found a stored article damaged: the full build writes them all again
    stories_damaged: bool = False
    # every file's and output's row, read on first use: a delta build reads a few rows
    _files: dict[str, FileRow] | None = None
    _outputs: dict[str, OutputRow] | None = None
    _some_outputs: dict[str, OutputRow | None] = field(default_factory=dict)

    @classmethod
    def open(cls, paths: ProjectPaths, site_dir: Path, *, force: bool
             ) -> tuple[BuildGraph, str | None]:
        index, note = BuildIndex.open(paths.cache_dir, fresh=force)
        return cls(index, site_dir), note

    @property
    def files(self) -> dict[str, FileRow]:
        if self._files is None:
            self._files = {**self.index.files(), **self.new_files}
        return self._files

    @property
    def previous_outputs(self) -> dict[str, OutputRow]:
        """Every output of the last build of this site folder, with its key and stat."""
        if self._outputs is None:
            self._outputs = self.index.outputs(str(self.site_dir))
        return self._outputs

    def read_all(self) -> None:
        """Read every file's and output's row at once: a full build looks up each."""
        _ = self.files, self.previous_outputs

    def _file_row(self, path: str) -> FileRow | None:
        if self._files is not None:
            return self._files.get(path)
        return self.new_files.get(path) or self.index.file_row(path)

    def file_hash(self, path: str, stat: Signature | None = None) -> str:
        """sha256 of the file's bytes; read again only when its stat changed. `stat`:
        (mtime_ns, size) as just taken by the caller (a tree walk)."""
        if stat is None:
            found = os.stat(path)
            stat = (found.st_mtime_ns, found.st_size)
        row = self._file_row(path)
        if row is not None and row[0] == stat[0] and row[1] == stat[1]:
            return row[2]
        with open(path, "rb") as handle:  # one read for a small file (an article), half
            sha = (hashlib.sha256(handle.read()) if stat[1] < SMALL_FILE  # the CPU
                   else hashlib.file_digest(handle, "sha256")).hexdigest()
        self.new_files[path] = (stat[0], stat[1], sha)
        if self._files is not None:
            self._files[path] = self.new_files[path]
        return sha

    def nodes(self, keys: Iterable[str]) -> dict[str, bytes]:
        wanted = list(keys)
        self.live_nodes.update(wanted)
        return self.index.nodes(wanted)

    def keep_nodes(self, keys: Iterable[str]) -> None:
        """Nodes this build uses without reading them (a preview holds them in memory)."""
        self.live_nodes.update(keys)

    def add_node(self, key: str, kind: str, value: bytes) -> None:
        self.live_nodes.add(key)
        self.new_nodes[key] = (kind, value)
        self._new_node_bytes += len(value)
        if self._new_node_bytes >= NODES_HELD:
            self.write_nodes()

    def write_nodes(self) -> None:
        """Write the nodes made so far in a transaction of their own and let go of their
        bytes (the pipeline calls it once the pages are prepared, so their records are
        not held through the render). A node is a cache under the digest of its inputs:
        true whatever the build does next, so it may go before the build's own save. A
        failed write keeps them for that save, which reports it."""
        if not self.new_nodes or self._nodes_unwritable:
            return
        try:
            self.index.add_nodes(self.new_nodes)
        except sqlite3.Error:
            self._nodes_unwritable = True
            return
        self.new_nodes, self._new_node_bytes = {}, 0

    def kept(self, key: str, kind: str, make: Callable[[], T],
             encode: Callable[[T], bytes], decode: Callable[[bytes], T | None]) -> T:
        """A record kept in the index under `key` (the digest of what it is made from), or
        made and kept when missing; a record that does not decode is a miss."""
        stored = self.nodes([key]).get(key)
        if stored is not None:
            try:
                found = decode(stored)
            except Exception:  # noqa: BLE001 - damaged: made again below
                found = None
            if found is not None:
                return found
        made = make()
        self.add_node(key, kind, encode(made))
        return made

    def previous(self, output: str) -> OutputRow | None:
        if self._outputs is not None:
            return self._outputs.get(output)
        if output not in self._some_outputs:
            self._some_outputs[output] = self.index.output_row(str(self.site_dir), output)
        return self._some_outputs[output]

    def save(self, keys: dict[str, tuple[str, str, str]], record: dict[str, object],
             tracked: tuple[TrackedRow, ...], stories: StoryChanges | None = None, *,
             delta: bool = False, untracked: tuple[str, ...] = ()) -> None:
        """After the commit: every output's key (view parts, inputs) with the stat of the
        file it left, the no-op record and the stat of what the build read. `delta`:
        `keys` and `tracked` have only what this build changed (the rest is as it was),
        and it read only some nodes, so none is collected."""
        outputs: dict[str, OutputRow] = {}
        site_dir = str(self.site_dir)
        verified = self.verified
        for output, (key, parts, inputs) in keys.items():
            sig = verified.get(output) or signature(os.path.join(site_dir, output))
            if sig is not None:
                outputs[output] = (key, sig[1], sig[0], parts, inputs)
        previous = {path: self.previous(path) for path in outputs} if delta \
            else self.previous_outputs
        self.index.save(str(self.site_dir), IndexChanges(
            self.new_files, self.new_nodes, outputs, record,
            None if delta else frozenset(self.live_nodes), stories, complete=not delta,
            tracked=tracked, untracked=untracked),
            {path: row for path, row in previous.items() if row is not None})

    def close(self) -> None:
        self.index.close()


def tracked_record(paths: Iterable[str], stated: Iterable[tuple[str, int, int]] = (),
                   seen: Mapping[str, Signature | None] | None = None, home: str = ""
                   ) -> tuple[TrackedRow, ...]:
    """The stat of every file and folder a build read (a folder's mtime changes when an
    entry is added, removed or renamed in it). `stated`: (path, mtime_ns, size) of files
    stat'ed before they were read, and `seen`, the no-op check's stats, taken before the
    build read anything: a change while the build ran shows next time (a stat taken now
    would vouch for bytes the build never read). `home`: the folder the build's own
    staging folder changes, stat'ed now."""
    seen = seen or {}
    rows: dict[str, TrackedRow] = {}
    for path in set(paths):
        sig = seen.get(path) if path != home else None
        if sig is None:
            sig = signature(path)
        if sig is not None:
            rows[path] = (path, *sig)
    rows.update((path, (path, mtime_ns, size)) for path, mtime_ns, size in stated)
    return tuple(rows.values())


def no_op_record(options: BuildOptions, result: BuildResult, valid_until: dt.datetime,
                 sources: str = "") -> dict[str, object]:
    """`sources`: the digest of which Markdown sources there are. (The stat of what the
    build read goes beside it: `tracked_record`.)"""
    return {
        "sources": sources,
        "options": options_digest(options),
        "valid_until": valid_until.isoformat(),
        "pages": result.pages_written + result.pages_unchanged,
        "media": result.media_processed + result.media_cached,
        "warnings": [d.to_dict() for d in result.warnings],
        "skipped": [result.drafts_skipped, result.future_skipped],
    }


@dataclass(frozen=True)
class LastBuild:
    """What changed since the last good build of this site folder, from its record and
    the stat of every file it read and wrote (nothing is read but the index)."""

    record: dict[str, object]
    tracked: list[TrackedRow]         # the stat of what it read, as it recorded them
    outputs: int                      # how many outputs are as the last build left them
    stale_outputs: tuple[str, ...]    # outputs missing or not as the last build left them
    # the tracked files and folders whose stat differs, with their stat now (None: gone)
    now: dict[str, Signature | None] = field(default_factory=dict)

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(self.now)

    def seen(self) -> dict[str, Signature | None]:
        """Each tracked path's stat as the check found it, before the build read it."""
        found: dict[str, Signature | None] = {path: (m, s) for path, m, s in self.tracked}
        found.update(self.now)
        return found

    @property
    def unchanged(self) -> bool:
        return not self.changed and not self.stale_outputs and bool(self.outputs)


def inspect_last_build(options: BuildOptions) -> LastBuild | None:
    """The last build's record and what changed since; None when there is none to trust
    (no index, other options, or its result has gone stale by itself)."""
    if options.force:
        return None
    paths = ProjectPaths.at(options.root)
    site_dir = (options.out_dir or paths.site_dir).resolve()
    remove_dead_stages(site_dir)  # a killed build's stage goes, even when nothing changed
    index = BuildIndex.peek(paths.cache_dir)
    if index is None:
        return None
    try:
        record = index.record(str(site_dir))
        if record is None or record.get("options") != options_digest(options):
            return None
        now = options.now or dt.datetime.now(dt.UTC)
        if now >= dt.datetime.fromisoformat(str(record["valid_until"])):
            return None
        tracked = index.tracked(str(site_dir))
        differing: dict[str, Signature | None] = {}
        for path, mtime_ns, size in tracked:
            if (sig := signature(path)) != (mtime_ns, size):
                differing[path] = sig
        stale = []
        outputs = index.output_stats(str(site_dir))
        folder = f"{site_dir}{os.sep}"
        for output, size, mtime_ns in outputs:  # 6,000 at 5,000 articles: no call more
            try:
                stat = os.stat(folder + output)
            except OSError:
                stale.append(output)
                continue
            if stat.st_mtime_ns != mtime_ns or stat.st_size != size:
                stale.append(output)
    except (KeyError, TypeError, ValueError, sqlite3.Error):
        return None
    finally:
        index.close()
    return LastBuild(record, tracked, len(outputs) - len(stale), tuple(stale), differing)


def up_to_date(options: BuildOptions, last: LastBuild | None = None) -> BuildResult | None:
    """The last build's result when nothing it read or wrote changed; None otherwise.
    Reads the index and stats files: no engine, no walk of any tree."""
    started = time.perf_counter()
    last = last or inspect_last_build(options)
    if last is None or not last.unchanged:
        return None
    record = last.record
    try:
        warnings = tuple(Diagnostic(d["path"], d["line"], d["message"], d["hint"],
                                    Severity.WARNING)
                         for d in record["warnings"])  # type: ignore[attr-defined]
        pages, media = int(record["pages"]), int(record["media"])  # type: ignore[call-overload]
        drafts, future = cast("tuple[int, int]", record["skipped"])
    except (KeyError, TypeError, ValueError):
        return None
    paths = ProjectPaths.at(options.root)
    return BuildResult(ok=True, diagnostics=warnings, pages_unchanged=pages,
                       media_cached=media, site_dir=(options.out_dir or paths.site_dir).resolve(),
                       drafts_skipped=int(drafts), future_skipped=int(future),
                       notes=("nothing changed since the last build",),
                       seconds=time.perf_counter() - started)


def expiry(now: dt.datetime, future_dates: Iterable[dt.datetime]) -> dt.datetime:
    """When a build's output goes stale by itself: the next due article, or new year."""
    new_year = dt.datetime(now.year + 1, 1, 1, tzinfo=dt.UTC)
    return min([new_year, *[d for d in future_dates if d > now]])
