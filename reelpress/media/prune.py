"""One prune policy for every media cache (photos, video, audio): a file no plan of
this build names is deleted, except a temporary file young enough to belong to another
build still running (two builds can share a cache: `serve` and a `build` in a terminal)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from reelpress.core.atomic import TEMP_MARKER

TEMP_MAX_AGE_SECONDS = 6 * 3600


def prune_cache(cache_dir: Path, keep: Iterable[str | Path], *,
                folder_kept: Callable[[Path, set[str]], bool] | None = None) -> list[Path]:
    """Delete what `keep` (file names, site paths or paths) does not name; folders are
    left alone unless `folder_kept` says one is not kept (then it is removed whole).
    Returns what was removed, sorted."""
    keep_names = {Path(name).name for name in keep}
    removed: list[Path] = []
    if not cache_dir.is_dir():
        return removed
    now = time.time()
    for entry in cache_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            if folder_kept is not None and not folder_kept(entry, keep_names):
                removed.append(entry)
            continue
        if entry.name in keep_names or _fresh_temp(entry, now):
            continue
        with contextlib.suppress(FileNotFoundError):
            entry.unlink()
            removed.append(entry)
    return sorted(removed)


def _fresh_temp(entry: Path, now: float) -> bool:
    try:
        return TEMP_MARKER in entry.name and now - entry.stat().st_mtime < TEMP_MAX_AGE_SECONDS
    except FileNotFoundError:
        return True  # renamed into place meanwhile
