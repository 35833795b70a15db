"""Child processes that Ctrl-C reaches, and waiting for a file a child makes.

A test suite started in the background (`pytest &`, nohup, many CI runners) inherits
SIGINT *ignored*; Python then never installs its KeyboardInterrupt handler, and a
child sent SIGINT simply keeps running. That, not load, is why the Ctrl-C tests
used to fail "under load" (they were run in the background) and pass alone.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any


def start_interruptible(args: list[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """`subprocess.Popen(args)` with SIGINT at its default in the child, whatever this
    process inherited (a handler that is not SIG_IGN becomes SIG_DFL across exec)."""
    previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        return subprocess.Popen(args, **kwargs)
    finally:
        signal.signal(signal.SIGINT, previous)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[Any], what: str,
             timeout: float = 120.0) -> None:
    """Block until `condition()` (something the child made); fail at once if the child
    ended. `timeout` only bounds a broken test, it is not part of what is checked."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the child ended (status {process.returncode}) " \
                                       f"before {what}"
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.01)


def wait_for_file(path: Path, process: subprocess.Popen[Any], timeout: float = 120.0) -> None:
    wait_for(lambda: os.path.exists(path), process, f"{path.name} appeared", timeout)


def read_until(stream: IO[bytes], marker: bytes, process: subprocess.Popen[Any],
               timeout: float = 120.0) -> bytes:
    """What the child has written to `stream` up to and including `marker` (a pipe read
    with select, so a line that never comes fails the test instead of hanging it)."""
    deadline = time.monotonic() + timeout
    data = b""
    while marker not in data:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"never printed {marker!r}; so far {data!r}"
        chunk = os.read(stream.fileno(), 65536)
        assert chunk, f"the child ended (status {process.wait()}) before printing {marker!r}: " \
                      f"{data!r}"
        data += chunk
    return data
