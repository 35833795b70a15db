"""The persistent build cache (`.reelpress-cache/build.pickle`).

It records, per Markdown file, its stat signature and the prepared page (parsed front
matter + rendered Markdown), and per output page the key of everything it was rendered
from. A cache from another reelpress version, another config, or one that does not
load is discarded with a note: never trusted, never a crash.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .prepare import PreparedPage

CACHE_FORMAT = 6
CACHE_FILE = "build.pickle"


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
    package = Path(__file__).parent
    entries = sorted(f"{p.relative_to(package)}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                     for p in package.rglob("*.py"))
    return hashlib.sha1("\n".join(entries).encode()).hexdigest()


def stamp_for(config_text: str) -> str:
    """Prepared pages depend on the config (timezone, base path, authors) and our code."""
    digest = hashlib.sha1(f"{CACHE_FORMAT}:{__version__}:{code_fingerprint()}:".encode())
    digest.update(config_text.encode())
    return digest.hexdigest()


def load_cache(cache_dir: Path, stamp: str, *, force: bool) -> tuple[BuildCache, str | None]:
    """The previous cache, or an empty one and a note saying why it was not used."""
    path = cache_dir / CACHE_FILE
    if force or not path.is_file():
        return BuildCache(stamp), None
    try:
        with path.open("rb") as handle:
            cache = pickle.load(handle)  # noqa: S301 - our own file in the project
    except Exception as exc:  # any unreadable cache is simply not used
        return BuildCache(stamp), f"build cache unreadable ({type(exc).__name__}); rebuilding"
    if not isinstance(cache, BuildCache) or cache.stamp != stamp:
        return BuildCache(stamp), None
    return cache, None


def save_cache(cache_dir: Path, cache: BuildCache) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cache_dir / f".{CACHE_FILE}.{os.getpid()}.tmp"
    with temporary.open("wb") as handle:
        pickle.dump(cache, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, cache_dir / CACHE_FILE)


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

    def take(self, stamp: str) -> BuildCache | None:
        return self.cache if self.cache is not None and self.cache.stamp == stamp else None
