"""The search pages of the default theme: one per language of the site's articles, since
Pagefind keeps one index per `<html lang>` and a page searches the index of its own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reelpress.render.outputs import OutputSpec, View
from reelpress.render.views import SiteView, search_path, simple_view


def search_languages(languages: Iterable[str | None], site_language: str) -> list[str]:
    """The site's language first, then every other language an article is written in."""
    others = {lang for lang in languages if lang and lang != site_language}
    return [site_language, *sorted(others)]


def search_specs(site: SiteView, languages: Sequence[str]) -> list[OutputSpec]:
    """`search/` (and `search/<lang>/`), unless `[search] enabled = false`."""
    if not site.config.search.enabled:
        return []
    return [OutputSpec(search_path(language, site.config.language) + "index.html", search_view,
                       (language,), template="search.html")
            for language in languages]


def search_view(site: SiteView, language: str) -> View:
    page_path = search_path(language, site.config.language)
    return simple_view(site, title=site.locale(language).gettext("Search"),
                       page_path=page_path, language=language,
                       search={"ui_script": site.urls.link("pagefind/pagefind-ui.js",
                                                           page_path)})
