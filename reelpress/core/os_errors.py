"""A failed read or write of the machine (a full disk, a read-only `site/`) as one line,
the same in the terminal of a build and in the preview's overlay: it is the machine's
problem, not a bug, so it gets a reason and what to do, never a traceback."""

from __future__ import annotations

import contextlib
import errno
from pathlib import Path

from reelpress.core.diagnostics import Diagnostic, error

_OS_HINTS = {errno.ENOSPC: "free some disk space and build again",
             errno.EDQUOT: "free some disk space and build again",
             errno.EROFS: "the folder is on a read-only file system",
             errno.EACCES: "check the folder's permissions",
             errno.EPERM: "check the folder's permissions",
             errno.EXDEV: "site/ is on another file system than the project (a mount point?)"}


def os_error_diagnostic(exc: OSError, root: Path) -> Diagnostic:
    """The file (relative to the project), the system's reason, and what to do."""
    where = str(exc.filename) if exc.filename is not None else str(root)
    with contextlib.suppress(ValueError, OSError):
        where = Path(where).resolve().relative_to(Path(root).resolve()).as_posix()
    reason = " ".join((exc.strerror or str(exc)).split())
    return error(where, None, f"{reason}; the build stopped", _OS_HINTS.get(exc.errno or 0, ""))


def os_error_text(exc: OSError, root: Path) -> str:
    """`site/index.html: Read-only file system; the build stopped (...)`: one line."""
    return os_error_diagnostic(exc, root).format()
