"""Theme static files into the site, fingerprinted by content hash so hosts can cache
them forever (`static/style.3f9a1c2e.css`)."""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.project import ProjectPaths
from reelpress.render.theme import BUILTIN_THEMES, Theme

FINGERPRINTED = frozenset({".css", ".js", ".woff", ".woff2", ".svg", ".png", ".jpg", ".webp"})


def fingerprinted_name(rel: str, data: bytes) -> str:
    path = PurePosixPath(rel)
    digest = hashlib.sha256(data).hexdigest()[:10]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def _inside(path: Path, roots: tuple[Path, ...]) -> bool:
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a dangling link or a loop
        return False
    return any(real.is_relative_to(root) for root in roots)


def _allowed_roots(project_root: Path) -> tuple[Path, ...]:
    return project_root.resolve(), BUILTIN_THEMES.resolve()


def static_link_problems(theme: Theme, paths: ProjectPaths) -> list[Diagnostic]:
    """A static file that is a symbolic link out of the site folder (to ~/.ssh/id_rsa,
    /etc/passwd...) would be published: an error naming the link."""
    roots = _allowed_roots(paths.root)
    return [error(paths.relative(source), None,
                  "a symbolic link to a file outside the site folder (it is not published)",
                  "copy the file into static/ instead")
            for source in theme.static_files().values() if not _inside(source, roots)]


def static_outputs(theme: Theme, fingerprint: bool) -> tuple[dict[str, str], dict[str, Path]]:
    """The theme's static files: name -> site path (for templates' `asset()`), and site
    path -> source file (to publish)."""
    assets: dict[str, str] = {}
    files: dict[str, Path] = {}
    for rel, source in sorted(theme.static_files().items()):
        target = rel
        if fingerprint and PurePosixPath(rel).suffix in FINGERPRINTED and \
                not rel.startswith(("favicon", "robots")):
            target = fingerprinted_name(rel, source.read_bytes())
        site_path = "static/" + target
        files[site_path] = source
        assets[rel] = site_path
    return assets, files
