"""Full-text search that works on any static host: Pagefind indexes the finished site.

The indexer is Pagefind's own binary (the `pagefind[bin]` wheel ships it: nothing is
downloaded at run time). It only indexes what the theme marks with `data-pagefind-body`
(article pages; not listings, the 404 page or drafts) and writes one index per `<html
lang>`. The index is made in a fresh folder, kept in the cache (so a failed run, or a
build that pruned site/, puts the last good one back) and copied into `site/pagefind/`
file by file (unchanged files untouched). The indexer runs only when an indexed page
changed: the key is the stat signature of every HTML file (unchanged pages keep their
mtime, see output/writer.py) and of the indexer itself. A missing or failing indexer is
a warning: the site is still good, only its search is stale.
"""

from __future__ import annotations

import contextlib
import filecmp
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from reelpress.core.atomic import atomic_path, atomic_write
from reelpress.core.diagnostics import Reporter, warning
from reelpress.core.settings import SearchSettings as SearchSettings  # re-exported
from reelpress.core.tree import files_below
from reelpress.output.writer import OutputStats

INDEX_DIR = "pagefind"
ENTRY_FILE = "pagefind-entry.json"
RECORD_FILE = "search-index.json"
KEPT_DIR = "search-index"
INDEXER_TIMEOUT_S = 900
_WHERE = "site.toml"


def find_indexer(settings: SearchSettings) -> str | None:
    """The Pagefind executable: `[search] command`, else the `pagefind_bin` wheel's, else
    one on PATH; None when there is none."""
    if settings.command:
        found = shutil.which(settings.command)
        return found or (settings.command if os.path.isfile(settings.command) else None)
    try:
        import pagefind_bin  # type: ignore[import-untyped]  # the `pagefind[bin]` extra

        return str(pagefind_bin.get_executable())
    except (ImportError, FileNotFoundError):
        return shutil.which("pagefind_extended") or shutil.which("pagefind")


def pages_key(site_dir: Path, indexer: str) -> str:
    """Changes when an HTML page of the site or the indexer binary changes."""
    entries: list[str] = []
    index_dir = site_dir / INDEX_DIR
    for rel, path in files_below(site_dir, skip_dir=lambda rel: rel == INDEX_DIR):
        if rel.endswith(".html"):
            stat = path.stat()
            entries.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    stat = os.stat(indexer)
    entries.sort()
    entries.append(f"{indexer}:{stat.st_size}:{stat.st_mtime_ns}:{index_dir}")
    return hashlib.sha1("\n".join(entries).encode("utf-8", "surrogateescape")).hexdigest()


def _entry_signature(site_dir: Path) -> list[int] | None:
    try:
        stat = (site_dir / INDEX_DIR / ENTRY_FILE).stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _record(record_path: Path) -> dict[str, object]:
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _remember(record_path: Path, key: str, site_dir: Path) -> None:
    atomic_write(record_path, json.dumps({"key": key, "entry": _entry_signature(site_dir)}))


def _failure(process: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (process.stderr + process.stdout).splitlines()
             if line.strip()]
    return lines[-1] if lines else f"exit status {process.returncode}"


def _files(folder: Path) -> dict[str, Path]:
    return {rel: path for rel, path in files_below(folder) if path.is_file()}


def _merge(source: Path, site_dir: Path) -> tuple[list[str], list[str]]:
    """Copy the index at `source` into site/pagefind/ file by file: files with the same
    bytes are left alone (their mtimes stay, deploys see nothing new); the entry file,
    which names all the others, goes last and stale files after it, so an interruption
    leaves a consistent index. Returns (written, removed), site-relative."""
    target = site_dir / INDEX_DIR
    new, old = _files(source), _files(target) if target.is_dir() else {}
    written: list[str] = []
    for rel in sorted(new, key=lambda name: name == ENTRY_FILE):
        destination = target / rel
        if rel in old and filecmp.cmp(new[rel], destination, shallow=False):
            continue
        with atomic_path(destination) as temporary:
            shutil.copy2(new[rel], temporary)
        written.append(f"{INDEX_DIR}/{rel}")
    removed = sorted(f"{INDEX_DIR}/{rel}" for rel in set(old) - set(new))
    for rel in removed:
        (site_dir / rel).unlink()
    return written, removed


def _remove_index(site_dir: Path) -> list[str]:
    target = site_dir / INDEX_DIR
    if not target.is_dir():
        return []
    removed = sorted(f"{INDEX_DIR}/{rel}" for rel in _files(target))
    shutil.rmtree(target, ignore_errors=True)
    return removed


def _with(stats: OutputStats, written: list[str], removed: list[str]) -> OutputStats:
    return OutputStats(tuple(sorted(set(stats.written) | set(written))), stats.unchanged,
                       tuple(sorted((set(stats.removed) | set(removed)) - set(written))))


def index_for_search(site_dir: Path, settings: SearchSettings, cache_dir: Path,
                     stats: OutputStats, reporter: Reporter) -> OutputStats:
    """Index the committed `site_dir` unless search is off or no indexed page changed;
    returns the build's output stats with the index files written or removed."""
    record_path = cache_dir / RECORD_FILE
    if not settings.enabled:
        with contextlib.suppress(FileNotFoundError):
            record_path.unlink()
        shutil.rmtree(cache_dir / KEPT_DIR, ignore_errors=True)
        return _with(stats, [], _remove_index(site_dir))  # no stale index left behind
    indexer = find_indexer(settings)
    if indexer is None and settings.command:
        reporter.add(warning(_WHERE, None, f"search: [search] command {settings.command!r} "
                             "not found, so the search index was not updated",
                             "give the path of the pagefind executable"))
        return stats
    if indexer is None:
        reporter.add(warning(_WHERE, None, "search: the Pagefind indexer is not installed, "
                             "so the site has no search index",
                             "pip install 'reelpress[search]', set [search] command, or "
                             "[search] enabled = false"))
        return stats
    key = pages_key(site_dir, indexer)
    record = _record(record_path)
    if record.get("key") == key and record.get("entry") == _entry_signature(site_dir):
        return stats
    kept = cache_dir / KEPT_DIR  # the last good index: put back after site/ was pruned
    if record.get("key") == key and (kept / ENTRY_FILE).is_file():
        written, removed = _merge(kept, site_dir)
        _remember(record_path, key, site_dir)
        return _with(stats, written, removed)
    problem = _run_indexer(indexer, site_dir, kept)
    if problem is not None:
        reporter.add(warning(_WHERE, None, f"search: {problem}",
                             "the last good search index (if any) is kept"))
        if not (kept / ENTRY_FILE).is_file():
            return stats
        written, removed = _merge(kept, site_dir)
        return _with(stats, written, removed)
    written, removed = _merge(kept, site_dir)
    _remember(record_path, key, site_dir)
    return _with(stats, written, removed)


def _run_indexer(indexer: str, site_dir: Path, kept: Path) -> str | None:
    """Index `site_dir` into a fresh folder that then replaces `kept`; a problem as text."""
    fresh = kept.with_name(f"{kept.name}.{os.getpid()}.new")
    try:
        shutil.rmtree(fresh, ignore_errors=True)
        try:
            process = subprocess.run(
                [indexer, "--site", str(site_dir), "--output-path", str(fresh), "--quiet"],
                capture_output=True, text=True, timeout=INDEXER_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            return f"the indexer {indexer} could not run: {exc}"
        if process.returncode != 0 or not (fresh / ENTRY_FILE).is_file():
            return f"indexing failed: {_failure(process)}"
        shutil.rmtree(kept, ignore_errors=True)
        fresh.rename(kept)
        return None
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
