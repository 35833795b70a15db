"""Run per-article work on every core: chunks of tasks through a process pool.

Small jobs stay in this process (a pool costs more than it saves below ~50 pages).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from functools import partial
from typing import Any, TypeVar

Task = TypeVar("Task")
Shared = TypeVar("Shared")
Result = TypeVar("Result")

POOL_THRESHOLD = 48


def worker_count(requested: int | None) -> int:
    return max(1, requested or os.cpu_count() or 1)


def run_chunked(work: Callable[[Shared, list[Task]], list[Result]], shared: Shared,
                tasks: Sequence[Task], *, jobs: int | None) -> list[Result]:
    """`work(shared, chunk)` over chunks of `tasks`, results in task order. This process
    is one of the `jobs` workers (it would only wait otherwise): the pool has one
    process fewer, so one fewer copy of the build's records and one fewer start-up.
    Forked workers inherit `shared` (the build's settings) and the tasks; spawned ones
    get them with each chunk. Either way workers keep no state between builds: a pool
    lives for one call."""
    workers = worker_count(jobs)
    if workers == 1 or len(tasks) < POOL_THRESHOLD:
        return work(shared, list(tasks))
    chunk = max(8, min(64, len(tasks) // (workers * 4) or 1))
    bounds = [(i, i + chunk) for i in range(0, len(tasks), chunk)]
    here = partial(_run_here, work, shared, tasks)
    # fork is fastest, but forking a process that runs threads (the preview server,
    # watchdog) can deadlock a child on a lock held by another thread.
    single_threaded = threading.active_count() == 1
    if hasattr(os, "fork") and single_threaded:
        # Forked workers inherit the tasks (initargs are not pickled under fork): each
        # chunk is sent as two numbers, not as its records (132 MB of pickles for the
        # render tasks of 5,000 articles, about a quarter of a cold build's CPU).
        with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_adopt, initargs=(work, shared, tasks)) as pool:
            return _shared_out(bounds, lambda b: pool.submit(_run_adopted, b), here,
                               workers - 1)
    with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_quiet_worker) as pool:
        return _shared_out(bounds, lambda b: pool.submit(
            _held, work, shared, list(tasks[b[0]:b[1]])), here, workers - 1)


def _run_here(work: Callable[[Shared, list[Task]], list[Result]], shared: Shared,
              tasks: Sequence[Task], bounds: tuple[int, int]) -> list[Result]:
    return work(shared, list(tasks[bounds[0]:bounds[1]]))


def _shared_out(bounds: list[tuple[int, int]],
                submit: Callable[[tuple[int, int]], Future[list[Result]]],
                here: Callable[[tuple[int, int]], list[Result]], pooled: int) -> list[Result]:
    """The pool takes chunks from the front (two queued per worker, so none waits for
    this process), this process from the back, until they meet; results in order."""
    parts: list[list[Result] | None] = [None] * len(bounds)
    front, back = 0, len(bounds)
    queued: dict[Future[list[Result]], int] = {}
    while front < back or queued:
        while front < back and len(queued) < 2 * pooled:
            queued[submit(bounds[front])] = front
            front += 1
        if front < back:
            back -= 1
            parts[back] = here(bounds[back])
            finished = [future for future in queued if future.done()]
        else:
            finished = list(wait(queued, return_when=FIRST_COMPLETED).done)
        for future in finished:
            parts[queued.pop(future)] = future.result()
    return [result for part in parts if part is not None for result in part]


def _quiet_worker() -> None:
    """Ctrl-C reaches the whole process group: the main process stops the build and says
    so once; workers ignore it instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# In a forked worker only: the work, settings and tasks of the pool that forked it.
_adopted: list[tuple[Callable[..., list[Any]], Any, Sequence[Any]]] = []


def _adopt(work: Callable[..., list[Any]], shared: object, tasks: Sequence[object]) -> None:
    _quiet_worker()
    _adopted.append((work, shared, tasks))


def _run_adopted(bounds: tuple[int, int]) -> list[Any]:
    work, shared, tasks = _adopted[-1]
    return _held(work, shared, list(tasks[bounds[0]:bounds[1]]))


def _held(work: Callable[[Shared, list[Task]], list[Result]], shared: Shared,
          tasks: list[Task]) -> list[Result]:
    """Test hook (tests/test_interrupt.py), like REELPRESS_FAULT_KILL_AT_MOVE in the writer:
    with REELPRESS_TEST_HOLD_WORKERS=FILE a worker given a chunk creates FILE.held, then
    waits until FILE exists. A chunk reaches a worker only after the pool has forked all
    of them, so a test can interrupt the build at a known point, workers alive."""
    release = os.environ.get("REELPRESS_TEST_HOLD_WORKERS")
    if release:
        _hold(release)
    return work(shared, tasks)


def _hold(release: str) -> None:
    with open(f"{release}.held", "a"):
        pass
    while not os.path.exists(release):
        time.sleep(0.01)
