"""Run one ffmpeg argument list: no shell, progress from `-progress pipe:1`, a timeout,
and no orphans: on timeout, error or Ctrl-C the child is killed and waited for.

Outputs are written under temporary names in the cache directory and renamed
only when every output of the command exists, so a cache entry is never half-written.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import functools
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reelpress.core.atomic import TEMP_MARKER as TEMP_MARKER  # re-exported
from reelpress.core.atomic import temp_sibling
from reelpress.media.video.ffmpeg import summarize_stderr


class CommandFailed(RuntimeError):
    """ffmpeg exited non-zero or timed out; `summary` is one line for a Diagnostic."""

    def __init__(self, summary: str):
        super().__init__(summary)
        self.summary = summary


@dataclass
class ProcessRegistry:
    """The children currently running, so the thread that sees Ctrl-C can kill them all."""

    _live: set[subprocess.Popen[bytes]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    cancelled: bool = False

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            if self.cancelled:
                proc.kill()
            self._live.add(proc)

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live.discard(proc)

    def kill_all(self) -> None:
        with self._lock:
            self.cancelled = True
            live = list(self._live)
        for proc in live:
            _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SVT_LOG", "1")  # SVT-AV1 prints its banner to stderr unless told errors only
    return env


PR_SET_PDEATHSIG = 1  # linux/prctl.h


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up once in the parent (the forked child only calls it)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGKILL the child when the thread that started it
    ends: a build or a Dask worker killed with -9 takes its ffmpeg with it instead of
    leaving it encoding for nobody. (The thread, not the process: every job starts its
    ffmpeg in the thread that then waits for it, so the two end together.)"""
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def arm() -> None:  # runs in the child between fork and exec: no locks, no imports
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took hold
            os._exit(1)

    return arm


def _start(args: list[str], registry: ProcessRegistry | None) -> subprocess.Popen[bytes]:
    if registry is not None and registry.cancelled:
        raise CommandFailed("cancelled")
    # A new session keeps the terminal's Ctrl-C away from ffmpeg: we kill it ourselves,
    # after which its temporary outputs are removed.
    proc = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(),
        start_new_session=True,
        preexec_fn=_die_with_parent(),  # noqa: PLW1509 - async-signal-safe: one libc call
    )
    if registry is not None:
        registry.add(proc)
    return proc


def run_command(
    args: list[str],
    *,
    timeout: float,
    on_progress: Callable[[float], None] | None = None,
    registry: ProcessRegistry | None = None,
) -> str:
    """Run ffmpeg to completion; `on_progress(seconds_done)` as it reports. Raises CommandFailed.

    Returns ffmpeg's complaints (one line, often empty) even on success: a damaged source
    can still "succeed" with errors logged, and the caller may want to say so."""
    proc = _start(args, registry)
    stderr_tail: collections.deque[str] = collections.deque(maxlen=40)

    def drain_stderr() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            stderr_tail.append(raw.decode("utf-8", "replace").rstrip())

    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        with contextlib.suppress(ProcessLookupError):
            proc.kill()

    drainer = threading.Thread(target=drain_stderr, daemon=True)
    timer = threading.Timer(timeout, on_timeout)
    drainer.start()
    timer.start()
    try:
        assert proc.stdout is not None
        for raw in proc.stdout:
            key, _, value = raw.decode("ascii", "replace").strip().partition("=")
            if key == "out_time_us" and on_progress and value.lstrip("-").isdigit():
                on_progress(max(0, int(value)) / 1_000_000)
        proc.wait()
    except BaseException:
        _kill(proc)
        raise
    finally:
        timer.cancel()
        drainer.join(timeout=5)
        if registry is not None:
            registry.discard(proc)
    if timed_out.is_set():
        raise CommandFailed(f"ffmpeg did not finish within {timeout:.0f} s and was stopped")
    if proc.returncode != 0:
        if registry is not None and registry.cancelled:
            raise CommandFailed("cancelled")
        raise CommandFailed(summarize_stderr("\n".join(stderr_tail)))
    return summarize_stderr("\n".join(stderr_tail)) if stderr_tail else ""


def run_capture(
    args: list[str], *, timeout: float, registry: ProcessRegistry | None = None
) -> bytes:
    """Run a short command and return its stdout (used for raw frames)."""
    proc = _start(args, registry)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill(proc)
        raise CommandFailed(f"ffmpeg did not finish within {timeout:.0f} s") from exc
    except BaseException:
        _kill(proc)
        raise
    finally:
        if registry is not None:
            registry.discard(proc)
    if proc.returncode != 0:
        raise CommandFailed(summarize_stderr(err.decode("utf-8", "replace")))
    return out


@contextlib.contextmanager
def atomic_outputs(finals: tuple[Path, ...]) -> Iterator[tuple[Path, ...]]:
    """Yield temp paths for `finals`; rename all of them on success, delete them on failure."""
    temps = tuple(temp_sibling(final) for final in finals)
    for final in finals:
        final.parent.mkdir(parents=True, exist_ok=True)
    try:
        yield temps
        missing = [t.name for t in temps if not t.is_file() or t.stat().st_size == 0]
        if missing:
            raise CommandFailed("ffmpeg finished without writing " + ", ".join(missing))
        for temp, final in zip(temps, finals, strict=True):
            os.replace(temp, final)
    finally:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
