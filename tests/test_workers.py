"""The worker pool (build/workers.py): every task runs exactly once, results in task
order, whether forked workers inherit the tasks or a serial build runs them; and a site
built on the pool is byte for byte the site built in one process."""

from __future__ import annotations

from pathlib import Path

from sitebuilder import article, build_ok, snapshot, write_site

from reelpress.build.workers import POOL_THRESHOLD, run_chunked


def _square_all(offset: int, chunk: list[int]) -> list[tuple[int, int]]:
    return [(task, task * task + offset) for task in chunk]


def test_every_task_once_in_order_on_the_pool() -> None:
    tasks = list(range(5 * POOL_THRESHOLD + 7))  # chunks of several sizes, a short last one
    expected = _square_all(3, tasks)
    assert run_chunked(_square_all, 3, tasks, jobs=2) == expected
    assert run_chunked(_square_all, 3, tasks, jobs=1) == expected


def test_a_site_built_on_the_pool_equals_the_serial_build(tmp_path: Path) -> None:
    files = {f"content/story-{n:03}.md": article(
        f"Story {n}", f"2025-0{1 + n % 6}-1{n % 9}",
        f"Intro {n}, *emphasis*.\n\n## Part {n}\n\n- one\n- [two](story-{(n + 1) % 70:03}.md)\n",
        tags="[alpha, beta]") for n in range(70)}
    sites = {}
    for jobs in (1, 2):
        root = write_site(tmp_path / f"j{jobs}", files)
        build_ok(root, jobs=jobs)
        sites[jobs] = {path: entry[0] for path, entry in snapshot(root / "site").items()}
    assert len(sites[1]) > POOL_THRESHOLD
    assert sites[2] == sites[1]
