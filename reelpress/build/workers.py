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
from typing import Any, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

POOL_THRESHOLD = 48


def worker_count(requested: int | None) -> int:
    return max(1, requested or os.cpu_count() or 1)


def run_chunked(work: Callable[[list[Task]], list[Result]], tasks: Sequence[Task], *,
                jobs: int | None, initializer: Callable[..., None], initargs: tuple[Any, ...],
                meanwhile: Callable[[], None] | None = None) -> list[Result]:
    """`work` over `tasks` in order; `initializer(*initargs)` sets up each process once.
    `meanwhile` runs in this process while the workers are busy (its exceptions win)."""
    workers = worker_count(jobs)
    if workers == 1 or len(tasks) < POOL_THRESHOLD:
        initializer(*initargs)
        results = work(list(tasks))
        if meanwhile is not None:
            meanwhile()
        return results
    chunk = max(8, min(64, len(tasks) // (workers * 4) or 1))
    chunks = [list(tasks[i:i + chunk]) for i in range(0, len(tasks), chunk)]
    # fork is fastest, but forking a process that runs threads (the preview server,
    # watchdog) can deadlock a child on a lock held by another thread.
    single_threaded = threading.active_count() == 1
    context = multiprocessing.get_context(
        "fork" if hasattr(os, "fork") and single_threaded else "spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet_worker,
                             initargs=(initializer, initargs)) as pool:
        pending = pool.map(work, chunks)
        if meanwhile is not None:
            meanwhile()
        results: list[Result] = []
        for part in pending:
            results.extend(part)
    return results


def _quiet_worker(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    """Ctrl-C reaches the whole process group: the main process stops the build and says
    so once; workers ignore it instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer(*initargs)
