"""Loaded into each test Dask worker (`dask worker --preload`): records every file the
worker process opens, lists, renames or removes and every command it starts, one line
per event, in $REELPRESS_AUDIT_LOG. Tests read it back to prove what a worker touched
(Python's audit hooks see every `open`, including those of Pillow's Python side; ffmpeg's
files are exactly the paths in its argument list, which the `subprocess.Popen` line shows).
"""

from __future__ import annotations

import os
import sys
import threading

_INSTALLED = "_reelpress_audit_installed"  # Dask may run a preload file more than once
_EVENTS = {"open", "os.listdir", "os.scandir", "os.rename", "os.remove", "os.mkdir",
           "shutil.copyfile", "subprocess.Popen"}
_log = open(os.environ["REELPRESS_AUDIT_LOG"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
_lock = threading.Lock()
_inside = threading.local()


def _describe(event: str, args: tuple[object, ...]) -> str:
    if event == "subprocess.Popen":
        command = args[1]
        return " ".join(os.fsdecode(a) for a in command) if isinstance(command, list | tuple) \
            else str(command)
    return " ".join(os.fsdecode(a) if isinstance(a, str | bytes) else str(a) for a in args[:2])


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event not in _EVENTS or getattr(_inside, "busy", False):
        return
    _inside.busy = True
    try:
        line = f"{event}\t{_describe(event, args)}".replace("\n", " ")
        with _lock:
            _log.write(line + "\n")
    finally:
        _inside.busy = False


if not getattr(sys, _INSTALLED, False):
    setattr(sys, _INSTALLED, True)
    sys.addaudithook(_hook)
