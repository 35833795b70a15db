"""The deploy record: which files of this site a deploy put at the destination.

One JSON file per destination, kept in the project (`ledger`); older versions kept it
at the destination as `.reelpress-manifest.json`, which is still read once. It lists
only public files, and it is untrusted input (a file anyone with the project, or the
old web root, can edit), so every entry is checked before it can name a file to delete.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from reelpress.core.tree import files_below

RECORD_NAME = ".reelpress-manifest.json"
RECORD_VERSIONS = (1, 2)
# Prefix of the temporary names a folder deploy writes before renaming into place.
TEMP_MARKER = ".reelpress-tmp-"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class SiteFile:
    """One file of the built site, identified by content."""

    rel: str
    sha256: str
    size: int


@dataclass(frozen=True)
class RecordEntry:
    sha256: str
    size: int
    etag: str = ""  # object storage only: the ETag the store gave the upload


class RecordError(Exception):
    """The record at the destination cannot be trusted; `line` points into it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def unsafe_path_reason(rel: str) -> str:
    """Why `rel` is not a plain relative path inside the destination ('' when it is)."""
    if not rel:
        return "is empty"
    if _CONTROL.search(rel):
        return "has control characters"
    if "\\" in rel:
        return "has a backslash"
    if rel.startswith("/") or re.match(r"^[A-Za-z]:", rel):
        return "is an absolute path"
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "leaves the destination" if ".." in parts else "is not a normalised path"
    if parts[-1] == RECORD_NAME or parts[-1].startswith(TEMP_MARKER):
        return "names reelpress's own bookkeeping file"
    return ""


def _line_of(text: str, rel: str) -> int | None:
    needle = json.dumps(rel) + ":"
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def parse_record(text: str) -> dict[str, RecordEntry]:
    """Validate a record's text; raises `RecordError` naming the first bad entry."""
    try:
        document = json.loads(text)
    except ValueError as failure:
        line = getattr(failure, "lineno", None)
        raise RecordError(f"not valid JSON ({failure.args[0].split(':')[0]})", line) from None
    if not isinstance(document, dict) or not isinstance(document.get("files"), dict):
        raise RecordError("expected an object with a 'files' table", 1)
    if document.get("version") not in RECORD_VERSIONS:
        raise RecordError(f"unknown record version {document.get('version')!r}", None)
    entries: dict[str, RecordEntry] = {}
    for rel, value in document["files"].items():
        reason = unsafe_path_reason(rel)
        if reason:
            raise RecordError(f"entry {rel!r} {reason}", _line_of(text, rel))
        if (
            not isinstance(value, dict)
            or not isinstance(value.get("sha256"), str)
            or not _SHA256.match(value["sha256"])
            or not isinstance(value.get("size"), int)
            or isinstance(value.get("size"), bool)
            or value["size"] < 0
            or not isinstance(value.get("etag", ""), str)
        ):
            raise RecordError(
                f"entry {rel!r} needs a sha256 (64 hex digits) and a size", _line_of(text, rel)
            )
        entries[rel] = RecordEntry(value["sha256"], value["size"], value.get("etag", ""))
    return entries


def record_json(entries: dict[str, RecordEntry]) -> str:
    """The record's text: one entry per line block, sorted, so diffs of it read well."""
    files: dict[str, dict[str, object]] = {}
    for rel in sorted(entries):
        entry = entries[rel]
        files[rel] = {"sha256": entry.sha256, "size": entry.size}
        if entry.etag:
            files[rel]["etag"] = entry.etag
    document = {"generator": "reelpress", "version": 2, "files": files}
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def site_inventory(site_dir: Path) -> tuple[SiteFile, ...]:
    """Every file of the built site (symlinks to files included) with its digest, sorted."""
    found = [SiteFile(rel, *file_digest(path))
             for rel, path in files_below(site_dir) if path.is_file()]
    return tuple(sorted(found, key=lambda item: item.rel))
