"""The cold build an incremental one must equal, byte for byte (shared by the property
and delta tests); `tree` is `mounts.file_tree`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from mounts import file_tree as tree


def cold_result(root: Path, target: Path) -> dict[str, bytes]:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("site", ".reelpress-cache"))
    for kept in ("media", "images"):  # the content-addressed media cache only
        if (root / ".reelpress-cache" / kept).is_dir():
            shutil.copytree(root / ".reelpress-cache" / kept, target / ".reelpress-cache" / kept)
    # a separate process: nothing cached in this one (compiled templates, memos) can
    # make the cold build as stale as the incremental one
    script = ("import datetime as dt, sys; from pathlib import Path; "
              "from reelpress.pipeline import BuildOptions, build_site; "
              "r = build_site(BuildOptions(root=Path(sys.argv[1]), jobs=1, quiet=True, "
              "now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))); "
              "sys.exit(0 if r.ok else [print(d.format()) for d in r.diagnostics] and 1)")
    subprocess.run([sys.executable, "-c", script, str(target)], check=True,
                   env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    return tree(target / "site")


__all__ = ["cold_result", "tree"]
