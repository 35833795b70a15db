"""The no-op rebuild: when no input changed since the last good build and `site/` is as
that build left it, there is nothing to do, and we can say so without loading the engine.

Inputs are the stat signatures (path, mtime, size) of everything a build reads, the
config text and the options; outputs are the signatures of every file in `site/`. Time
is an input too: the record expires when a future-dated article becomes due, or when
the year in the footer changes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
from pathlib import Path

from reelpress import __version__
from reelpress.core.diagnostics import Diagnostic, Severity
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.project import ProjectPaths

RECORD_FILE = "last-build.json"
RECORD_FORMAT = 1
PACKAGE_DIR = Path(__file__).parent.parent


def _walk(root: Path, digest: hashlib._Hash, *, with_inode: bool = False) -> None:
    if not root.is_dir():
        digest.update(f"<no {root.name}>".encode())
        return
    stack = [root]
    entries: list[str] = []
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                for entry in scan:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                        continue
                    stat = entry.stat()
                    inode = f":{stat.st_ino}" if with_inode else ""
                    entries.append(f"{entry.path}:{stat.st_mtime_ns}:{stat.st_size}{inode}")
        except OSError:
            entries.append(f"<unreadable {folder}>")
    entries.sort()
    digest.update("\n".join(entries).encode("utf-8", "surrogateescape"))


def input_signature(paths: ProjectPaths, options: BuildOptions) -> str:
    digest = hashlib.sha1(f"{RECORD_FORMAT}:{__version__}".encode())
    digest.update(repr((options.drafts, options.future, options.base_url, options.strict,
                        options.fingerprint_assets, str(options.out_dir))).encode())
    try:
        digest.update(paths.config_file.read_bytes())
    except OSError:
        digest.update(b"<no site.toml>")
    # PACKAGE_DIR: reelpress's own code and built-in theme (an upgrade or an edit of an
    # editable install must not be answered from an old record)
    for folder in (paths.content_dir, paths.media_dir, paths.templates_override_dir,
                   paths.static_override_dir, paths.themes_dir, paths.i18n_dir, PACKAGE_DIR):
        _walk(folder, digest)
    return digest.hexdigest()


def output_signature(site_dir: Path) -> str:
    digest = hashlib.sha1()
    _walk(site_dir, digest, with_inode=True)
    return digest.hexdigest()


def _record_path(paths: ProjectPaths) -> Path:
    return paths.cache_dir / RECORD_FILE


def _now(options: BuildOptions) -> dt.datetime:
    return options.now or dt.datetime.now(dt.UTC)


def up_to_date(options: BuildOptions, inputs: str | None = None) -> BuildResult | None:
    """The previous build's result when nothing changed; None when a build is needed."""
    if options.force:
        return None
    started = time.perf_counter()
    paths = ProjectPaths.at(options.root)
    try:
        record = json.loads(_record_path(paths).read_text(encoding="utf-8"))
        valid_until = record["valid_until"]
        if record["format"] != RECORD_FORMAT:
            return None
        if valid_until and _now(options) >= dt.datetime.fromisoformat(valid_until):
            return None
        if record["inputs"] != (inputs or input_signature(paths, options)):
            return None
        site_dir = (options.out_dir or paths.site_dir).resolve()
        if record["outputs"] != output_signature(site_dir):
            return None
        warnings = tuple(Diagnostic(d["path"], d["line"], d["message"], d["hint"],
                                    Severity.WARNING) for d in record["warnings"])
        pages = int(record["pages"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return BuildResult(ok=True, diagnostics=warnings, pages_unchanged=pages,
                       media_cached=int(record.get("media", 0)), site_dir=site_dir,
                       notes=("nothing changed since the last build",),
                       seconds=time.perf_counter() - started)


def remember(options: BuildOptions, inputs: str, result: BuildResult,
             valid_until: dt.datetime | None) -> None:
    """Record a successful build for the next `up_to_date` check."""
    paths = ProjectPaths.at(options.root)
    site_dir = result.site_dir or paths.site_dir
    record = {
        "format": RECORD_FORMAT,
        "inputs": inputs,
        "outputs": output_signature(site_dir),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "pages": result.pages_written + result.pages_unchanged,
        "media": result.media_processed + result.media_cached,
        "warnings": [d.to_dict() for d in result.warnings],
    }
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = _record_path(paths).with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temporary, _record_path(paths))


def forget(options: BuildOptions) -> None:
    """Drop the record: the next build checks everything (after builds that keep none)."""
    with contextlib.suppress(FileNotFoundError):
        _record_path(ProjectPaths.at(options.root)).unlink()


def expiry(now: dt.datetime, future_dates: list[dt.datetime]) -> dt.datetime:
    """When the record stops being valid: the next due article or the next new year."""
    new_year = dt.datetime(now.year + 1, 1, 1, tzinfo=dt.UTC)
    return min([new_year, *[d for d in future_dates if d > now]])
