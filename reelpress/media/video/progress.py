"""Progress of media jobs on stderr: a live status line on a terminal, plain log
lines otherwise (CI logs), nothing when quiet. Thread-safe: workers report into it.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from reelpress.media.video.plan import MediaJob

# Rough relative cost per second of media, so the overall ETA is not dominated by
# near-instant remuxes and posters.
_WEIGHT = {
    "h264": 1.0,
    "av1": 0.8,
    "remux": 0.02,
    "poster": 0.05,
    "m4a": 0.05,
    "opus": 0.05,
    "caption": 0.0,
}


def _weight(job: MediaJob) -> float:
    duration = job.info.duration if job.info else 0.0
    return max(0.01, _WEIGHT.get(job.kind, 0.1) * max(duration, 0.1))


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class Progress:
    """Base: silent. `create` returns the right kind for the stream."""

    def __init__(self, jobs: tuple[MediaJob, ...], stream: TextIO):
        self.stream = stream
        self.total_jobs = len(jobs)
        self.total_weight = sum(_weight(job) for job in jobs) or 1.0
        self.done_jobs = 0
        self.done_weight = 0.0
        self.running: dict[MediaJob, float] = {}  # job -> fraction done
        self.started = time.monotonic()
        self.lock = threading.Lock()

    @classmethod
    def create(cls, jobs: tuple[MediaJob, ...], *, quiet: bool, stream: TextIO | None) -> Progress:
        out = stream or sys.stderr
        if quiet or not jobs:
            return cls(jobs, out)
        if out.isatty():
            return TerminalProgress(jobs, out)
        return LogProgress(jobs, out)

    def callback(self, job: MediaJob) -> Callable[[float], None] | None:
        duration = job.info.duration if job.info else 0.0

        def report(seconds_done: float) -> None:
            with self.lock:
                self.running[job] = min(1.0, seconds_done / duration) if duration else 0.0
            self.update()

        return report

    def finished(self, job: MediaJob, *, failed: bool, worker: str | None = None) -> None:
        """`worker`: the Dask worker that made the outputs (None: this machine)."""
        with self.lock:
            self.running.pop(job, None)
            self.done_jobs += 1
            self.done_weight += _weight(job)
        self.report_finished(job, failed, worker)

    def overall(self) -> tuple[float, float | None]:
        """(fraction done, seconds left or None while unknown)."""
        with self.lock:
            done = self.done_weight + sum(_weight(j) * f for j, f in self.running.items())
        fraction = min(1.0, done / self.total_weight)
        elapsed = time.monotonic() - self.started
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        return fraction, eta

    def update(self) -> None:
        pass

    def report_finished(self, job: MediaJob, failed: bool, worker: str | None) -> None:
        pass

    def close(self) -> None:
        pass


class LogProgress(Progress):
    """One line per finished job, for logs that are not terminals."""

    def report_finished(self, job: MediaJob, failed: bool, worker: str | None) -> None:
        fraction, eta = self.overall()
        state = "FAILED" if failed else "done"
        where = f" on {worker}" if worker else ""
        left = f", about {_clock(eta)} left" if eta is not None and fraction < 1 else ""
        self.stream.write(
            f"media: [{self.done_jobs}/{self.total_jobs}] {job.label} ({job.kind}) {state}"
            f"{where} - {fraction:.0%} overall{left}\n"
        )
        self.stream.flush()


class TerminalProgress(Progress):
    """A status line rewritten in place: each running job's percentage, overall and ETA."""

    min_interval = 0.1

    def __init__(self, jobs: tuple[MediaJob, ...], stream: TextIO):
        super().__init__(jobs, stream)
        self.last_draw = 0.0
        self.last_done = ""

    def update(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_draw < self.min_interval:
            return
        self.last_draw = now
        fraction, eta = self.overall()
        with self.lock:
            parts = [f"{job.label} {job.kind} {done:.0%}" for job, done in self.running.items()]
        eta_text = f" ETA {_clock(eta)}" if eta is not None else ""
        if self.last_done:
            parts.append(self.last_done)
        line = f"media {self.done_jobs}/{self.total_jobs} {fraction:.0%}{eta_text}" + (
            " | " + " | ".join(parts) if parts else ""
        )
        self.stream.write("\r\x1b[K" + line[:200])
        self.stream.flush()

    def report_finished(self, job: MediaJob, failed: bool, worker: str | None) -> None:
        where = f" on {worker}" if worker else ""
        if failed:
            self.stream.write(f"\r\x1b[Kmedia: {job.label} ({job.kind}) FAILED{where}\n")
        elif worker:
            self.last_done = f"{job.label} {job.kind} done{where}"
        self.update(force=True)

    def close(self) -> None:
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r\x1b[Kmedia: {self.done_jobs}/{self.total_jobs} jobs in {elapsed:.1f} s\n"
        )
        self.stream.flush()
