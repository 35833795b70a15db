"""View models: the exact context each kind of page's template receives, built from
`Article` records.

Views are plain dicts of already-escaped-or-plain values (and small frozen callables
for links), so a view can be digested: the digest of a view is the key of its output.
Templates stay dumb; a view function reads only its arguments.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reelpress.core.config import SiteConfig
from reelpress.core.languages import slugify
from reelpress.core.urls import UrlScheme, published_static, relativize_root_links
from reelpress.media.html import thumbnail_html
from reelpress.media.records import DEFAULT_SIZES
from reelpress.render.article import Article
from reelpress.render.i18n import (
    EMPTY_CATALOGS,
    Catalogs,
    PageLocale,
    localize_media,
    with_localized_media,
)
from reelpress.render.menus import menu_links
from reelpress.render.people import author_person, byline_link
from reelpress.render.story_extras import related_links, share_links
from reelpress.render.teaser import Teaser
from reelpress.structured import jsonld


@dataclass(frozen=True)
class PageLink:
    """`url('tags/')` in a template: a site path as linked from one page."""

    urls: UrlScheme
    from_page: str

    def __call__(self, site_path: str) -> str:
        return self.urls.link(site_path, self.from_page)


@dataclass(frozen=True)
class AssetLink:
    """`asset('style.css')` in a template: the fingerprinted file, linked from the page."""

    link: PageLink
    assets: tuple[tuple[str, str], ...]

    def __call__(self, name: str) -> str:
        return self.link(dict(self.assets).get(name, "static/" + name))


class CardCache:
    """Cards already made in this process. A card is a pure function of its teaser and of
    the arguments below, so it is made once however many listings show it, and a preview
    keeps its cards from build to build, also through builds that re-viewed no listing.
    `begin(site_key, pages)` empties it when anything of the site (config, links,
    catalogs, sizes) changed. Not part of any record or digest: views that show cards
    are handed it beside the site (`OutputSpec.cards`); it travels to worker processes
    empty."""

    def __init__(self, *, keep: bool = True) -> None:
        # keep=False: a build whose memo dies with it (the CLI's). No listing page of one
        # build shows a card as another does (each links from its own folder), so kept
        # cards only serve later builds: 40 MiB of them at 5,000 articles, for nothing.
        self._keep = keep
        self._site_key = ""
        self._pages: frozenset[str] = frozenset()
        self._cards: dict[tuple[int, PageLink, tuple[tuple[str, Any], ...]],
                          tuple[Teaser, dict[str, Any]]] = {}
        self.made = 0  # cards made since the last `begin` (tests and benchmarks read it)

    def begin(self, site_key: str, pages: frozenset[str]) -> None:
        """A new build of a site whose outputs are `pages` (their folders' site paths)."""
        self.made = 0
        if site_key != self._site_key:
            self._site_key, self._cards = site_key, {}
        self._pages = pages

    def card(self, teaser: Teaser, link: PageLink, **options: Any) -> dict[str, Any]:
        key = (id(teaser), link, tuple(sorted(options.items())))
        entry = self._cards.get(key)
        if entry is None or entry[0] is not teaser:  # the entry pins its teaser: ids stay
            entry = (teaser, card(teaser, link, **options))
            if self._keep:
                self._cards[key] = entry
            self.made += 1
        return entry[1]

    def end_build(self, teasers: Iterable[Teaser]) -> None:
        """Keep the cards of the site's current teasers on its current pages only: memory
        follows the site, not its history."""
        live = {id(teaser) for teaser in teasers}
        self._cards = {key: entry for key, entry in self._cards.items()
                       if key[0] in live and key[1].from_page in self._pages}

    def digest_parts(self) -> object:
        return ""

    def __reduce__(self) -> tuple[Callable[[], CardCache], tuple[()]]:
        return (_worker_cards, ())


def _worker_cards() -> CardCache:
    """A worker's card memo: empty, and gone with its pool (nothing to keep)."""
    return CardCache(keep=False)


@dataclass(frozen=True)
class SiteView:
    """What every template sees, independent of the page (except links, made per page)."""

    config: SiteConfig
    urls: UrlScheme
    assets: Mapping[str, str]  # 'style.css' -> 'static/style.3f9a1c2e.css' (site path)
    year: int  # the footer's; not the moment: a view must not change with the clock
    image_sizes: Mapping[str, str] = dataclasses.field(default_factory=dict)  # by role
    catalogs: Catalogs = EMPTY_CATALOGS

    def locale(self, language: str | None = None) -> PageLocale:
        """The strings and formats of a page in `language` (default: the site's)."""
        return self.catalogs.locale(language or self.config.language)

    def context(self, from_page: str, locale: PageLocale | None = None) -> dict[str, Any]:
        link = self.urls.link
        locale = locale or self.locale()
        page_link = PageLink(self.urls, from_page)
        return {
            "i18n": locale,
            "site": {
                "title": self.config.title,
                "description": self.config.description,
                "language": self.config.language,
                "search_link": (link(search_path(locale.code, self.config.language), from_page)
                                if self.config.search.enabled else None),
                "home": link("", from_page),
                "tags_link": link("tags/", from_page),
                "archive_link": link("archive/", from_page),
                "feeds": {
                    "atom": link("feed.xml", from_page),
                    "rss": link("rss.xml", from_page),
                    "json": link("feed.json", from_page),
                },
                "year": self.year,
                "publisher": (self.config.publisher.name if self.config.publisher
                              else self.config.title),
                "menus": menu_links(self.config, lambda path: link(path, from_page), from_page),
                "extra": self.config.extra,
            },
            "url": page_link,
            "asset": AssetLink(page_link, tuple(sorted(self.assets.items()))),
        }

    def publisher_jsonld(self) -> dict[str, Any] | None:
        publisher = self.config.publisher
        if publisher is None:
            return None
        logo = self.urls.absolute(published_static(publisher.logo, self.assets)) \
            if publisher.logo and not publisher.logo.startswith("http") else publisher.logo
        return jsonld.organization(publisher.name, publisher.url or self.config.base_url, logo)


def tag_path(tag: str, style: str = "ascii") -> str:
    return f"tags/{slugify(tag, style)}/"


def search_path(language: str, site_language: str) -> str:
    """One search page per language (Pagefind keeps one index per `<html lang>`)."""
    return "search/" if language == site_language else f"search/{language.lower()}/"


def _tags(tags: Sequence[str], link: Callable[[str], str], style: str = "ascii"
          ) -> list[dict[str, str]]:
    return [{"name": tag, "link": link(tag_path(tag, style))} for tag in tags]


def _markup(html: str | None) -> Markup | None:
    return None if html is None else Markup(html)  # noqa: S704 - built escaped by media.html


def card(teaser: Teaser, link: Callable[[str], str], lead: bool = False,
         sizes: str = DEFAULT_SIZES, locale: PageLocale | None = None,
         slug_style: str = "ascii") -> dict[str, Any]:
    locale = locale or EMPTY_CATALOGS.locale(None)
    return {
        "lead": lead,
        "thumb": _markup(thumbnail_html(teaser.thumbnail, link, lead=lead, sizes=sizes)),
        "title": teaser.title,
        "link": link(teaser.url_path),
        "date_iso": jsonld.iso(teaser.date),
        "date_display": locale.date(teaser.date),
        "date_short": locale.short_date(teaser.date),
        "summary": teaser.description,
        "author": teaser.author.name if teaser.author else None,
        "tags": _tags(teaser.tags, link, slug_style),
        # the card's own language, when it is not the listing's
        "lang": teaser.lang if teaser.lang and teaser.lang != locale.code else None,
        "has_video": teaser.has_video,
    }


def _head(site: SiteView, *, title: str, description: str, page_path: str,
          canonical: str | None = None, og_type: str = "website",
          image: str | None = None, extra_og: Sequence[tuple[str, str]] = (),
          blocks: Sequence[dict[str, Any]] = (), lang: str | None = None,
          share_title: str | None = None, direction: str = "ltr") -> dict[str, Any]:
    canonical_url = canonical or site.urls.absolute(page_path)
    og: list[tuple[str, str]] = [
        ("og:site_name", site.config.title), ("og:type", og_type),
        ("og:title", share_title or title),
        ("og:url", canonical_url), ("og:locale", (lang or site.config.language).replace("-", "_")),
    ]
    if description:
        og.append(("og:description", description))
    if image:
        og.append(("og:image", image))
    og.extend(extra_og)
    twitter = [("twitter:card", "summary_large_image" if image else "summary"),
               ("twitter:title", share_title or title)]
    if description:
        twitter.append(("twitter:description", description))
    if image:
        twitter.append(("twitter:image", image))
    return {
        "title": title, "description": description, "canonical": canonical_url,
        "og": og, "twitter": twitter, "lang": lang or site.config.language, "dir": direction,
        "alternates": [], "jsonld": [jsonld.to_script_json(b) for b in blocks],
    }


def article_jsonld(article: Article, site: SiteView, locale: PageLocale | None = None
                   ) -> list[dict[str, Any]]:
    """NewsArticle, BreadcrumbList and (unless switched off) FAQPage for one article."""
    meta = article.meta
    locale = locale or site.locale(meta.lang)
    url = site.urls.absolute(article.url_path)
    authors = [author_person(article.author, site.urls.absolute, site.assets)] \
        if article.author else []
    images = list(article.images_jsonld) or \
        ([article.social_image] if article.social_image else [])
    return [
        jsonld.news_article(
            url=url, headline=meta.title, description=article.description or None,
            published=meta.date, modified=meta.updated, authors=authors, images=images,
            publisher=site.publisher_jsonld(), language=meta.lang or site.config.language,
            keywords=meta.tags, word_count=article.word_count,
            videos=[dict(video) for video in article.video_objects],
            translations=[(t.lang, site.urls.absolute(t.url_path)) for t in article.translations
                          if t.url_path != article.url_path]),
        jsonld.breadcrumb_list([(name, site.urls.absolute(path))
                                for name, path in _trail(article, locale,
                                                         site.config.slug_style)]),
        *story_faq_jsonld(article, site, url),
    ]


def story_faq_jsonld(article: Article, site: SiteView, url: str) -> list[dict[str, Any]]:
    """The FAQPage block of an article or a standalone page, unless the site turns it off."""
    if not (article.faq and site.config.faq_jsonld):
        return []
    return [jsonld.faq_page(url=url, items=[(f.question, f.answer_html) for f in article.faq])]


def _trail(article: Article, locale: PageLocale, style: str) -> list[tuple[str, str]]:
    """Home > first tag > article, as (name, site path)."""
    trail = [(locale.gettext("Home"), "")]
    if article.meta.tags:
        tag = article.meta.tags[0]
        trail.append((tag, tag_path(tag, style)))
    trail.append((article.meta.title, article.url_path))
    return trail


def story_head(site: SiteView, article: Article, locale: PageLocale, **head: Any
               ) -> dict[str, Any]:
    """The `<head>` of an article or a standalone page, and the fields of `page` both
    share: `head` adds og_type, extra_og and blocks."""
    meta = article.meta
    image = article.social_image or (article.image_urls[0] if article.image_urls else None)
    return _head(site, title=f"{meta.title} | {site.config.title}",
                 description=article.description, page_path=article.url_path,
                 canonical=meta.canonical, image=image, lang=locale.code,
                 share_title=meta.title, direction=locale.direction, **head)


def story_page_fields(site: SiteView, article: Article) -> dict[str, Any]:
    meta = article.meta
    return {"title": meta.title, "summary": meta.summary or meta.description,
            "lang": meta.lang if meta.lang and meta.lang != site.config.language else None}


def story_content_fields(site: SiteView, article: Article, locale: PageLocale
                         ) -> dict[str, Any]:
    """The hero, body and FAQ of an article or a standalone page, links made for it and
    the media stage's words in the page's language."""
    from_page = article.url_path
    return {
        "hero": Markup(localize_media(article.hero.html, locale)) if article.hero else None,
        "body": with_localized_media(article.body.for_page(site.urls, from_page)
                                     if site.urls.relative else article.body, locale),
        "faq": [{"question": f.question, "anchor": f.anchor,
                 "answer": Markup(relativize_root_links(f.answer_html, site.urls, from_page))}
                for f in article.faq],
    }


def article_view(site: SiteView, article: Article) -> dict[str, Any]:
    meta = article.meta
    from_page = article.url_path
    locale = site.locale(meta.lang)
    context = site.context(from_page, locale)
    link = context["url"]
    style = site.config.slug_style
    extra_og: list[tuple[str, str]] = [
        ("article:published_time", jsonld.iso(meta.date)),
        ("article:modified_time", jsonld.iso(article.modified)),
    ]
    if article.author:
        extra_og.append(("article:author", article.author.name))
    extra_og.extend(("article:tag", tag) for tag in meta.tags)
    embeds = ([article.hero] if article.hero else []) + list(article.embeds)
    for embed in embeds:
        if embed.og_video:
            video_url, video_type, width, height = embed.og_video
            extra_og.extend([("og:video", video_url), ("og:video:type", video_type),
                             ("og:video:width", str(width)), ("og:video:height", str(height))])
            break
    head = story_head(site, article, locale, og_type="article", extra_og=extra_og,
                      blocks=article_jsonld(article, site, locale))
    head["alternates"] = _alternates(article, site, head["canonical"])
    page = {
        **story_page_fields(site, article),
        "author": ({"name": article.author.name, "url": byline_link(article.author, link)}
                   if article.author else None),
        "date_iso": jsonld.iso(meta.date),
        "date_display": locale.date(meta.date),
        "updated_iso": jsonld.iso(meta.updated) if meta.updated else None,
        "updated_display": locale.datetime(meta.updated) if meta.updated else None,
        "reading_minutes": max(1, math.ceil(article.word_count / 230)),
        "reading_time": locale.minutes(max(1, math.ceil(article.word_count / 230))),
        "tags": _tags(article.meta.tags, link, style),
        **story_content_fields(site, article, locale),
        # the visible trail stops above the article: its headline is right below it
        "breadcrumbs": [{"name": name, "link": link(path)}
                        for name, path in _trail(article, locale, style)[:-1]],
        "has_video": article.has_video,
        "extra": meta.extra,
        "related": related_links(article, link, locale.date),
        "share": share_links(site.urls.absolute(from_page), meta.title),
        "translations": [{"lang": t.lang, "name": locale.name_of(t.lang), "link": link(t.url_path),
                          "current": t.url_path == article.url_path}
                         for t in article.translations],
        "searchable": not meta.draft,  # Pagefind indexes only what carries data-pagefind-body
    }
    return {**context, "head": head, "page": page}


def _alternates(article: Article, site: SiteView, canonical: str) -> list[dict[str, str]]:
    """hreflang links: every translation (itself included) and x-default, the version in
    the site's language; a lone article in another language names its own."""
    if not article.translations:
        lang = article.meta.lang
        return [{"lang": lang, "href": canonical}] if lang and lang != site.config.language \
            else []
    links = [{"lang": t.lang, "href": site.urls.absolute(t.url_path)} for t in article.translations]
    default = next((t for t in article.translations if t.lang == site.config.language), None)
    if default is not None:
        links.append({"lang": "x-default", "href": site.urls.absolute(default.url_path)})
    return links


def listing_view(site: SiteView, *, title: str, teasers: Sequence[Teaser], page_path: str,
                 description: str = "", pagination: Mapping[str, Any] | None = None,
                 home: bool = False, cards: CardCache) -> dict[str, Any]:
    locale = site.locale()
    context = site.context(page_path, locale)
    blocks: list[dict[str, Any]] = []
    if home:
        blocks.append(jsonld.website(name=site.config.title, url=site.urls.absolute(""),
                                     description=site.config.description or None,
                                     language=site.config.language,
                                     publisher=site.publisher_jsonld()))
    head = _head(site, title=title if home else f"{title} | {site.config.title}",
                 description=description or site.config.description, page_path=page_path,
                 blocks=blocks, direction=locale.direction)
    listing = {"title": title, "description": description, "visible_title": not home,
               "cards": [cards.card(a, context["url"], lead=home and index == 0,
                                   sizes=site.image_sizes.get("lead" if home and index == 0
                                                              else "card", DEFAULT_SIZES),
                                   locale=locale, slug_style=site.config.slug_style)
                         for index, a in enumerate(teasers)]}
    return {**context, "head": head, "listing": listing, "pagination": pagination}


def simple_view(site: SiteView, *, title: str, page_path: str, language: str | None = None,
                **values: Any) -> dict[str, Any]:
    locale = site.locale(language)
    context = site.context(page_path, locale)
    head = _head(site, title=f"{title} | {site.config.title}",
                 description=site.config.description, page_path=page_path, lang=locale.code,
                 direction=locale.direction)
    return {**context, "head": head, **values}
