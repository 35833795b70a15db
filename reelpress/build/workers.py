"""Run per-article work on every core: chunks of tasks through a process pool.

Small jobs stay in this process (a pool costs more than it saves below ~50 pages).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
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
        for part in pool.map(work, [shared] * len(chunks), chunks):
            results.extend(part)
    return results


def _quiet_worker() -> None:
    """Ctrl-C reaches the whole process group: the main process stops the build and says
    so once; workers ignore it instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
