"""The worker pool (build/workers.py): every task runs exactly once, results in task
order, on the pool or in this process; one pool serves every stage of a build, and
counts its workers' CPU in the stage that spent it; and a site built on the pool is byte
for byte the site built in one process."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sitebuilder import article, build_ok, snapshot, write_site

from reelpress.build.workers import POOL_THRESHOLD, WorkerPool
from reelpress.core.stage_times import StageClock


def _square_all(offset: int, chunk: list[int]) -> list[tuple[int, int]]:
    return [(task, task * task + offset) for task in chunk]


def test_every_task_once_in_order_on_the_pool() -> None:
    tasks = list(range(5 * POOL_THRESHOLD + 7))  # chunks of several sizes, a short last one
    expected = _square_all(3, tasks)
    for jobs in (2, 1):
        with WorkerPool(jobs) as pool:
            assert pool.run(_square_all, 3, tasks) == expected
    with WorkerPool(2) as pool:
        done = list(pool.as_done(_square_all, 3, tasks))
    assert sorted(done) == expected  # each exactly once, in the order chunks finished


def _pids(tag: str, chunk: list[int]) -> list[tuple[str, int, int]]:
    return [(tag, task, os.getpid()) for task in chunk]


def test_one_pool_serves_every_stage_with_tasks_made_after_it_started() -> None:
    """A build's pool is forked at its first stage, before the later stages' tasks
    exist: they reach the same workers pickled, in order, each exactly once."""
    with WorkerPool(2) as pool:
        first = pool.run(_pids, "load", list(range(3 * POOL_THRESHOLD)))
        later = [n * 7 for n in range(3 * POOL_THRESHOLD)]  # made after the fork
        second = pool.run(_pids, "render", later)
    assert [(tag, task) for tag, task, _ in first] == [("load", n)
                                                        for n in range(3 * POOL_THRESHOLD)]
    assert [(tag, task) for tag, task, _ in second] == [("render", n) for n in later]
    here = os.getpid()
    workers = {pid for _, _, pid in first + second} - {here}
    assert len(workers) == 1, "one worker process besides this one, for both stages"
    assert {pid for _, _, pid in second} == {here, *workers}


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


def _burn(rounds: int, chunk: list[int]) -> list[tuple[int, float]]:
    done = []
    for _ in chunk:
        started = time.process_time()
        sum(i * i for i in range(rounds))
        done.append((os.getpid(), time.process_time() - started))
    return done


def test_a_stage_counts_the_cpu_of_workers_that_outlive_it() -> None:
    """The pool's workers are reaped only when the build ends; `--timings` must still put
    the CPU they spent in the stage that spent it (their own report of it)."""
    clock = StageClock()
    with WorkerPool(2) as pool:
        clock.watch(pool.live_cpu)
        done = pool.run(_burn, 50_000, list(range(2 * POOL_THRESHOLD)))
        clock.lap("stage")
        assert len({pid for pid, _ in done}) == 2  # this process and the worker both ran
        tasks_cpu = sum(seconds for _, seconds in done)
        assert clock.cpu_laps["stage"] >= tasks_cpu
    clock.lap("after")  # the worker reaped: its CPU is not counted a second time
    assert clock.cpu_laps["after"] < tasks_cpu / 4


_MADE_LATER: list[int] = []  # filled after the pool started: a forked worker never sees it


def _seen_later(_: None, chunk: list[int]) -> list[int]:
    return [len(_MADE_LATER) for _ in chunk]


def test_started_workers_are_forked_before_what_the_build_loads_next() -> None:
    """A warm build starts its pool before reading the index's records, so the worker
    does not share (and copy) them; the later stages still reach it."""
    with WorkerPool(2) as pool:
        pool.start()
        _MADE_LATER.append(1)
        try:
            seen = pool.run(_seen_later, None, list(range(2 * POOL_THRESHOLD)))
        finally:
            _MADE_LATER.clear()
    assert set(seen) == {0, 1}  # the worker forked before the list was filled; this process
