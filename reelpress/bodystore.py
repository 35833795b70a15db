"""Rendered article bodies on disk, keyed by source hash, loaded only when needed.

The build cache keeps small per-page records; the bodies (most of the bytes) live here,
one file each, so a rebuild reads only the bodies of pages it actually re-renders.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BodyStore:
    root: Path  # .reelpress-cache/bodies/<stamp>

    @classmethod
    def for_stamp(cls, cache_dir: Path, stamp: str) -> BodyStore:
        """Bodies depend on the config: a new stamp starts a new store, old ones go."""
        base = cache_dir / "bodies"
        if base.is_dir():
            for old in base.iterdir():
                if old.name != stamp[:16]:
                    shutil.rmtree(old, ignore_errors=True)
        return cls(base / stamp[:16])

    def key(self, source_hash: str) -> str:
        return hashlib.sha1(source_hash.encode()).hexdigest()

    def has(self, key: str) -> bool:
        return os.path.isfile(os.path.join(self.root, key[:2], f"{key}.html"))

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.html"

    def put(self, key: str, html: str) -> None:
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        data = html.encode("utf-8")
        try:
            temporary.write_bytes(data)
        except FileNotFoundError:  # first body in this shard
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
        os.replace(temporary, path)

    def get(self, key: str) -> str | None:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except OSError:
            return None
