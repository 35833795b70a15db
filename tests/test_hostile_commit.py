"""A commit that cannot fail half-way (issue 16), against what the current site/ holds:
a file of the last build where this one needs a folder (and the other way round) used
to stop the commit after some files had moved, and every later build the same way; a
full disk on a site/ that is its own mount point used to stop the copies of the commit
half-way. The next good build is the cold result in each case."""

from __future__ import annotations

import shutil
from pathlib import Path

from mounts import file_tree, mounted
from sitebuilder import assert_no_traceback, run_cli, write_site

TOML = 'title = "T"\nbase_url = "https://example.org/"\n[search]\nenabled = false\n'
ARTICLE = "---\ntitle: {title}\ndate: 2025-01-0{day}\n---\n{body}\n"


def _site(root: Path) -> Path:
    write_site(root, {"content/a.md": ARTICLE.format(title="A", day=1, body="first"),
                      "content/b.md": ARTICLE.format(title="B", day=2, body="b")},
               site_toml=TOML)
    return root


def _cold(root: Path, target: Path) -> dict[str, bytes]:
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("site", ".reelpress-cache"))
    assert run_cli(target, "-q").returncode == 0
    return file_tree(target / "site")


def test_static_file_that_becomes_a_folder_commits_whole(tmp_path: Path) -> None:
    """Was: `site/static/img: File exists; the build stopped` after a/index.html had
    already moved, and the same error on every later build, --force included."""
    root = _site(tmp_path / "live")
    (root / "static").mkdir()
    (root / "static/img").write_text("a file\n")
    assert run_cli(root, "-q").returncode == 0
    (root / "static/img").unlink()
    (root / "static/img").mkdir()
    (root / "static/img/a.txt").write_text("now a folder\n")
    (root / "content/a.md").write_text(ARTICLE.format(title="A", day=1, body="edited"))
    process = run_cli(root)
    assert_no_traceback(process)
    assert process.returncode == 0, process.stderr
    assert file_tree(root / "site") == _cold(root, tmp_path / "cold")


def test_static_folder_that_becomes_a_file_commits_whole(tmp_path: Path) -> None:
    root = _site(tmp_path / "live")
    (root / "static/img").mkdir(parents=True)
    (root / "static/img/a.txt").write_text("a folder\n")
    assert run_cli(root, "-q").returncode == 0
    shutil.rmtree(root / "static/img")
    (root / "static/img").write_text("now a file\n")
    (root / "content/a.md").write_text(ARTICLE.format(title="A", day=1, body="edited"))
    process = run_cli(root)
    assert_no_traceback(process)
    assert process.returncode == 0, process.stderr
    assert file_tree(root / "site") == _cold(root, tmp_path / "cold")


def test_foreign_file_where_a_folder_is_needed_collides_before_anything_moves(
        tmp_path: Path) -> None:
    """A file put into site/ by hand is never deleted; when a new output needs its name
    as a folder the build stops before the first file moves."""
    root = _site(tmp_path / "live")
    assert run_cli(root, "-q").returncode == 0
    (root / "site/static/img").write_text("put here by hand\n")
    before = file_tree(root / "site")
    (root / "static/img").mkdir(parents=True)
    (root / "static/img/a.txt").write_text("x\n")
    (root / "content/a.md").write_text(ARTICLE.format(title="A", day=1, body="edited"))
    process = run_cli(root)
    assert_no_traceback(process)
    assert process.returncode == 1 and "static/img" in process.stderr
    assert file_tree(root / "site") == before
    assert not list(root.glob(".site.staging-*"))


def test_full_disk_on_site_as_its_own_mount_point_leaves_site_untouched(
        tmp_path: Path) -> None:
    """Was: staged beside site/, so each file was copied across file systems during the
    commit, and a full disk stopped it with some pages new and others old."""
    root = _site(tmp_path / "live")
    (root / "site").mkdir()
    with mounted("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(root / "site")):
        assert run_cli(root, "-q").returncode == 0
        before = file_tree(root / "site")
        (root / "content/a.md").write_text(ARTICLE.format(title="A", day=1, body="edited"))
        (root / "content/c.md").write_text(ARTICLE.format(title="C", day=3,
                                                          body="words " * 200_000))
        process = run_cli(root)
        assert_no_traceback(process)
        assert process.returncode == 1 and "No space left on device" in process.stderr
        assert file_tree(root / "site") == before
        (root / "content/c.md").unlink()
        assert run_cli(root, "-q").returncode == 0
        assert file_tree(root / "site") == _cold(root, tmp_path / "cold")  # no stage left
