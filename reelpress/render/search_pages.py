"""The search pages of the default theme: one per language of the site's articles, since
Pagefind keeps one index per `<html lang>` and a page searches the index of its own."""

from __future__ import annotations

from collections.abc import Sequence

from reelpress.render.article import Article
from reelpress.render.outputs import OutputSpec, View
from reelpress.render.views import SiteView, search_path, simple_view


def search_languages(articles: Sequence[Article], site_language: str) -> list[str]:
    """The site's language first, then every other language an article is written in."""
    others = {a.meta.lang for a in articles if a.meta.lang and a.meta.lang != site_language}
    return [site_language, *sorted(others)]


def search_specs(site: SiteView, articles: Sequence[Article]) -> list[OutputSpec]:
    """`search/` (and `search/<lang>/`), unless `[search] enabled = false`."""
    if not site.config.search.enabled:
        return []
    return [OutputSpec(search_path(language, site.config.language) + "index.html", search_view,
                       (language,), template="search.html")
            for language in search_languages(articles, site.config.language)]


def search_view(site: SiteView, language: str) -> View:
    page_path = search_path(language, site.config.language)
    return simple_view(site, title=site.locale(language).gettext("Search"),
                       page_path=page_path, language=language,
                       search={"ui_script": site.urls.link("pagefind/pagefind-ui.js",
                                                           page_path)})
