"""Rendered article bodies and FAQs on disk, keyed by source hash, loaded only when needed.

The build cache keeps small per-page records; bodies and FAQ answers (most of the bytes)
live here, one file each, so a rebuild reads only those of pages it actually re-renders.
"""

from __future__ import annotations

import hashlib
import json
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
        return os.path.isfile(os.path.join(self.root, key[:2], f"{key}.json"))

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def put(self, key: str, html: str, faq: list[tuple[str, str, str]]) -> None:
        """The rendered body and FAQ (question, answer HTML, anchor) of one source."""
        path = self._path(key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        data = json.dumps({"html": html, "faq": faq}, ensure_ascii=False).encode("utf-8")
        try:
            temporary.write_bytes(data)
        except FileNotFoundError:  # first body in this shard
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
        os.replace(temporary, path)

    def get(self, key: str) -> tuple[str, list[tuple[str, str, str]]] | None:
        try:
            stored = json.loads(self._path(key).read_bytes())
            return stored["html"], [tuple(item) for item in stored["faq"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
