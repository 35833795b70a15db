"""Where the deploy record is kept: in the project, never at the destination.

A record in the web root is a file the web server publishes (`/.reelpress-manifest.json`
listing every file with its digest), so each destination's record lives in the
project's `.reelpress-deploy/` folder, one file per destination, named from the
destination itself (a folder by its real path, SSH with host, port and path, a bucket
with its prefix). `reelpress clean` and `--force` leave it alone. It is still read as
untrusted input (`record.parse_record`): the checks that keep a deploy inside DEST do
not depend on where the record was found.

A record an older reelpress left at the destination is read when the project has none,
then removed from the destination once the deploy has written the project's copy.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from reelpress.commands.deploy.contract import BackendError
from reelpress.commands.deploy.destination import FolderTarget, S3Target, SshTarget
from reelpress.core.atomic import atomic_write

RECORDS_FOLDER = ".reelpress-deploy"


def destination_key(target: FolderTarget | SshTarget | S3Target) -> str:
    """One name per destination, however DEST was spelled (a folder by its real path)."""
    if isinstance(target, FolderTarget):
        return "folder:" + os.path.realpath(target.path)
    if isinstance(target, SshTarget):
        return f"ssh:{target.login}:{target.port or ''}:{target.path}"
    return f"s3:{target.bucket}/{target.prefix}"


def record_path(records_dir: Path, target: FolderTarget | SshTarget | S3Target) -> Path:
    """`records_dir/<readable part>-<digest>.json`: readable, and unique per destination."""
    key = destination_key(target)
    readable = re.sub(r"[^A-Za-z0-9]+", "-", key).strip("-")[-60:].lstrip("-")
    return records_dir / f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"


def read_local_record(path: Path) -> str | None:
    """The record's text, or None when this project never deployed there."""
    if not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as failure:
        raise BackendError(f"cannot read the deploy record: {failure}",
                           "remove it: the next deploy adopts identical files",
                           where=str(path)) from None


def write_local_record(path: Path, text: str) -> None:
    atomic_write(path, text)
