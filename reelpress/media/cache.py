"""Content-addressed names for media outputs, a probe cache, and pruning.

An output's name carries a hash of everything that decides its bytes (source
bytes, the recipe fields for that output, ffmpeg version, STAGE_VERSION), so a
name that exists in the cache is a finished, correct output: no database needed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
import unicodedata
from dataclasses import asdict
from pathlib import Path

from reelpress.media.video.ffmpeg import FFmpegTool, MediaInfo, ProbeError, probe
from reelpress.media.video.hls import remove_ladder
from reelpress.media.video.recipes import STAGE_VERSION
from reelpress.media.video.runner import TEMP_MARKER

PROBE_DIR = "probe"
HASH_LENGTH = 10
TEMP_MAX_AGE_SECONDS = 6 * 3600  # a newer temp file may belong to a build still running


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def output_hash(source_digest: str, kind: str, recipe: dict[str, object], tool_version: str) -> str:
    """Short hash naming one output; any change to an input gives a new name."""
    payload = json.dumps(
        {
            "source": source_digest,
            "kind": kind,
            "recipe": recipe,
            "ffmpeg": tool_version,
            "stage": STAGE_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:HASH_LENGTH]


def slug(stem: str) -> str:
    """A URL-safe base name: accents folded, anything else turned into '-'."""
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "-", folded).strip("-_").lower()
    return cleaned[:60] or "media"


def cached_probe(tool: FFmpegTool, path: Path, digest: str, cache_dir: Path) -> MediaInfo:
    """Probe once per (content, ffmpeg version, stage version); ProbeError is not cached
    (the user will fix it)."""
    entry = cache_dir / PROBE_DIR / f"{digest[:32]}.json"
    try:
        data = json.loads(entry.read_text())
        if data.pop("_ffmpeg") == tool.version and data.pop("_stage", "") == STAGE_VERSION:
            data["sar"] = tuple(data["sar"])
            return MediaInfo(**data)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    info = probe(tool, path)
    entry.parent.mkdir(parents=True, exist_ok=True)
    temp = entry.with_name(f".{entry.stem}{TEMP_MARKER}{os.getpid()}.json")
    temp.write_text(json.dumps({**asdict(info), "_ffmpeg": tool.version,
                                      "_stage": STAGE_VERSION}))
    os.replace(temp, entry)
    return info


def prune(cache_dir: Path, keep: set[str]) -> list[Path]:
    """Delete cached outputs not named in `keep` (file names or site paths like
    'media/x.1a2b3c4d5e.mp4'); old temp files go too. Returns what was removed."""
    keep_names = {Path(name).name for name in keep}
    removed: list[Path] = []
    if not cache_dir.is_dir():
        return removed
    now = time.time()
    for entry in cache_dir.iterdir():
        if entry.is_dir() and entry.suffix == ".hls":  # an HLS ladder goes with its master
            if entry.with_suffix(".m3u8").name not in keep_names and remove_ladder(entry):
                removed.append(entry)
            continue
        if not entry.is_file() or entry.name in keep_names:
            continue
        if TEMP_MARKER in entry.name and now - entry.stat().st_mtime < TEMP_MAX_AGE_SECONDS:
            continue
        with contextlib.suppress(FileNotFoundError):
            entry.unlink()
            removed.append(entry)
    return sorted(removed)


__all__ = ["ProbeError", "cached_probe", "file_digest", "output_hash", "prune", "slug"]
