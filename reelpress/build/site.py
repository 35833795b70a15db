"""What both build paths (the full build and `build/delta`) make the same way before any
page: the config and theme, and the site-wide view every template receives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reelpress.core.config import SiteConfig, load_config
from reelpress.core.diagnostics import Reporter, error
from reelpress.core.options import BuildOptions
from reelpress.core.project import ProjectPaths
from reelpress.core.urls import UrlScheme
from reelpress.output.assets import static_link_problems, static_outputs
from reelpress.render.i18n import Catalogs
from reelpress.render.theme import Theme, resolve_theme
from reelpress.render.views import SiteView


def config_and_theme(paths: ProjectPaths, options: BuildOptions, reporter: Reporter
                     ) -> tuple[SiteConfig | None, Theme | None]:
    """Both, or (None, None) with the problems in `reporter`."""
    config, problems = load_config(paths, base_url=options.base_url)
    reporter.extend(problems)
    if config is None:
        return None, None
    theme, theme_problems = resolve_theme(paths, config.theme)
    reporter.extend(theme_problems)
    reporter.extend(static_link_problems(theme, paths) if theme is not None else [])
    if not paths.content_dir.is_dir():
        reporter.add(error(paths.relative(paths.content_dir), None, "content directory not found",
                           f"create {paths.content_dir} and put articles (*.md) in it"))
    return (config, theme) if not reporter.has_errors() else (None, None)


def site_view(config: SiteConfig, urls: UrlScheme, theme: Theme, options: BuildOptions,
              now: dt.datetime, catalogs: Catalogs) -> tuple[SiteView, dict[str, Path]]:
    """The view every template shares, and the theme's static files (site path ->
    source) whose names it links to."""
    assets, static_files = static_outputs(theme, options.fingerprint_assets)
    return SiteView(config, urls, assets, now.year,
                    {role: theme.sizes_for(role) for role in ("card", "lead")},
                    catalogs), static_files
