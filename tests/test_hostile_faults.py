"""Faults of the machine and of the cache (issue 16): a damaged media cache file is a
miss, never published; a dead build's stage goes even when the next build is a no-op;
a full disk leaves no temporary blob; the preview says a full disk or a read-only
`site/` in one line and keeps serving the last good site.

A full disk is a small tmpfs where the test can mount one, and the fault hook
REELPRESS_FAULT_DISK_FULL everywhere (so CI covers the path without mounts)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from images_fixtures import landscape_photo, save_jpeg
from media_clips import FFMPEG, make_clip
from mounts import file_tree, mounted
from serve_helpers import get, write_preview_site
from sitebuilder import REPO, build_ok, run_cli, write_site

from reelpress.pipeline import BuildOptions, build_site
from reelpress.serve import PreviewServer

TOML = 'title = "T"\nbase_url = "https://example.org/"\n[search]\nenabled = false\n'
ARTICLE = "---\ntitle: A\ndate: 2025-01-01\n---\n{body}\n"




def _fill(disk: Path) -> None:
    with contextlib.suppress(OSError), open(disk / "filler", "wb") as filler:
        while True:
            filler.write(b"\0" * 65536)


# --- a damaged media cache -------------------------------------------------------------

def _photo_site(root: Path) -> Path:
    save_jpeg(landscape_photo(), root / "media/p.jpg")
    write_site(root, {"content/a.md": ARTICLE.format(body="![The ladder](../media/p.jpg)")},
               site_toml=TOML)
    return root


def _edit(root: Path, embed: str) -> None:
    """An edit of the article: the next build runs (no no-op), its media unchanged."""
    (root / "content/a.md").write_text(ARTICLE.format(body=f"{embed}\n\nMore."))


def _published_media(site: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in file_tree(site).items() if rel.startswith("media/")}


@pytest.mark.parametrize("damage", ["same size", "shorter", "same size, mtime put back"])
def test_damaged_photo_in_the_cache_is_made_again_and_never_published(
        tmp_path: Path, damage: str) -> None:
    root = _photo_site(tmp_path)
    first = build_ok(root)
    assert first.media_processed == 1
    published = _published_media(root / "site")
    cache = root / ".reelpress-cache/images"
    victim = max(cache.iterdir(), key=lambda p: p.stat().st_size)
    good, stat = victim.read_bytes(), victim.stat()
    with victim.open("r+b") as handle:  # in place: same inode, as a disk error or `dd`
        if damage == "shorter":
            handle.truncate(len(good) // 2)
        else:
            handle.write(b"\xff" * 64)
    if damage == "same size, mtime put back":
        os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _edit(root, "![The ladder](../media/p.jpg)")
    second = build_ok(root)
    assert second.media_processed == 1, "the damaged rendition is a miss"
    assert victim.read_bytes() == good
    assert _published_media(root / "site") == published


def test_touched_cache_file_is_reused_after_one_digest_check(tmp_path: Path) -> None:
    root = _photo_site(tmp_path)
    build_ok(root)
    cache = root / ".reelpress-cache/images"
    for path in cache.iterdir():
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # a CI cache restore, a touch
    _edit(root, "![The ladder](../media/p.jpg)")
    assert build_ok(root).media_processed == 0
    with contextlib.closing(sqlite3.connect(root / ".reelpress-cache/images.ledger.sqlite")) as db:
        mtimes = {mtime for (mtime,) in db.execute("SELECT mtime_ns FROM made")}
    assert mtimes == {1_000_000_000}, "the new stat is remembered: no digest next time"


def test_cache_file_with_no_record_is_not_trusted(tmp_path: Path) -> None:
    root = _photo_site(tmp_path)
    build_ok(root)
    (root / ".reelpress-cache/images.ledger.sqlite").unlink()
    _edit(root, "![The ladder](../media/p.jpg)")
    assert build_ok(root).media_processed == 1


def test_site_never_shares_an_inode_with_the_media_cache(tmp_path: Path) -> None:
    root = _photo_site(tmp_path)
    build_ok(root)
    cache_inodes = {p.stat().st_ino for p in (root / ".reelpress-cache").rglob("*")}
    site_inodes = {p.stat().st_ino for p in (root / "site").rglob("*") if p.is_file()}
    assert site_inodes and not site_inodes & cache_inodes


def _probe_ok(path: Path) -> bool:
    done = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-f", "null", "-"],
                          capture_output=True, text=True)
    return done.returncode == 0 and not done.stderr.strip()


def test_damaged_video_in_the_cache_is_encoded_again_and_never_published(
        tmp_path: Path) -> None:
    make_clip(tmp_path / "media/clip.mp4", duration=0.5)
    write_site(tmp_path, {"content/a.md": ARTICLE.format(body="![Clip](../media/clip.mp4)")},
               site_toml=TOML + "[video]\nav1 = false\n")
    build_ok(tmp_path)
    published = _published_media(tmp_path / "site")
    cache = tmp_path / ".reelpress-cache/media"
    (victim,) = [p for p in cache.iterdir() if p.suffix == ".mp4"]
    good = victim.read_bytes()
    with victim.open("r+b") as handle:
        handle.seek(len(good) // 2)
        handle.write(os.urandom(4096))
    _edit(tmp_path, "![Clip](../media/clip.mp4)")
    second = build_ok(tmp_path)
    assert second.media_processed >= 1
    assert _published_media(tmp_path / "site") == published
    assert hashlib.sha256(victim.read_bytes()).digest() == hashlib.sha256(good).digest()
    site_video = next(p for p in (tmp_path / "site/media").iterdir() if p.suffix == ".mp4")
    assert _probe_ok(site_video)


# --- a dead build's stage ------------------------------------------------------------------

_BUILD_INTO = ("import sys; from pathlib import Path; from reelpress.pipeline import "
               "BuildOptions, build_site; build_site(BuildOptions(root=Path(sys.argv[1]), "
               "out_dir=Path(sys.argv[2]), drafts=sys.argv[3] == 'drafts', jobs=1, quiet=True))")


def test_dead_build_staging_folder_is_removed_by_a_no_op_build(tmp_path: Path) -> None:
    root, www = tmp_path / "project", tmp_path / "www"
    write_site(root, {"content/a.md": ARTICLE.format(body="first"),
                      "content/d.md": "---\ntitle: D\ndate: 2025-01-02\ndraft: true\n---\nd\n"},
               site_toml=TOML)
    www.mkdir()
    site = www / "site"  # a web root outside the project: its folder is not an input

    def build_into(mode: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", _BUILD_INTO, str(root), str(site), mode],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(REPO), **env})

    assert build_into("plain").returncode == 0
    # a --drafts build killed before its first move: it staged the draft, moved nothing,
    # and left the index as the last good build saved it
    killed = build_into("drafts", REELPRESS_FAULT_KILL_AT_MOVE="1")
    assert killed.returncode == -9, killed.stderr
    assert list(www.glob(".site.staging-*"))
    again = build_site(BuildOptions(root=root, out_dir=site, jobs=1, quiet=True))
    assert again.ok and "nothing changed since the last build" in again.notes
    assert not list(www.glob(".site.staging-*"))


# --- a full disk and the blob store ------------------------------------------------------------

def _no_temp_files(folder: Path) -> None:
    leftovers = [p for p in folder.rglob("*") if p.is_file() and (
        ".part-" in p.name or p.name.endswith(".tmp"))]
    assert not leftovers, leftovers


def test_blob_store_leaves_no_temp_file_when_the_disk_is_full(tmp_path: Path) -> None:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)):
        write_site(disk, {"content/a.md": ARTICLE.format(body="first")}, site_toml=TOML)
        assert run_cli(disk, "-q").returncode == 0
        before = file_tree(disk / "site")
        (disk / "content/a.md").write_text(ARTICLE.format(body="second word " * 20_000))
        _fill(disk)
        process = run_cli(disk)
        assert process.returncode == 1 and "No space left on device" in process.stderr
        assert "Traceback" not in process.stderr
        _no_temp_files(disk / ".reelpress-cache")
        assert file_tree(disk / "site") == before
        (disk / "filler").unlink()
        assert run_cli(disk, "-q").returncode == 0


def test_blob_store_leaves_no_temp_file_when_a_write_fails_for_space(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": ARTICLE.format(body="first")}, site_toml=TOML)
    assert run_cli(tmp_path, "-q").returncode == 0
    before = file_tree(tmp_path / "site")
    (tmp_path / "content/a.md").write_text(ARTICLE.format(body="second"))
    command = [sys.executable, str(REPO / "build.py"), "--root", str(tmp_path)]
    process = subprocess.run(command, capture_output=True, text=True, timeout=120, env={
        **os.environ, "PYTHONPATH": str(REPO), "REELPRESS_FAULT_DISK_FULL": "/blobs/"})
    assert process.returncode == 1, process.stderr
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(".reelpress-cache/blobs/"), lines
    assert "No space left on device; the build stopped (free some disk space" in lines[0]
    _no_temp_files(tmp_path / ".reelpress-cache")
    assert file_tree(tmp_path / "site") == before


# --- the preview on a full disk or a read-only site/ ----------------------------------------------

@pytest.fixture
def preview_site(tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    options = write_preview_site(tmp_path)
    said: list[str] = []
    preview = PreviewServer(options, port=0, watch=False, say=said.append)
    preview.start()
    assert preview.last_result is not None and preview.last_result.ok
    try:
        yield preview, tmp_path
    finally:
        preview.close()


def _edit_and_rebuild(preview: PreviewServer, root: Path) -> list[str]:
    (root / "content/paris.md").write_text(
        '---\ntitle: "Paris rescue"\ndate: 2025-07-14 09:30:00\n---\n\nParis, the second.\n')
    result = preview.rebuild(frozenset())
    assert result is not None and not result.ok
    assert preview.hub.status is not None and not preview.hub.status.ok
    return [d.format() for d in preview.hub.status.diagnostics]


def _still_serving_the_first_version(preview: PreviewServer) -> None:
    status, _, body = get(preview.port, "/paris/")
    assert status == 200 and b"the first version" in body and b"the second" not in body


def test_preview_reports_a_full_disk_in_one_line_and_keeps_serving(
        preview_site: tuple[PreviewServer, Path], monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    preview, root = preview_site
    monkeypatch.setenv("REELPRESS_FAULT_DISK_FULL", ".site.staging-")
    (line,) = _edit_and_rebuild(preview, root)
    assert "No space left on device; the build stopped (free some disk space" in line
    assert line.startswith(".site.staging-")
    _still_serving_the_first_version(preview)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.out + captured.err
    monkeypatch.delenv("REELPRESS_FAULT_DISK_FULL")
    result = preview.rebuild(frozenset())
    assert result is not None and result.ok
    assert b"the second" in get(preview.port, "/paris/")[2]


def test_preview_on_a_real_full_disk_keeps_serving(tmp_path: Path,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)):
        options = write_preview_site(disk)
        with PreviewServer(options, port=0, watch=False, say=lambda line: None) as preview:
            assert preview.last_result is not None and preview.last_result.ok
            _fill(disk)
            lines = _edit_and_rebuild(preview, disk)
            assert len(lines) == 1 and "No space left on device" in lines[0], lines
            _still_serving_the_first_version(preview)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_preview_reports_a_read_only_site_in_one_line_and_keeps_serving(
        preview_site: tuple[PreviewServer, Path], capfd: pytest.CaptureFixture[str]) -> None:
    preview, root = preview_site
    site = root / "site"
    with mounted("--bind", str(site), str(site)):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(site)], check=True)
        (line,) = _edit_and_rebuild(preview, root)
        assert "Read-only file system; the build stopped" in line, line
        _still_serving_the_first_version(preview)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_preview_refuses_yaml_billion_laughs_fast_and_keeps_serving(
        preview_site: tuple[PreviewServer, Path]) -> None:
    """The preview built the same alias bomb for minutes (it blocked the same way as the
    CLI); now its rebuild ends with the line error, and the last good site is served."""
    preview, root = preview_site
    aliases = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]"
        for previous, name in zip("abcdefghi", "bcdefghij", strict=True)]
    (root / "content/paris.md").write_text(
        "---\n" + "\n".join(aliases) + "\ntitle: *j\ndate: 2025-07-14\n---\nParis, the second.\n")
    started = time.process_time()
    result = preview.rebuild(frozenset())
    assert time.process_time() - started < 5
    assert result is not None and not result.ok
    assert any(d.path == "content/paris.md" and d.line is not None
               and "expands to more than" in d.message for d in result.diagnostics)
    _still_serving_the_first_version(preview)
