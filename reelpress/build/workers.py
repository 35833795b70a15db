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
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TypeVar

Task = TypeVar("Task")
Shared = TypeVar("Shared")
Result = TypeVar("Result")

POOL_THRESHOLD = 48


def worker_count(requested: int | None) -> int:
    return max(1, requested or os.cpu_count() or 1)


def run_chunked(work: Callable[[Shared, list[Task]], list[Result]], shared: Shared,
                tasks: Sequence[Task], *, jobs: int | None) -> list[Result]:
    """`work(shared, chunk)` over chunks of `tasks`, results in task order. `shared` (the
    build's settings) travels with each chunk: workers keep no state between chunks."""
    workers = worker_count(jobs)
    if workers == 1 or len(tasks) < POOL_THRESHOLD:
        return work(shared, list(tasks))
    chunk = max(8, min(64, len(tasks) // (workers * 4) or 1))
    chunks = [list(tasks[i:i + chunk]) for i in range(0, len(tasks), chunk)]
    # fork is fastest, but forking a process that runs threads (the preview server,
    # watchdog) can deadlock a child on a lock held by another thread.
    single_threaded = threading.active_count() == 1
    context = multiprocessing.get_context(
        "fork" if hasattr(os, "fork") and single_threaded else "spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet_worker) as pool:
        results: list[Result] = []
        for part in pool.map(partial(_held, work), [shared] * len(chunks), chunks):
            results.extend(part)
    return results


def _quiet_worker() -> None:
    """Ctrl-C reaches the whole process group: the main process stops the build and says
    so once; workers ignore it instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
