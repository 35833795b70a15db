"""The search pages of the default theme: one per language of the site's articles, since
Pagefind keeps one index per `<html lang>` and a page searches the index of its own."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jinja2

from reelpress.render.article import Article
from reelpress.render.views import SiteView, render_simple, search_path


def search_languages(articles: Sequence[Article], site_language: str) -> list[str]:
    """The site's language first, then every other language an article is written in."""
    others = {a.meta.lang for a in articles if a.meta.lang and a.meta.lang != site_language}
    return [site_language, *sorted(others)]


def write_search_pages(env: jinja2.Environment, site: SiteView, articles: Sequence[Article],
                       guarded: Callable[[str, str, object, Callable[[], str]], None]) -> None:
    """`search/` (and `search/<lang>/`), unless `[search] enabled = false`."""
    if not site.config.search.enabled:
        return
    for language in search_languages(articles, site.config.language):
        page_path = search_path(language, site.config.language)
        ui_script = site.urls.link("pagefind/pagefind-ui.js", page_path)

        def render(language: str = language, page_path: str = page_path,
                   ui_script: str = ui_script) -> str:
            return render_simple(env, site, template="search.html",
                                 title=site.locale(language).gettext("Search"),
                                 page_path=page_path, language=language,
                                 search={"ui_script": ui_script})

        guarded("search.html", page_path + "index.html", (language, ui_script), render)
