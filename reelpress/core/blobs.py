"""Content-addressed blobs: rendered bodies, kept out of the records that flow between
stages so a record stays small and a rebuild reads only the bodies it renders.

A blob's id is the digest of its bytes, so an id names exactly one content: a record
holding the id is as specific as one holding the text. A damaged or missing file is a
miss (the caller re-renders), never trusted: `get` checks the digest.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from reelpress.core.atomic import TEMP_MARKER, write_whole
from reelpress.core.faults import disk_full_fault


def blob_id(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class MissingBlob(LookupError):
    """A blob a record names is gone or damaged: the record must be made again."""

    def __init__(self, store: BlobStore, key: str):
        super().__init__(f"cached body {key} is missing or damaged")
        self.store, self.key = store, key


@dataclass(frozen=True)
class BlobStore:
    root: Path  # .reelpress-cache/blobs

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key

    def put(self, data: bytes) -> str:
        """Store `data` under its id; a damaged file already there is written again
        (a body is put only after it was rendered afresh, so the read costs little, and
        is far cheaper than replacing an intact file: a config change prepares every page
        again). The write is a hidden temporary renamed over the id; a shard folder is
        made only when that write finds it missing."""
        key = blob_id(data)
        if self.get(key) is not None:
            return key
        folder = f"{self.root}/{key[:2]}"
        temporary = f"{folder}/.{key}{TEMP_MARKER}{os.getpid()}-{threading.get_ident()}"
        try:
            try:
                write_whole(temporary, data)
            except FileNotFoundError:  # only its open raises it: the shard is missing
                os.makedirs(folder, exist_ok=True)
                write_whole(temporary, data)
            final = f"{folder}/{key}"
            disk_full_fault(Path(final))
            os.replace(temporary, final)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return key

    def has(self, key: str, size: int) -> bool:
        """Present with the size it was written with (a cheap check; `get` verifies)."""
        try:
            return os.stat(f"{self.root}/{key[:2]}/{key}").st_size == size
        except OSError:
            return False

    def discard(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def read(self, key: str) -> bytes:
        """The blob's bytes, verified; MissingBlob when it is gone or damaged."""
        data = self.get(key)
        if data is None:
            raise MissingBlob(self, key)
        return data

    def get(self, key: str) -> bytes | None:
        try:
            with open(f"{self.root}/{key[:2]}/{key}", "rb") as blob:
                data = blob.read()
        except OSError:
            return None
        return data if blob_id(data) == key else None

    def prune(self, keep: set[str]) -> None:
        """Delete blobs no current record refers to."""
        if not self.root.is_dir():
            return
        with os.scandir(self.root) as shards:  # scandir: no Path per blob (thousands)
            for shard in shards:
                if not shard.is_dir():
                    continue
                with os.scandir(shard.path) as blobs:
                    for blob in blobs:
                        if blob.name not in keep and not blob.name.startswith("."):
                            with contextlib.suppress(FileNotFoundError):
                                os.unlink(blob.path)
