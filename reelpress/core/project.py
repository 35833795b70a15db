"""Where a project's parts live, and the one safe way to resolve a user-given path."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

CACHE_DIR_NAME = ".reelpress-cache"


@dataclass(frozen=True)
class ProjectPaths:
    """The folders of one site; every path the build touches is derived from `root`."""

    root: Path

    @classmethod
    def at(cls, root: str | Path) -> ProjectPaths:
        return cls(Path(root).resolve())

    @property
    def config_file(self) -> Path:
        return self.root / "site.toml"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def themes_dir(self) -> Path:
        return self.root / "themes"

    @property
    def templates_override_dir(self) -> Path:
        """Site-level overrides of single theme templates."""
        return self.root / "templates"

    @property
    def static_override_dir(self) -> Path:
        """Site-level overrides (and additions) of theme static files."""
        return self.root / "static"

    @property
    def i18n_dir(self) -> Path:
        """The site's own translations (`<lang>.po`), over the theme's."""
        return self.root / "i18n"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR_NAME

    def relative(self, path: Path) -> str:
        """A path as the user should read it in a message: relative to the project (the
        link's own name when it is a symbolic link pointing out)."""
        candidates = [path] if path.is_absolute() else []
        with contextlib.suppress(OSError, RuntimeError):  # RuntimeError: a link loop
            candidates.append(path.resolve())
        for candidate in candidates:
            try:
                return candidate.relative_to(self.root).as_posix()
            except ValueError:
                continue
        return str(path)


class UnsafePath(ValueError):
    """A user-given path that leaves the project (`..`, absolute, or a symlink out)."""


class SymlinkLoop(UnsafePath):
    """A user-given path whose symbolic links lead back to themselves."""


def resolve_inside(root: Path, base: Path, user_path: str) -> Path:
    """Resolve `user_path` (relative to `base`, or to `root` when it starts with '/')
    and refuse anything whose real location is outside `root`.

    Symlinks are followed before the check, so a link pointing out is refused too.
    """
    if "\x00" in user_path:
        raise UnsafePath(f"{user_path!r} contains a NUL byte")
    if os.path.isabs(user_path) and not user_path.startswith("/"):
        raise UnsafePath(f"{user_path!r} is an absolute path")
    candidate = root / user_path.lstrip("/") if user_path.startswith("/") else base / user_path
    real_root = root.resolve()
    try:
        real = candidate.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a link loop
        raise SymlinkLoop(f"{user_path!r} is a symbolic link loop") from None
    if real != real_root and real_root not in real.parents:
        raise UnsafePath(f"{user_path!r} points outside the project")
    return real
