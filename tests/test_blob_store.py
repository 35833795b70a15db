"""The content-addressed blob store (reelpress/core/blobs.py) on real files: a put makes
the folders it needs, keeps an intact file of its id, replaces a damaged one (never
trusted), and leaves no temporary file behind, also when the write fails."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from reelpress.core.atomic import TEMP_MARKER
from reelpress.core.blobs import BlobStore, blob_id


def _files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_put_makes_the_store_and_its_shards_and_reads_back(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "cache" / "blobs")  # neither folder exists yet
    bodies = [f"<p>body {n}</p>\n".encode() * (n + 1) for n in range(40)]
    keys = [store.put(body) for body in bodies]
    assert keys == [blob_id(body) for body in bodies]
    assert [store.read(key) for key in keys] == bodies
    assert all(store.has(key, len(body)) for key, body in zip(keys, bodies, strict=True))
    assert len(_files(store.root)) == len(set(keys))
    assert not [path for path in _files(store.root) if TEMP_MARKER in path.name]


def test_put_replaces_a_damaged_blob_of_the_same_size(tmp_path: Path) -> None:
    """`has` only compares sizes: a same-size damaged file must not survive a put."""
    store = BlobStore(tmp_path / "blobs")
    body = b"<p>The rescue went on all night.</p>\n"
    key = store.put(body)
    (store.root / key[:2] / key).write_bytes(bytes(len(body)))
    assert store.has(key, len(body)) and store.get(key) is None
    assert store.put(body) == key
    assert store.read(key) == body


def test_put_of_an_intact_blob_leaves_its_file_alone(tmp_path: Path) -> None:
    """A config change prepares every page again: their bodies are read and verified,
    not written again (replacing 5,000 files cost more than reading them)."""
    store = BlobStore(tmp_path / "blobs")
    body = b"<p>same body</p>\n"
    key = store.put(body)
    before = (store.root / key[:2] / key).stat()
    assert store.put(body) == key
    after = (store.root / key[:2] / key).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_put_that_fails_leaves_the_old_blob_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = BlobStore(tmp_path / "blobs")
    body = b"<p>kept</p>\n"
    key = store.put(body)
    before = {path: path.read_bytes() for path in _files(store.root)}
    monkeypatch.setenv("REELPRESS_FAULT_DISK_FULL", "/blobs/")
    with pytest.raises(OSError) as failed:
        store.put(b"<p>another body</p>\n")
    assert failed.value.errno == errno.ENOSPC
    assert store.put(body) == key  # intact already: not written again, so no failure
    assert {path: path.read_bytes() for path in _files(store.root)} == before
    assert store.read(key) == body
