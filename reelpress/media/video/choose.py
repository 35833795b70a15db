"""After the encodes: which renditions earn their bytes, in which order, and which cached
files are published.

The choice is a pure function of the cached outputs' sizes, so it is made again (by
stat, not by encoding) on every build and cannot drift from the files: a dropped AV1
stays in the cache, unpublished, and a second build neither re-encodes nor re-lists it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reelpress.media.video.hls import ladder_files
from reelpress.media.video.plan import Asset, VideoAsset
from reelpress.media.video.recipes import VideoSettings


def _size(outputs: dict[str, Path], site_path: str) -> int | None:
    path = outputs.get(site_path)
    try:
        return path.stat().st_size if path is not None else None
    except OSError:
        return None


def _kb(size: int) -> str:
    return f"{size / 1000:.0f} KB"


def earn_bytes(asset: Asset, outputs: dict[str, Path], settings: VideoSettings) -> Asset:
    """Keep AV1 only when it is `av1_min_saving` smaller than H.264, then list the
    progressive sources smallest first (the browser takes the first it can play)."""
    if not isinstance(asset, VideoAsset):
        return asset
    sizes = {r.site_path: _size(outputs, r.site_path) for r in asset.sources}
    h264 = sizes.get(asset.download)
    if h264 is None or any(size is None for size in sizes.values()):
        return asset  # not made yet (or failed): keep the plan's prediction
    kept, notes = [], list(asset.notes)
    limit = (1 - settings.av1_min_saving) * h264
    for rendition in asset.sources:
        size = sizes[rendition.site_path] or 0
        if rendition.site_path != asset.download and "av01" in rendition.mime:
            verdict = "kept" if size <= limit else "dropped"
            compared = (f"{1 - size / h264:.0%} smaller than" if size < h264 else
                        "not smaller than")
            notes.append(f"{asset.source}: AV1 {verdict}: {_kb(size)} is {compared} H.264 "
                         f"({_kb(h264)}); av1_min_saving is {settings.av1_min_saving:.0%}")
            if size > limit:
                continue
        kept.append(rendition)
    kept.sort(key=lambda r: sizes[r.site_path] or 0)
    return dataclasses.replace(asset, sources=tuple(kept), notes=tuple(notes))


def published(assets: dict[str, Asset], outputs: dict[str, Path]) -> dict[str, Path]:
    """Site path -> cached file of what the pages use: existing files, dropped renditions
    left out, each HLS master with its whole ladder."""
    used: set[str] = set()
    for asset in assets.values():
        used.update(r.site_path for r in asset.sources)
        used.add(asset.download)
        used.update(t.site_path for t in asset.tracks)
        if isinstance(asset, VideoAsset):
            used.update((asset.poster_webp, asset.poster_jpeg, asset.chapters_track, asset.hls))
    found: dict[str, Path] = {}
    for site_path, path in outputs.items():
        if site_path not in used or not path.is_file():
            continue
        if site_path.endswith(".m3u8"):
            found.update(ladder_files(path, site_path))
        else:
            found[site_path] = path
    return found
