"""Content-addressed names for media outputs, a probe cache, and pruning.

An output's name carries a hash of everything that decides its bytes (source
bytes, the recipe fields for that output, ffmpeg version, STAGE_VERSION), so a
name that exists in the cache is a finished, correct output: no database needed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from reelpress.core.atomic import atomic_write
from reelpress.media.ledger import file_digest
from reelpress.media.prune import prune_cache
from reelpress.media.video.ffmpeg import FFmpegTool, MediaInfo, ProbeError, probe
from reelpress.media.video.recipes import STAGE_VERSION

PROBE_DIR = "probe"
HASH_LENGTH = 10



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
    atomic_write(entry, json.dumps({**asdict(info), "_ffmpeg": tool.version,
                                    "_stage": STAGE_VERSION}))
    return info


def prune(cache_dir: Path, keep: set[str]) -> list[Path]:
    """Delete cached outputs not named in `keep` (file names or site paths like
    'media/x.1a2b3c4d5e.mp4'): the one media prune policy."""
    return prune_cache(cache_dir, keep)


__all__ = ["ProbeError", "cached_probe", "file_digest", "output_hash", "prune"]
