"""What a build writes to its index, and when. Nodes (records under the digest of their
inputs) are written before the build's own transaction, so their bytes are not held
through the render: a node claims nothing of site/, and the index that holds it early is
as true as one without it. A full build rewrites only the tracked stats that changed."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from cold_build import cold_result, tree

from reelpress.build import graph as graph_module
from reelpress.build.graph import BuildGraph
from reelpress.build.index import BuildIndex
from reelpress.pipeline import BuildOptions, build_site

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _page_nodes(root: Path) -> int:
    with sqlite3.connect(root / ".reelpress-cache/index.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM nodes WHERE kind = 'page'").fetchone()[0])


class _CountAtCommit:
    """A commit lock that counts the page records in the index as the build moves its
    outputs into site/: after the render, before the build saves its index."""

    def __init__(self, root: Path):
        self.root, self.found = root, -1

    def __enter__(self) -> None:
        self.found = _page_nodes(self.root)

    def __exit__(self, *exc: object) -> None:
        return None


def _site(root: Path) -> BuildOptions:
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text('title = "Nodes"\nbase_url = "https://example.org/"\n')
    for number in range(1, 5):
        (root / "content" / f"story-{number}.md").write_text(
            f"---\ntitle: Story {number}\ndate: 2025-0{number}-01\n---\n\nWords {number}.\n")
    return BuildOptions(root=root, now=NOW, jobs=1, quiet=True)


def test_page_records_are_in_the_index_before_the_commit(tmp_path: Path) -> None:
    root = tmp_path / "live"
    options = _site(root)
    during = _CountAtCommit(root)
    assert build_site(options, commit_lock=during).ok
    assert during.found == 4 == _page_nodes(root)
    assert tree(root / "site") == cold_result(root, tmp_path / "cold")


def test_nodes_past_the_bytes_held_are_written_at_once(tmp_path: Path) -> None:
    index, _ = BuildIndex.open(tmp_path)
    graph = BuildGraph(index, tmp_path / "site")
    other = BuildIndex.peek(tmp_path)  # another connection: it sees committed rows only
    assert other is not None
    try:
        graph.add_node("small", "page", b"s")
        assert graph.new_nodes and other.nodes(["small"]) == {}
        graph.add_node("large", "page", b"x" * graph_module.NODES_HELD)
        assert graph.new_nodes == {}
        assert set(other.nodes(["small", "large"])) == {"small", "large"}
        assert graph.live_nodes == {"small", "large"}  # kept by this build's collection
    finally:
        other.close()
        graph.close()


def test_a_full_build_keeps_the_tracked_stats_true(tmp_path: Path) -> None:
    """A full build writes the tracked stats that changed and drops those of files gone:
    after a config edit, and after a story is removed, the next build is the no-op."""
    root = tmp_path / "live"
    options = _site(root)
    assert build_site(options).ok
    config = root / "site.toml"
    config.write_text(config.read_text().replace('"Nodes"', '"Nodes Daily"'))
    assert build_site(options).ok
    assert build_site(options).notes == ("nothing changed since the last build",)
    (root / "content" / "story-2.md").unlink()
    assert "story-2/index.html" in build_site(options).removed
    assert build_site(options).notes == ("nothing changed since the last build",)
    assert tree(root / "site") == cold_result(root, tmp_path / "cold")
