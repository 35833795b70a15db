"""Theme static files into the site, fingerprinted by content hash so hosts can cache
them forever (`static/style.3f9a1c2e.css`)."""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath

from reelpress.output.writer import SiteWriter
from reelpress.render.theme import Theme

FINGERPRINTED = frozenset({".css", ".js", ".woff", ".woff2", ".svg", ".png", ".jpg", ".webp"})


def fingerprinted_name(rel: str, data: bytes) -> str:
    path = PurePosixPath(rel)
    digest = hashlib.sha256(data).hexdigest()[:10]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def write_site_files(writer: SiteWriter, theme: Theme, fingerprint: bool) -> dict[str, str]:
    """Copy static files; return name -> site path for templates' `asset()`."""
    assets: dict[str, str] = {}
    for rel, source in sorted(theme.static_files().items()):
        target = rel
        if fingerprint and PurePosixPath(rel).suffix in FINGERPRINTED and \
                not rel.startswith(("favicon", "robots")):
            target = fingerprinted_name(rel, source.read_bytes())
        site_path = "static/" + target
        writer.add_file(site_path, source)
        assets[rel] = site_path
    return assets
