"""What a build read, for the no-op check, and the keys of files published as they are
(theme static files, media): a copied file is an output keyed by its source's stat."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path

from reelpress.build.digest import digest
from reelpress.build.graph import BuildGraph, code_files, signature
from reelpress.core.project import ProjectPaths
from reelpress.core.tree import walk
from reelpress.output.writer import SiteWriter
from reelpress.render.theme import Theme


def _tree(root: Path) -> list[str]:
    """A folder, its sub-folders and files (hidden ones too: a theme may have them)."""
    if not root.is_dir():
        return [str(root.parent)]  # its creation changes the parent's mtime
    return [str(root), *(str(path) for _, path, _ in walk(root))]


def _folders(root: Path) -> list[str]:
    """A folder and its sub-folders: an entry added, removed or renamed changes one's
    mtime (the files themselves are tracked by whoever reads them)."""
    if not root.is_dir():
        return [str(root.parent)]
    return [folder for folder, _, _ in os.walk(root)]


def _with_siblings(path: str) -> list[str]:
    """A media source, its folder and the files beside it (captions are found there)."""
    folder = os.path.dirname(path)
    try:
        names = os.listdir(folder)
    except OSError:
        return [path, folder]
    return [path, folder, *(os.path.join(folder, name) for name in names)]


def tracked_inputs(paths: ProjectPaths, theme: Theme, media_sources: Iterable[str],
                   tools: Iterable[str]) -> list[str]:
    """Every file and folder the build read, but the Markdown sources (their stat is
    known from the walk that found them: `no_op_record`'s `stated`)."""
    tracked = [str(paths.config_file), str(paths.root), str(paths.themes_dir)]
    for folder in theme.i18n_dirs:  # translation catalogs
        tracked.extend(_tree(folder))
    tracked.extend(_folders(paths.content_dir))  # new files show in a folder's mtime
    for folder in {*theme.template_dirs, *theme.static_dirs}:
        tracked.extend(_tree(folder))
        tracked.append(str(folder.parent / "theme.toml"))
    for source in media_sources:
        tracked.extend(_with_siblings(str(paths.root / source)))
    tracked.extend(tools)
    tracked.extend(code_files())
    pillow = importlib.util.find_spec("PIL")
    if pillow is not None and pillow.origin:
        tracked.append(pillow.origin)
    return tracked


def publish_files(writer: SiteWriter, graph: BuildGraph, files: dict[str, Path]
                  ) -> dict[str, tuple[str, str, str]]:
    """Copy files made elsewhere into the site, skipping those whose source and site copy
    are as the last build left them; returns their keys."""
    keys: dict[str, tuple[str, str, str]] = {}
    for site_path, source in sorted(files.items()):
        key = digest("file", str(source), signature(str(source)))
        keys[site_path] = (key, "{}", key)
        previous = graph.previous(site_path)
        if previous is not None and previous[0] == key and \
                signature(str(graph.site_dir / site_path)) == (previous[2], previous[1]):
            writer.record(site_path, False)
        else:
            writer.add_file(site_path, source)
    return keys
