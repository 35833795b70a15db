"""After a fault, the next good build gives the cold result (issue 16): a full disk, a
read-only `site/`, a read-only cache, a damaged cache; and the defects that had no test
of their own: `site/` as its own mount point, a photo outside media/ and content/
replaced, a terminal build while the preview runs (stray stylesheets)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from images_fixtures import landscape_photo, save_jpeg
from mounts import file_tree, mounted
from sitebuilder import build, run_cli, write_site

TOML = 'title = "T"\nbase_url = "https://example.org/"\n[search]\nenabled = false\n'
ARTICLE = "---\ntitle: {title}\ndate: 2025-01-0{day}\n{extra}---\n{body}\n"




def _read_only(folder: Path) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def block() -> Iterator[None]:
        with mounted("--bind", str(folder), str(folder)):
            subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
            yield
    return block()


def _site(root: Path) -> Path:
    save_jpeg(landscape_photo(), root / "media/p.jpg")
    write_site(root, {
        "content/a.md": ARTICLE.format(title="A", day=1, extra="", body="![P](../media/p.jpg)"),
        "content/b.md": ARTICLE.format(title="B", day=2, extra="tags: [x]\n", body="b"),
    }, site_toml=TOML)
    return root


def _edit(root: Path) -> None:
    (root / "content/b.md").write_text(
        ARTICLE.format(title="B again", day=2, extra="tags: [x, y]\n", body="b, edited"))


def _cold(root: Path, target: Path) -> dict[str, bytes]:
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("site", ".reelpress-cache"))
    assert run_cli(target, "-q").returncode == 0
    return file_tree(target / "site")


def _no_traceback(process: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in process.stderr + process.stdout, process.stderr


def _fill(disk: Path) -> None:
    with contextlib.suppress(OSError), open(disk / "filler", "wb") as filler:
        while True:
            filler.write(b"\0" * 65536)


def _damage_media_cache(root: Path) -> None:
    for path in (root / ".reelpress-cache/images").iterdir():
        path.write_bytes(b"\0" * path.stat().st_size)


def _damage_blobs(root: Path) -> None:
    for path in (root / ".reelpress-cache/blobs").rglob("*"):
        if path.is_file():
            path.write_bytes(b"\0" * path.stat().st_size)


@pytest.mark.parametrize("damage", [_damage_media_cache, _damage_blobs],
                         ids=["media cache", "rendered bodies"])
def test_after_a_damaged_cache_the_next_build_is_cold(tmp_path: Path,
                                                      damage: Callable[[Path], None]) -> None:
    root = _site(tmp_path / "live")
    assert run_cli(root, "-q").returncode == 0
    damage(root)
    _edit(root)
    first = run_cli(root)  # may report the damage once; never a traceback
    _no_traceback(first)
    if first.returncode != 0:
        assert run_cli(root).returncode == 0
    assert file_tree(root / "site") == _cold(root, tmp_path / "cold")


def test_after_a_full_disk_the_next_build_is_cold(tmp_path: Path) -> None:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)):
        root = _site(disk / "live")
        assert run_cli(root, "-q").returncode == 0
        before = file_tree(root / "site")
        _edit(root)
        (root / "content/c.md").write_text(
            ARTICLE.format(title="C", day=3, extra="", body="words " * 100_000))
        _fill(disk)
        failed = run_cli(root)
        _no_traceback(failed)
        assert failed.returncode == 1 and file_tree(root / "site") == before
        (disk / "filler").unlink()
        assert run_cli(root, "-q").returncode == 0
        assert file_tree(root / "site") == _cold(root, tmp_path / "cold")


@pytest.mark.parametrize("folder", ["site", ".reelpress-cache"])
def test_after_a_read_only_folder_the_next_build_is_cold(tmp_path: Path, folder: str) -> None:
    """A read-only site/ stops the build before anything moves; a read-only cache stops
    it before the commit, or commits and warns 'build cache not saved': either way no
    traceback, and `site/` is the old site or the new one, whole."""
    root = _site(tmp_path / "live")
    assert run_cli(root, "-q").returncode == 0
    before = file_tree(root / "site")
    _edit(root)
    with _read_only(root / folder):
        process = run_cli(root)
        _no_traceback(process)
        after = file_tree(root / "site")
    if process.returncode == 0:
        assert "build cache not saved" in process.stderr
        assert after == _cold(root, tmp_path / "cold-now")
    else:
        assert after == before
    assert run_cli(root, "-q").returncode == 0
    assert file_tree(root / "site") == _cold(root, tmp_path / "cold")


def test_site_as_its_own_mount_point_builds_and_rebuilds(tmp_path: Path) -> None:
    root = _site(tmp_path / "live")
    (root / "site").mkdir()
    with mounted("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(root / "site")):
        first = run_cli(root)
        _no_traceback(first)
        assert first.returncode == 0, first.stderr
        assert file_tree(root / "site") == _cold(root, tmp_path / "cold-1")
        _edit(root)
        assert run_cli(root, "-q").returncode == 0
        assert file_tree(root / "site") == _cold(root, tmp_path / "cold-2")
        assert not list(root.glob(".site.staging-*"))


def test_photo_outside_media_and_content_replaced_is_published_again(tmp_path: Path) -> None:
    save_jpeg(landscape_photo((300, 200)), tmp_path / "photos/p.jpg")
    write_site(tmp_path, {"content/a.md": ARTICLE.format(
        title="A", day=1, extra="image: photos/p.jpg\nimage_alt: P\n", body="a")},
        site_toml=TOML)
    assert run_cli(tmp_path, "-q").returncode == 0
    save_jpeg(landscape_photo((400, 300)), tmp_path / "photos/p.jpg")  # replaced in place
    again = run_cli(tmp_path)
    assert again.returncode == 0 and "nothing changed" not in again.stdout + again.stderr
    assert file_tree(tmp_path / "site") == _cold(tmp_path, tmp_path.parent / "cold-outside")


def test_terminal_build_while_the_preview_runs_leaves_no_stray_stylesheets(
        tmp_path: Path) -> None:
    """The preview builds stable asset names, a terminal build fingerprinted ones, into
    the same site/: each build removes what the other made."""
    root = _site(tmp_path / "live")
    for fingerprinted in (False, True, False, True):
        _edit(root) if fingerprinted else None
        assert build(root, fingerprint_assets=fingerprinted).ok
        cold = tmp_path / f"cold-{fingerprinted}-{len(list(tmp_path.iterdir()))}"
        shutil.copytree(root, cold, ignore=shutil.ignore_patterns("site", ".reelpress-cache"))
        assert build(cold, fingerprint_assets=fingerprinted).ok
        assert file_tree(root / "site") == file_tree(cold / "site"), fingerprinted
