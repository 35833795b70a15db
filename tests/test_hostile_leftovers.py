"""Defects found by the acceptance audit of issue 16: a slug inside the search index's
folder, a damaged rendered body that a fresh render did not repair, a media link
loop reported as a path out of the project, and author keys whose pages collide."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuilder import assert_no_traceback, run_cli, write_site

ARTICLE = "---\ntitle: {title}\ndate: 2025-01-0{day}\n{extra}---\n\n{body}\n"
TOML = 'title = "T"\nbase_url = "https://example.org/"\n'


@pytest.mark.parametrize("slug", ["pagefind", "pagefind/notes"])
def test_slug_in_the_search_index_folder_is_refused_with_its_line(tmp_path: Path,
                                                                  slug: str) -> None:
    """Was: accepted, then the search index replaced site/pagefind/ whole and the page
    was gone, though the home page linked to it."""
    write_site(tmp_path, {"content/a.md": ARTICLE.format(
        title="A", day=1, extra=f"slug: {slug}\n", body="Body.")}, site_toml=TOML)
    process = run_cli(tmp_path)
    assert_no_traceback(process)
    assert process.returncode == 1
    assert (f"content/a.md:4: writes /{slug}/, a page the site itself makes"
            in process.stderr), process.stderr


def test_damaged_body_of_another_size_is_repaired_by_the_next_render(tmp_path: Path) -> None:
    """Was: the page was prepared again, but the blob store kept the damaged file under
    the same id, so every feed failed with "build cache damaged"."""
    write_site(tmp_path, {
        "content/a.md": ARTICLE.format(title="A", day=1, extra="", body="Body of a."),
        "content/b.md": ARTICLE.format(title="B", day=2, extra="", body="Body of b."),
    }, site_toml=TOML + "[search]\nenabled = false\n")
    assert run_cli(tmp_path, "-q").returncode == 0
    blobs = [p for p in (tmp_path / ".reelpress-cache/blobs").rglob("*") if p.is_file()]
    damaged = next(p for p in blobs if b"Body of a." in p.read_bytes())
    damaged.write_bytes(b"garbage")
    (tmp_path / "content/b.md").write_text(
        ARTICLE.format(title="B", day=2, extra="", body="Body of b, edited."))
    process = run_cli(tmp_path)
    assert_no_traceback(process)
    assert process.returncode == 0, process.stderr
    feed = (tmp_path / "site/feed.xml").read_text()
    assert "Body of a." in feed and "Body of b, edited." in feed


def test_media_symlink_loop_is_named_a_loop_not_a_path_outside_the_project(
        tmp_path: Path) -> None:
    """Was: `image 'media/a.jpg' not found, and it points outside the project` for two
    links inside media/ that point at each other."""
    write_site(tmp_path, {"content/a.md": ARTICLE.format(
        title="A", day=1, extra="", body="![P](../media/a.jpg)\n\n![C](../media/v.mp4)")},
        site_toml=TOML)
    media = tmp_path / "media"
    media.mkdir()
    for link, target in (("a.jpg", "b.jpg"), ("b.jpg", "a.jpg"),
                         ("v.mp4", "w.mp4"), ("w.mp4", "v.mp4")):
        (media / link).symlink_to(target)
    process = run_cli(tmp_path)
    assert_no_traceback(process)
    assert process.returncode == 1
    assert "content/a.md:6: image '../media/a.jpg' is a symbolic link loop" in process.stderr
    assert "content/a.md:8: video '../media/v.mp4' is a symbolic link loop" in process.stderr
    assert "outside the project" not in process.stderr


def test_two_author_keys_of_one_slug_are_a_line_error_not_a_traceback(tmp_path: Path) -> None:
    """Was: `ValueError: two outputs of this build write authors/ann/index.html`."""
    write_site(tmp_path, {"content/a.md": ARTICLE.format(title="A", day=1, extra="",
                                                         body="x")},
               site_toml=TOML + '[authors.Ann]\nname = "Ann One"\n[authors.ann]\nname = "Two"\n')
    process = run_cli(tmp_path)
    assert_no_traceback(process)
    assert process.returncode == 1
    assert ("site.toml:5: authors.ann: its page /authors/ann/ is also the page of authors.Ann"
            in process.stderr), process.stderr


def test_author_key_of_a_windows_device_name_is_refused(tmp_path: Path) -> None:
    """Was: accepted as the folder site/authors/nul/, which Windows cannot create."""
    write_site(tmp_path, {"content/a.md": ARTICLE.format(title="A", day=1, extra="",
                                                         body="x")},
               site_toml=TOML + '[authors.nul]\nname = "Null"\n')
    process = run_cli(tmp_path)
    assert_no_traceback(process)
    assert process.returncode == 1
    assert "site.toml:3: authors.nul: 'nul' is a reserved file name on Windows" in process.stderr
