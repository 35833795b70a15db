"""One tree walker: every folder and file below a root, named by its POSIX path
relative to the root, so listings of site/, themes, the cache and reelpress's own code
agree on names and order (sorted, a folder before its contents)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path


def walk(root: Path, *, skip_dir: Callable[[str], bool] | None = None
         ) -> Iterator[tuple[str, Path, bool]]:
    """(relative POSIX path, path, is a folder) below `root`; nothing when it is not a
    folder. `skip_dir(rel)` leaves a folder (and what it holds) out. Symbolic links to
    folders are listed as entries, not followed."""
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        prefix = base.relative_to(root).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        dirs.sort()
        if skip_dir is not None:
            dirs[:] = [name for name in dirs if not skip_dir(prefix + name)]
        for name in dirs:
            yield prefix + name, base / name, True
        for name in sorted(files):
            yield prefix + name, base / name, False


def files_below(root: Path, *, skip_dir: Callable[[str], bool] | None = None
                ) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every file below `root`."""
    return ((rel, path) for rel, path, is_dir in walk(root, skip_dir=skip_dir) if not is_dir)
