"""Run per-article work on every core: chunks of tasks through the build's worker pool.

A build opens one `WorkerPool` for all its stages. Its processes are forked the first
time a stage has enough work for them (in a cold build: the content stage, before any
content is loaded), or before a warm build of a site that size reads its records
(`start`), so a worker holds only the chunk it is given: a pool forked once
the build's records fill the main process shares them copy-on-write, and every record
either process touches (a reference count is a write) is copied, which made the render
stage's peak memory half as big again at 5,000 articles. Chunks are pickled to the
workers; a chunk of render tasks is a few hundred kilobytes. Small jobs stay in this
process (a pool costs more than it saves below ~50 pages).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from types import TracebackType
from typing import TypeVar

Task = TypeVar("Task")
Shared = TypeVar("Shared")
Result = TypeVar("Result")
# A chunk's results as a worker returns them: its pid and CPU seconds so far (0, 0.0 when
# this process ran the chunk), then the results.
Done = tuple[int, float, list[Result]]

POOL_THRESHOLD = 48


def worker_count(requested: int | None) -> int:
    return max(1, requested or os.cpu_count() or 1)


class WorkerPool:
    """The worker processes of one build: started on first use, stopped by `close` (or
    the `with` block's end). Workers keep no state between builds."""

    def __init__(self, jobs: int | None) -> None:
        self.workers = worker_count(jobs)
        self._executor: ProcessPoolExecutor | None = None
        self._reported: dict[int, float] = {}  # worker pid -> its CPU seconds so far

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (they are idle between stages; the commit needs none)."""
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None
            self._reported.clear()  # reaped: their CPU is the children's now

    def start(self) -> None:
        """Fork the workers now, while this process is still small: a build
        that will load its records from the index starts them first (a pool forked
        later shares those records, and every page either process then writes is
        copied: a full re-render at 5,000 articles peaked at 236 MiB that way). Spawned
        workers (the preview's) start empty whenever they start: not started early."""
        if self.workers > 1 and self._executor is None and _start_method() == "fork":
            self._started().submit(int).result()  # the fork happens at the first submit

    def live_cpu(self) -> float:
        """CPU seconds the running workers have spent, as of their last chunk (for
        `StageClock.watch`: the pool outlives the stages it serves)."""
        return sum(self._reported.values())

    def run(self, work: Callable[[Shared, list[Task]], list[Result]], shared: Shared,
            tasks: Sequence[Task], *,
            before: Callable[[list[Task]], None] | None = None) -> list[Result]:
        """`work(shared, chunk)` over chunks of `tasks`, results in task order. This
        process is one of the workers (it would only wait otherwise): the pool has one
        process fewer, so one fewer start-up and one fewer copy of the interpreter.
        `before(chunk)` runs here just before a chunk is handed out or run: work only
        this process may do (making the chunk's folders) is done chunk by chunk while
        the workers run the chunks before it, instead of while they wait."""
        parts = dict(self._chunks(work, shared, tasks, before))
        return [result for index in sorted(parts) for result in parts[index]]

    def as_done(self, work: Callable[[Shared, list[Task]], list[Result]], shared: Shared,
                tasks: Sequence[Task]) -> Iterator[Result]:
        """`run`'s results a chunk at a time as each is done, in no set order: what the
        caller does with them (unpickling, storing) overlaps the workers' later chunks
        instead of following the last one."""
        for _, part in self._chunks(work, shared, tasks, None):
            yield from part

    def _chunks(self, work: Callable[[Shared, list[Task]], list[Result]], shared: Shared,
                tasks: Sequence[Task], before: Callable[[list[Task]], None] | None
                ) -> Iterator[tuple[int, list[Result]]]:
        prepare = before or _nothing
        if self.workers == 1 or len(tasks) < POOL_THRESHOLD:
            prepare(list(tasks))
            yield 0, work(shared, list(tasks))
            return
        pool = self._started()
        chunk = max(8, min(64, len(tasks) // (self.workers * 4) or 1))
        bounds = [(i, i + chunk) for i in range(0, len(tasks), chunk)]

        def submit(b: tuple[int, int]) -> Future[Done[Result]]:
            part = list(tasks[b[0]:b[1]])
            prepare(part)
            return pool.submit(_held, work, shared, part)

        def here(b: tuple[int, int]) -> Done[Result]:
            part = list(tasks[b[0]:b[1]])
            prepare(part)
            return 0, 0.0, work(shared, part)

        for index, (pid, cpu, part) in _shared_out(bounds, submit, here, self.workers - 1):
            if pid:
                self._reported[pid] = cpu
            yield index, part

    def _started(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers - 1, mp_context=multiprocessing.get_context(_start_method()),
                initializer=_quiet_worker)
        return self._executor


def _start_method() -> str:
    """fork is fastest, but forking a process that runs threads (the preview server,
    watchdog) can deadlock a child on a lock held by another thread."""
    return "fork" if hasattr(os, "fork") and threading.active_count() == 1 else "spawn"


def _nothing(chunk: list[Task]) -> None:
    pass


def _shared_out(bounds: list[tuple[int, int]],
                submit: Callable[[tuple[int, int]], Future[Done[Result]]],
                here: Callable[[tuple[int, int]], Done[Result]], pooled: int
                ) -> Iterator[tuple[int, Done[Result]]]:
    """The pool takes chunks from the front (two queued per worker, so none waits for
    this process), this process from the back, until they meet; each chunk's results
    with its index as soon as they are here."""
    front, back = 0, len(bounds)
    queued: dict[Future[Done[Result]], int] = {}
    while front < back or queued:
        while front < back and len(queued) < 2 * pooled:
            queued[submit(bounds[front])] = front
            front += 1
        if front < back:
            back -= 1
            yield back, here(bounds[back])
            finished = [future for future in queued if future.done()]
        else:
            finished = list(wait(queued, return_when=FIRST_COMPLETED).done)
        for future in finished:
            yield queued.pop(future), future.result()


def _quiet_worker() -> None:
    """Ctrl-C reaches the whole process group: the main process stops the build and says
    so once; workers ignore it instead of each printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _held(work: Callable[[Shared, list[Task]], list[Result]], shared: Shared,
          tasks: list[Task]) -> Done[Result]:
    """Test hook (tests/test_interrupt.py), like REELPRESS_FAULT_KILL_AT_MOVE in the writer:
    with REELPRESS_TEST_HOLD_WORKERS=FILE a worker given a chunk creates FILE.held, then
    waits until FILE exists. A chunk reaches a worker only after the pool has forked all
    of them, so a test can interrupt the build at a known point, workers alive."""
    release = os.environ.get("REELPRESS_TEST_HOLD_WORKERS")
    if release:
        _hold(release)
    results = work(shared, tasks)
    return os.getpid(), time.process_time(), results


def _hold(release: str) -> None:
    with open(f"{release}.held", "a"):
        pass
    while not os.path.exists(release):
        time.sleep(0.01)
