"""Mounts for fault tests (a small tmpfs for a full disk, a read-only bind mount), and
the file tree of a folder to compare builds byte for byte."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def mounted(*args: str) -> Iterator[None]:
    """`mount ARGS` for the block; the test is skipped (with the reason) only where the
    sandbox forbids mounts (as root, here and in CI, they run)."""
    target = args[-1]
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", target], check=True)


def file_tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by its relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
