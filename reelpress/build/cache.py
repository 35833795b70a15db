"""The persistent build cache, in two files of `.reelpress-cache/`.

`pages.pickle`: per Markdown file, its stat signature and the prepared page (parsed
front matter, rendered-Markdown metadata). Every entry is checked against the file's
stat before use, so a copy that lags behind (the preview server saves it now and then)
only costs re-work. `build.pickle`: per output, the key of everything it was rendered
from and the size and mtime of the file written, and the list of outputs; written after
every build. A cache from another reelpress version, another config, or one that does
not load is discarded with a note: never trusted, never a crash.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

from reelpress import __version__
from reelpress.build.content_worker import PreparedPage

CACHE_FORMAT = 7
CACHE_FILE = "build.pickle"
PAGES_FILE = "pages.pickle"


@dataclass
class BuildCache:
    stamp: str
    pages: dict[str, tuple[int, int, PreparedPage]] = field(default_factory=dict)
    # output path -> (key of its inputs, size, mtime_ns of the file that build wrote)
    renders: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    outputs: frozenset[str] | None = None  # every file the last build put in site/
    site_dir: str = ""  # ... which was this folder

    def prepared(self, rel: str, mtime_ns: int, size: int) -> PreparedPage | None:
        entry = self.pages.get(rel)
        if entry and entry[0] == mtime_ns and entry[1] == size:
            return entry[2]
        return None


def code_fingerprint() -> str:
    """reelpress's own modules by path, size and mtime: cached renders are only reused
    by the code that made them (this matters for editable installs)."""
    package = Path(__file__).parent.parent
    entries = sorted(f"{p.relative_to(package)}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                     for p in package.rglob("*.py"))
    return hashlib.sha1("\n".join(entries).encode()).hexdigest()


def stamp_for(config_repr: str) -> str:
    """Prepared pages depend on the config (timezone, base path, authors) and our code."""
    digest = hashlib.sha1(f"{CACHE_FORMAT}:{__version__}:{code_fingerprint()}:".encode())
    digest.update(config_repr.encode())
    return digest.hexdigest()


def _load(path: Path, stamp: str) -> tuple[dict | None, str | None]:
    if not path.is_file():
        return None, None
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)  # noqa: S301 - our own file in the project
    except Exception as exc:  # any unreadable cache is simply not used
        return None, f"build cache unreadable ({type(exc).__name__}); rebuilding"
    if not isinstance(stored, dict) or stored.get("stamp") != stamp:
        return None, None
    return stored, None


def load_cache(cache_dir: Path, stamp: str, *, force: bool) -> tuple[BuildCache, str | None]:
    """The previous cache, or an empty one and a note saying why it was not used."""
    cache = BuildCache(stamp)
    if force:
        return cache, None
    pages, pages_note = _load(cache_dir / PAGES_FILE, stamp)
    outputs, outputs_note = _load(cache_dir / CACHE_FILE, stamp)
    try:
        if pages is not None:
            cache.pages = pages["pages"]
        if outputs is not None:
            cache.renders = outputs["renders"]
            cache.outputs = outputs["outputs"]
            cache.site_dir = outputs["site_dir"]
    except KeyError:
        return BuildCache(stamp), "build cache incomplete; rebuilding"
    return cache, pages_note or outputs_note


def _dump(path: Path, data: dict) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def save_cache(cache_dir: Path, cache: BuildCache, *, pages: bool = True) -> None:
    """Write the outputs record, and the pages record unless `pages` is False."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    if pages:
        _dump(cache_dir / PAGES_FILE, {"stamp": cache.stamp, "pages": cache.pages})
    _dump(cache_dir / CACHE_FILE, {"stamp": cache.stamp, "renders": cache.renders,
                                   "outputs": cache.outputs, "site_dir": cache.site_dir})


def render_key(*parts: object) -> str:
    digest = hashlib.sha1()
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


@dataclass
class BuildSession:
    """Keeps the build cache in memory between the builds of one long-running process
    (the preview server), so a rebuild does not read it back from disk each time."""

    cache: BuildCache | None = None
    saved_at: float = 0.0
    # The copy on disk may lag: every entry is checked against the files it describes
    # (stat signatures, output size and mtime), so a stale copy only costs re-work.
    save_interval: float = 30.0

    def should_save(self) -> bool:
        now = time.monotonic()
        if now - self.saved_at < self.save_interval:
            return False
        self.saved_at = now
        return True

    def take(self, stamp: str) -> BuildCache | None:
        return self.cache if self.cache is not None and self.cache.stamp == stamp else None
