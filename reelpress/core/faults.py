"""Fault injection for the tests of a full disk where no small file system can be
mounted: with REELPRESS_FAULT_DISK_FULL=TEXT, a write whose path contains TEXT fails
with ENOSPC after its bytes went to the temporary file, as on a disk that fills up."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def disk_full_fault(path: Path) -> None:
    """Raise what a full disk raises when the test asks for it (else nothing)."""
    marker = os.environ.get("REELPRESS_FAULT_DISK_FULL", "")
    if marker and marker in str(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
