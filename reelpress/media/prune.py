"""One prune policy for every media cache (photos, video, audio): a file no plan of
this build names is deleted, except a temporary file young enough to belong to another
build still running (two builds can share a cache: `serve` and a `build` in a terminal).
A folder `X.hls` (an HLS ladder) goes with its master playlist `X.m3u8`; other folders
(the probe cache) stay."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from reelpress.core.atomic import TEMP_MARKER
from reelpress.media.ledger import CacheLedger

TEMP_MAX_AGE_SECONDS = 6 * 3600
LADDER_SUFFIX = ".hls"


def prune_cache(cache_dir: Path, keep: Iterable[str | Path]) -> list[Path]:
    """Delete what `keep` (file names, site paths or paths) does not name. Returns what
    was removed, sorted."""
    keep_names = {Path(name).name for name in keep}
    removed: list[Path] = []
    if not cache_dir.is_dir():
        return removed
    now = time.time()
    for entry in cache_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            if entry.suffix == LADDER_SUFFIX and not _fresh_temp(entry, now) and \
                    entry.with_suffix(".m3u8").name not in keep_names:
                with contextlib.suppress(FileNotFoundError):
                    shutil.rmtree(entry)
                    removed.append(entry)
            continue
        if entry.name in keep_names or _fresh_temp(entry, now):
            continue
        with contextlib.suppress(FileNotFoundError):
            entry.unlink()
            removed.append(entry)
    if removed:
        CacheLedger(cache_dir).forget_missing()
    return sorted(removed)


def _fresh_temp(entry: Path, now: float) -> bool:
    try:
        return TEMP_MARKER in entry.name and now - entry.stat().st_mtime < TEMP_MAX_AGE_SECONDS
    except FileNotFoundError:
        return True  # renamed into place meanwhile
