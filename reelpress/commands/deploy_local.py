"""Incremental copy of a built site into a local folder, driven by a content-hash manifest.

`plan_local` decides (reading, never writing); `apply_plan` carries the plan
out. The manifest (`.reelpress-manifest.json` in the destination) records which
files reelpress put there and their SHA-256, so unchanged files are skipped
without re-reading them and only files reelpress owns are ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = ".reelpress-manifest.json"
MANIFEST_VERSION = 1
_TEMP_MARKER = ".reelpress-tmp-"


@dataclass(frozen=True)
class ManifestEntry:
    sha256: str
    size: int


@dataclass(frozen=True)
class LocalPlan:
    """Site-relative paths by fate, and the manifest to write when done."""

    copy: tuple[str, ...]
    unchanged: tuple[str, ...]
    delete: tuple[str, ...]
    keep: tuple[str, ...]  # stale files left in place because delete=False
    conflicts: tuple[str, ...]  # files reelpress did not deploy that `copy` would overwrite
    manifest: tuple[tuple[str, ManifestEntry], ...]


def site_files(site_dir: Path) -> tuple[str, ...]:
    """Every file of the site (symlinks to files included), sorted POSIX relative paths."""
    found = []
    for folder, _dirs, names in os.walk(site_dir):
        prefix = Path(folder).relative_to(site_dir)
        found += [(prefix / name).as_posix() for name in names if (Path(folder) / name).is_file()]
    return tuple(sorted(found))


def file_digest(path: Path) -> ManifestEntry:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return ManifestEntry(digest.hexdigest(), size)


def read_manifest(dest: Path) -> dict[str, ManifestEntry]:
    """The previous deploy's record; an unreadable one counts as none (nothing is owned)."""
    try:
        data = json.loads((dest / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {
            str(rel): ManifestEntry(str(entry["sha256"]), int(entry["size"]))
            for rel, entry in data["files"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def manifest_json(entries: tuple[tuple[str, ManifestEntry], ...]) -> str:
    files = {rel: {"sha256": entry.sha256, "size": entry.size} for rel, entry in entries}
    document = {"generator": "reelpress", "version": MANIFEST_VERSION, "files": files}
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def _already_there(target: Path, entry: ManifestEntry, deployed: ManifestEntry | None) -> bool:
    """Trust the manifest when it matches (and the size agrees); otherwise read the file."""
    if deployed == entry and target.stat().st_size == entry.size:
        return True
    return file_digest(target) == entry


def plan_local(site_dir: Path, dest: Path, *, delete: bool) -> LocalPlan:
    """Decide each file's fate by comparing hashes of the site with the destination.

    A destination file listed in the manifest with the same hash and size is
    trusted without reading it; one not listed is hashed, and adopted when equal.
    """
    previous = read_manifest(dest)
    current = {rel: file_digest(site_dir / rel) for rel in site_files(site_dir)}
    copy, unchanged, conflicts = [], [], []
    for rel, entry in current.items():
        target = dest / rel
        if not target.is_file():
            copy.append(rel)
            if target.exists() or target.is_symlink():
                conflicts.append(rel)  # a folder (or dangling link) stands where the file goes
        elif _already_there(target, entry, previous.get(rel)):
            unchanged.append(rel)
        else:
            copy.append(rel)
            if rel not in previous:
                conflicts.append(rel)
    stale = sorted(set(previous) - set(current))
    removable = [rel for rel in stale if (dest / rel).is_file()] if delete else []
    keep = [] if delete else [rel for rel in stale if (dest / rel).is_file()]
    manifest = dict(current)
    manifest.update({rel: previous[rel] for rel in keep})
    return LocalPlan(
        copy=tuple(copy),
        unchanged=tuple(unchanged),
        delete=tuple(removable),
        keep=tuple(keep),
        conflicts=tuple(conflicts),
        manifest=tuple(sorted(manifest.items())),
    )


def _atomic_copy(source: Path, target: Path) -> None:
    """Write next to the target, then rename: readers see the old or the new file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        target.rmdir()  # an empty folder where the file goes; a full one raises
    temp = target.with_name(f"{_TEMP_MARKER}{os.getpid()}-{target.name}")
    try:
        shutil.copyfile(source, temp)
        shutil.copymode(source, temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _write_text_atomic(target: Path, text: str) -> None:
    temp = target.with_name(f"{_TEMP_MARKER}{os.getpid()}-{target.name}")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _prune_empty_parents(path: Path, stop: Path) -> None:
    """Remove folders a deletion left empty, up to (not including) `stop`."""
    folder = path.parent
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or not ours to remove)
        folder = folder.parent


def apply_plan(plan: LocalPlan, site_dir: Path, dest: Path) -> tuple[str, ...]:
    """Delete, then copy, then write the manifest; returns the paths that failed.

    A failed file keeps its previous manifest entry (or none), so the next run retries it.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for rel in plan.delete:
        (dest / rel).unlink(missing_ok=True)
        _prune_empty_parents(dest / rel, dest)
    failures = []
    for rel in plan.copy:
        try:
            _atomic_copy(site_dir / rel, dest / rel)
        except OSError:
            failures.append(rel)
    previous = read_manifest(dest)
    entries = tuple(
        (rel, previous[rel] if rel in failures else entry)
        for rel, entry in plan.manifest
        if rel not in failures or rel in previous
    )
    _write_text_atomic(dest / MANIFEST_NAME, manifest_json(entries))
    return tuple(failures)
