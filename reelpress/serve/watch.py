"""File events from the project's sources, filtered and debounced into one rebuild per burst.

An editor's save is several events (temp file, rename, chmod); a `git checkout` is hundreds.
The `Debouncer` hands the whole set of changed paths to one callback: at once when every
changed path's last event says its writer is done with it (the file was closed after
writing, or renamed into place), else after a quiet period (capped by a maximum wait so a
steady stream of events still rebuilds). A deletion or a rename away waits for the quiet
period: editors that save by moving the old file aside write the new one right after.
Events are hints only: the build stats every file it tracks, so an event that comes late,
or never, cannot leave a stale page (the next build sees the file as it is).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from reelpress.core.project import ProjectPaths

WATCHED_DIRS = ("content", "media", "themes", "templates", "static", "i18n")
WATCHED_FILES = ("site.toml",)
# Ignored at any depth. `site/` and the cache are ignored only at the top (they are not
# source folders): `content/site/` is an ordinary folder of articles.
_IGNORED_DIRS = {".git", "__pycache__", "node_modules"}
_IGNORED_EVENTS = (FileOpenedEvent, FileClosedNoWriteEvent, DirModifiedEvent)


def is_ignored(path: Path, root: Path, out_dir: Path | None = None) -> bool:
    """Whether a changed path is not a source: build output, cache, editor temp/swap files,
    or anything outside the watched folders and files."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        return True
    if out_dir is not None and (path == out_dir or out_dir in path.parents):
        return True
    parts = relative.parts
    if not parts or any(part in _IGNORED_DIRS for part in parts[:-1]):
        return True
    if len(parts) == 1:
        return parts[0] not in WATCHED_FILES and parts[0] not in WATCHED_DIRS
    if parts[0] not in WATCHED_DIRS:
        return True
    return is_editor_temp(parts[-1])


def is_editor_temp(name: str) -> bool:
    """Emacs lock `.#x`, backups `x~`, Vim swap `.x.swp`/`.swx`/`.swo` and its `4913` probe,
    `#x#` autosaves, the `.x.tmp`-style files some editors write before a rename, and
    JetBrains' safe-write `x___jb_tmp___`/`x___jb_old___`."""
    return (
        name.startswith(".#")
        or name.endswith("~")
        or (name.startswith("#") and name.endswith("#"))
        or name in ("4913", ".DS_Store")
        or name.endswith((".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload",
                          "___jb_tmp___", "___jb_old___"))
    )


class Debouncer:
    """Collects paths; calls `on_burst(paths)` as soon as every collected path is complete
    (`add(..., complete=True)` was its last event), else after `quiet` seconds without new
    ones, or `max_wait` seconds after the first; from its own thread (so calls never
    overlap: paths added during a call make the next one)."""

    def __init__(
        self,
        on_burst: Callable[[frozenset[Path]], None],
        *,
        quiet: float = 0.1,
        max_wait: float = 1.0,
    ) -> None:
        self._on_burst = on_burst
        self._quiet = quiet
        self._max_wait = max_wait
        self._pending: set[Path] = set()
        self._incomplete: set[Path] = set()
        self._first_at = 0.0
        self._last_at = 0.0
        self._stopping = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="reelpress-debounce", daemon=True)
        self._thread.start()

    def add(self, paths: Iterable[Path], *, complete: bool = False) -> None:
        """`complete`: the writer is done with these paths (closed after writing, or
        renamed into place); otherwise more events for them may follow."""
        added = set(paths)
        with self._condition:
            now = time.monotonic()
            if not self._pending:
                self._first_at = now
            self._pending |= added
            if complete:
                self._incomplete -= added
            else:
                self._incomplete |= added
            self._last_at = now
            self._condition.notify_all()

    def _loop(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._pending or self._stopping)
                if self._stopping:
                    return
                while not self._stopping and self._incomplete:
                    now = time.monotonic()
                    due = min(self._last_at + self._quiet, self._first_at + self._max_wait)
                    if now >= due:
                        break
                    self._condition.wait(due - now)
                if self._stopping:
                    return
                burst = frozenset(self._pending)
                self._pending.clear()
                self._incomplete.clear()
            self._on_burst(burst)

    def stop(self, timeout: float = 30.0) -> None:
        """Drop pending paths and end the thread (waiting for a running callback)."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)


PathSink = Callable[[list[Path], bool], None]  # (paths, complete)


class _SourceEvents(FileSystemEventHandler):
    def __init__(self, root: Path, out_dir: Path | None, sink: PathSink):
        self._root = root
        self._out_dir = out_dir
        self._sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        if isinstance(event, _IGNORED_EVENTS):
            return
        # A close after writing ends a save; a rename's destination arrives whole. Its
        # source, a deletion, a creation or a modification may be followed by more.
        source = self._kept(event.src_path)
        if source:
            self._sink(source, isinstance(event, FileClosedEvent))
        destination = self._kept(getattr(event, "dest_path", "") or "")
        if destination:
            self._sink(destination, True)

    def _kept(self, path: str | bytes) -> list[Path]:
        if not path:
            return []
        candidate = Path(_text(path))
        return [] if is_ignored(candidate, self._root, self._out_dir) else [candidate]


def _text(path: str | bytes) -> str:
    return path.decode("utf-8", "surrogateescape") if isinstance(path, bytes) else path


class ProjectWatcher:
    """Watches the source folders (recursively) and the project root (for `site.toml` and
    for source folders created later) — never `site/` itself, which every build rewrites."""

    def __init__(
        self,
        root: Path,
        on_paths: PathSink,
        out_dir: Path | None = None,
    ) -> None:
        self._paths = ProjectPaths.at(root)
        self._out_dir = out_dir.resolve() if out_dir is not None else self._paths.site_dir
        self._handler = _SourceEvents(self._paths.root, self._out_dir, self._on_event)
        self._on_paths = on_paths
        self._observer = Observer()
        self._observer.daemon = True
        self._scheduled: dict[str, ObservedWatch] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        root = self._paths.root
        self._observer.schedule(self._handler, str(root), recursive=False)
        self._observer.start()
        for name in WATCHED_DIRS:
            self._schedule_dir(root / name)

    def _schedule_dir(self, folder: Path) -> None:
        """Watch a source folder; a folder deleted and made again gets a fresh watch."""
        with self._lock:
            if not folder.is_dir():
                return
            old = self._scheduled.pop(folder.name, None)
            if old is not None:
                # Its inotify watch may have gone away with the old folder.
                with contextlib.suppress(KeyError, OSError):
                    self._observer.unschedule(old)
            self._scheduled[folder.name] = self._observer.schedule(
                self._handler, str(folder), recursive=True
            )

    def _on_event(self, paths: list[Path], complete: bool) -> None:
        for path in paths:
            if path.parent == self._paths.root and path.name in WATCHED_DIRS and path.is_dir():
                self._schedule_dir(path)
        self._on_paths(paths, complete)

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(10)
