"""Standalone pages (content/pages/*.md or `type: page`): About, Contact, Corrections.

They share the article's record (`Article` with `is_page`) and media, but have no date,
stay out of listings, feeds and the archive, and carry WebPage/AboutPage/ContactPage
JSON-LD instead of NewsArticle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reelpress.render.article import Article
from reelpress.render.views import (
    SiteView,
    story_content_fields,
    story_faq_jsonld,
    story_head,
    story_page_fields,
)
from reelpress.structured import jsonld


def stories_of(articles: Sequence[Article]) -> list[Article]:
    """The articles of listings, feeds and the archive: everything but standalone pages."""
    return [article for article in articles if not article.is_page]


def pages_of(articles: Sequence[Article]) -> list[Article]:
    return [article for article in articles if article.is_page]


def page_type(article: Article) -> str:
    """AboutPage for /about/, ContactPage for /contact/ (and their sub-pages), else WebPage."""
    first = article.url_path.strip("/").split("/")[-1]
    return jsonld.PAGE_TYPES.get(first.split("-")[0], "WebPage")


def page_jsonld(article: Article, site: SiteView) -> list[dict[str, Any]]:
    meta = article.meta
    url = site.urls.absolute(article.url_path)
    return [
        jsonld.web_page(url=url, name=meta.title, description=article.description or None,
                        language=meta.lang or site.config.language, page_type=page_type(article),
                        site_url=site.urls.absolute(""),
                        modified=meta.updated or (meta.date if meta.dated else None),
                        images=article.images_jsonld, publisher=site.publisher_jsonld()),
        jsonld.breadcrumb_list([(site.locale(meta.lang).gettext("Home"), site.urls.absolute("")),
                                (meta.title, url)]),
        *story_faq_jsonld(article, site, url),
    ]


def page_view(site: SiteView, article: Article) -> dict[str, Any]:
    meta = article.meta
    from_page = article.url_path
    locale = site.locale(meta.lang)
    context = site.context(from_page, locale)
    head = story_head(site, article, locale, blocks=page_jsonld(article, site))
    updated = meta.updated or (meta.date if meta.dated else None)
    page = {
        **story_page_fields(site, article),
        "updated_iso": jsonld.iso(updated) if updated else None,
        "updated_display": locale.date(updated) if updated else None,
        **story_content_fields(site, article, locale),
        "extra": meta.extra,
        "type": page_type(article),
    }
    return {**context, "head": head, "page": page}
