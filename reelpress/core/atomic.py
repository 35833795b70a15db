"""One way to replace a file: write a hidden sibling, then rename it over the target,
so a reader (a browser, a deploy, another build) sees the old file or the new one,
never half of it. Every temporary name carries TEMP_MARKER, which is how a cache prune
tells a build's work in progress from a forgotten file."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from reelpress.core.faults import disk_full_fault

TEMP_MARKER = ".part-"


def temp_sibling(final: Path) -> Path:
    """A unique hidden name next to `final` that keeps its extension (ffmpeg and Pillow
    pick the format from it)."""
    return final.with_name(f".{final.stem}{TEMP_MARKER}{os.getpid()}-{secrets.token_hex(4)}"
                           f"{final.suffix}")


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `final`, on failure it
    is deleted and `final` is untouched."""
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = temp_sibling(final)
    try:
        yield temporary
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Replace `path` with `data` (text is written as UTF-8)."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        disk_full_fault(path)


WRITE_NEW = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_whole(path: str, data: bytes) -> None:
    """Create or replace `path` with `data`: one open, writes until all of it is out, one
    close (no buffered file object for a file written whole, thousands per build)."""
    descriptor = os.open(path, WRITE_NEW, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)
