"""The output is swapped in atomically: a failed build leaves site/ byte-for-byte as it was,
and an unchanged rebuild leaves every file's mtime and inode alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuilder import article, build, build_ok, run_cli, snapshot, write_site

from reelpress.output.writer import make_folders, stage_bytes

MANY = {f"content/story-{n:02d}.md": article(f"Story {n}", f"2025-06-{n:02d} 09:00:00",
                                               f"Paragraph of story {n}.", tags="[Harbour]")
        for n in range(1, 13)}

# Fails only for one article out of twelve: the other pages render before it does.
PICKY_ARTICLE = """\
{% extends "base.html" %}
{% block main %}
<h1>{{ page.title }}</h1>
{% if page.title == "Story 7" %}{{ page.no_such_field }}{% endif %}
{{ page.body }}
{% endblock %}
"""


@pytest.fixture
def built(tmp_path: Path) -> Path:
    root = write_site(tmp_path, MANY)
    build_ok(root)
    return root


def test_rebuild_without_changes_touches_nothing(built: Path) -> None:
    before = snapshot(built / "site")
    result = build_ok(built)
    assert snapshot(built / "site") == before  # same bytes, same mtimes, same inodes
    assert result.written == ()
    assert result.removed == ()
    assert result.pages_written == 0


def test_cli_rebuild_without_changes_touches_nothing(tmp_path: Path) -> None:
    root = write_site(tmp_path, MANY)
    assert run_cli(root, "build").returncode == 0  # both builds see the same "today"
    before = snapshot(root / "site")
    process = run_cli(root, "build")
    assert process.returncode == 0, process.stderr
    assert snapshot(root / "site") == before
    assert "0 written" in process.stdout


def test_one_edit_rewrites_only_what_shows_it(built: Path) -> None:
    before = snapshot(built / "site")
    (built / "content/story-03.md").write_text(
        article("Story 3", "2025-06-03 09:00:00", "Edited paragraph.", tags="[Harbour]"))
    result = build_ok(built)
    after = snapshot(built / "site")
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "story-03/index.html" in changed
    assert "story-04/index.html" not in changed
    assert "404.html" not in changed
    assert set(result.written) == changed
    for rel in set(after) - changed:
        assert after[rel] == before[rel]


def test_template_failing_for_one_page_leaves_site_untouched(built: Path) -> None:
    before = snapshot(built / "site")
    (built / "content/story-01.md").write_text(article("Story 1", "2025-06-01", "Changed."))
    write_site(built, {"templates/article.html": PICKY_ARTICLE}, site_toml=None)
    result = build(built)
    assert not result.ok
    [problem] = result.errors
    assert problem.format() == ("templates/article.html:4: undefined variable: "
                                "'dict object' has no attribute 'no_such_field' "
                                "(rendering content/story-07.md)")
    assert snapshot(built / "site") == before
    leftovers = [p.name for p in built.iterdir() if p.name.startswith(".site")]
    assert leftovers == []  # the stage was removed


def test_bad_file_leaves_site_untouched_via_cli(built: Path) -> None:
    before = snapshot(built / "site")
    (built / "content/story-02.md").write_text("---\ntitle: Broken\ndate: never\n---\n")
    (built / "content/story-05.md").write_text(article("Story 5 renamed", "2025-06-05"))
    process = run_cli(built, "build")
    assert process.returncode == 1
    assert "content/story-02.md:3: date:" in process.stderr
    assert "site/ left as it was" in process.stderr
    assert snapshot(built / "site") == before


def test_removed_article_is_pruned(built: Path) -> None:
    (built / "content/story-12.md").unlink()
    result = build_ok(built)
    assert "story-12/index.html" in result.removed
    assert not (built / "site/story-12").exists()
    assert (built / "site/story-11/index.html").is_file()


def test_failed_first_build_creates_no_site(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"content/a.md": "---\ntitle: A\n---\n"})
    result = build(root)
    assert not result.ok
    assert not (root / "site").exists()
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []


def test_staged_files_with_and_without_their_folders_made_first(tmp_path: Path) -> None:
    """The render makes the stage's folders up front (`make_folders`); a file whose folder
    was not made is still staged (the folder is made then), and one the site already has
    with the same bytes is not staged at all."""
    stage, site = tmp_path / "stage", tmp_path / "site"
    (site / "same").mkdir(parents=True)
    (site / "same/index.html").write_bytes(b"kept")
    stage.mkdir()
    make_folders(stage, ["made/index.html", "made/page/2/index.html", "robots.txt"])
    assert sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*")) == [
        "made", "made/page", "made/page/2"]
    assert stage_bytes(stage, site, "made/page/2/index.html", b"two")
    assert stage_bytes(stage, site, "not/made/index.html", b"late")
    assert not stage_bytes(stage, site, "same/index.html", b"kept")
    assert (stage / "made/page/2/index.html").read_bytes() == b"two"
    assert (stage / "not/made/index.html").read_bytes() == b"late"
    assert not (stage / "same").exists()
