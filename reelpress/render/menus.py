"""Site menus (`[[menu.main]]`, `[[menu.footer]]` of site.toml) as links for templates."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from reelpress.core.config import MENU_NAMES, MenuItem, SiteConfig
from reelpress.core.diagnostics import Diagnostic, warning


def item_target(item: MenuItem) -> tuple[str | None, str | None]:
    """(site path, external URL): `page = "about"` and `url = "/corrections/"` are paths of
    this site (so they follow a sub-path base URL); any other `url` is used as written."""
    if item.page is not None:
        return item.page, None
    url = item.url or ""
    if url.startswith("/") and not url.startswith("//"):
        return url.lstrip("/"), None
    return None, url


def menu_links(config: SiteConfig, link: Callable[[str], str], from_page: str
               ) -> dict[str, list[dict[str, Any]]]:
    """Every menu (empty ones too, so templates can test them) as name/link/current."""
    menus: dict[str, list[dict[str, Any]]] = {name: [] for name in MENU_NAMES}
    for name, items in config.menus.items():
        for item in items:
            path, url = item_target(item)
            menus[name].append({
                "name": item.name,
                "link": link(path) if path is not None else url,
                "current": path is not None and path == from_page,
                "external": path is None,
            })
    return menus


def menu_problems(config: SiteConfig, url_paths: Collection[str]) -> list[Diagnostic]:
    """A menu entry naming a page the site does not have is a warning at its line."""
    problems: list[Diagnostic] = []
    for name, items in config.menus.items():
        for index, item in enumerate(items):
            if item.page is not None and item.page not in url_paths:
                problems.append(warning("site.toml", item.line,
                                        f"menu.{name}[{index}]: no page /{item.page}",
                                        "write content/pages/" + item.page.rstrip("/") +
                                        ".md, or fix page ="))
    return problems
