"""Every output of the site planned as data: article pages, home with pagination, tag
pages, topics, archive, 404, feeds (Atom, RSS, JSON Feed; site-wide and per tag), the
sitemap (split past 50,000 URLs) and robots.txt. The section functions here return specs
(`build/plan.plan_site` puts them together); the view functions build what each template
or writer receives."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from reelpress.core.languages import slugify
from reelpress.core.urls import absolutize
from reelpress.render.article import Article, StoredHTML
from reelpress.render.authors import author_specs
from reelpress.render.feeds import FeedEntry, FeedInfo, atom_feed, json_feed, rss_feed
from reelpress.render.i18n import localize_media, with_localized_media
from reelpress.render.outputs import OutputSpec, View
from reelpress.render.pages import page_view
from reelpress.render.people import author_paths
from reelpress.render.search_pages import search_specs
from reelpress.render.sitemap import (
    MAX_URLS_PER_SITEMAP,
    SitemapEntry,
    SitemapVideo,
    robots_txt,
    sitemap_index_xml,
    sitemap_xml,
    split_sitemap,
)
from reelpress.render.teaser import Teaser
from reelpress.render.views import (
    CardCache,
    PageLink,
    SiteView,
    article_view,
    listing_view,
    simple_view,
    tag_path,
)


def paginate(items: Sequence[Teaser], per_page: int) -> list[Sequence[Teaser]]:
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


def _page_path(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def article_spec(article: Article) -> OutputSpec:
    """The page of one article or standalone page."""
    return OutputSpec(article.source.output_path, page_view if article.is_page else article_view,
                      (article,), template=article.template)


@dataclass(frozen=True)
class TagIndex:
    """The stories of each tag, planned once from the teasers: by tag slug (sorted), its
    name as first written, the indexes of its stories (newest first), their latest change."""

    tags: tuple[tuple[str, str, tuple[int, ...], dt.datetime | None], ...]
    updated: dt.datetime | None = None  # the latest change among all the stories

    @property
    def names(self) -> list[str]:
        return [name for _, name, _, _ in self.tags]


def tag_index(stories: Sequence[Teaser], style: str) -> TagIndex:
    by_tag: dict[str, list[int]] = defaultdict(list)
    names: dict[str, str] = {}
    for index, story in enumerate(stories):
        for tag in story.tags:
            key = slugify(tag, style)
            names.setdefault(key, tag)
            by_tag[key].append(index)
    return TagIndex(tuple((key, names[key], tuple(indexes),
                           _updated(stories[i] for i in indexes))
                          for key, indexes in sorted(by_tag.items())), _updated(stories))


def listing_specs(stories: Sequence[Teaser], tags: TagIndex, languages: Sequence[str],
                  site: SiteView) -> list[OutputSpec]:
    """Home, tag, topic, archive, author, search and 404 pages: they read teasers only
    (`stories`: no standalone page), so a body edit leaves all of them as they were."""
    config = site.config
    style, strings = config.slug_style, site.locale()
    specs = _paginated(site, stories, base="", title=config.title,
                       description=config.description, template="index.html", home=True)
    for _, name, indexes, _ in tags.tags:
        specs += _paginated(site, [stories[i] for i in indexes], base=tag_path(name, style),
                            title=name, template="tag.html",
                            description=strings.gettext("Articles about %(topic)s", topic=name))
    topics = tuple((name, len(indexes)) for _, name, indexes, _ in tags.tags)
    specs.append(OutputSpec("tags/index.html", topics_view, (topics,), template="tags.html"))
    specs.append(OutputSpec("archive/index.html", archive_view, (tuple(stories),),
                            template="archive.html", cards=True))
    specs.append(OutputSpec("404.html", simple_view, (),
                            (("title", strings.gettext("Page not found")),
                             ("page_path", "404.html")), template="404.html"))
    specs += search_specs(site, languages)
    specs += author_specs(stories, site)
    specs.append(OutputSpec("robots.txt", robots_view, writer=write_robots))
    return specs


def feed_specs(articles: Sequence[Article], stories: Sequence[Teaser], tags: TagIndex,
               site: SiteView) -> list[OutputSpec]:
    """The site's feeds and each tag's: `articles[i]` is the story of `stories[i]`."""
    config = site.config
    count = config.feed_entries
    specs = _feeds(articles[:count], tags.updated, "", config.title)
    for _, name, indexes, updated in tags.tags:
        specs += _feeds([articles[i] for i in indexes[:count]], updated,
                        tag_path(name, config.slug_style), f"{config.title}: {name}")
    return specs


def _updated(teasers: Iterable[Teaser]) -> dt.datetime | None:
    return max((t.modified for t in teasers), default=None)


def _paginated(site: SiteView, teasers: Sequence[Teaser], *, base: str, title: str,
               description: str, template: str, home: bool = False) -> list[OutputSpec]:
    pages = paginate(teasers, site.config.per_page)
    specs = []
    for number, chunk in enumerate(pages, start=1):
        page_path = _page_path(base, number)
        link = PageLink(site.urls, page_path)
        pagination = {
            "current": number, "total": len(pages),
            "prev": link(_page_path(base, number - 1)) if number > 1 else None,
            "next": link(_page_path(base, number + 1)) if number < len(pages) else None,
        }
        kwargs = {"title": title if number == 1 else site.locale().gettext(
                      "%(title)s (page %(number)s)", title=title,
                      number=site.locale().number(number)),
                  "teasers": tuple(chunk), "page_path": page_path, "description": description,
                  "pagination": pagination, "home": home and number == 1}
        specs.append(OutputSpec(page_path + "index.html", listing_view,
                                kwargs=tuple(kwargs.items()), template=template, cards=True))
    return specs


def topics_view(site: SiteView, topics: tuple[tuple[str, int], ...]) -> View:
    link, strings = PageLink(site.urls, "tags/"), site.locale()
    tags = [{"name": name, "link": link(tag_path(name, site.config.slug_style)), "count": count,
             "count_display": strings.number(count)} for name, count in topics]
    return simple_view(site, title=strings.gettext("Topics"), page_path="tags/", tags=tags)


def archive_view(site: SiteView, teasers: tuple[Teaser, ...], *, cards: CardCache) -> View:
    link = PageLink(site.urls, "archive/")
    years: dict[int, list[dict[str, object]]] = defaultdict(list)
    for teaser in teasers:
        years[teaser.date.year].append(cards.card(teaser, link, locale=site.locale(),
                                                 slug_style=site.config.slug_style))
    return simple_view(site, title=site.locale().gettext("Archive"), page_path="archive/",
                       years=[{"year": year, "cards": shown}
                              for year, shown in sorted(years.items(), reverse=True)])


@dataclass(frozen=True)
class FeedBody:
    """A feed entry's content: hero, body and FAQ with absolute links; read from the
    blob store only when the feed is written."""

    hero_html: str
    body: StoredHTML
    faq_html: str
    url: str

    def digest_parts(self) -> object:
        return (self.hero_html, self.body, self.faq_html, self.url)

    def __str__(self) -> str:
        return _feed_text(self.hero_html, self.body, self.faq_html, self.url)


@functools.lru_cache(maxsize=64)  # the Atom, RSS and JSON feeds of one set: 3 reads each
def _feed_text(hero_html: str, body: StoredHTML, faq_html: str, url: str) -> str:
    hero = absolutize(hero_html, url) + "\n" if hero_html else ""
    return hero + body.absolute(url).text() + absolutize(faq_html, url)


def feed_entry(article: Article, site: SiteView) -> FeedEntry:
    url = site.urls.absolute(article.url_path)
    meta = article.meta
    locale = site.locale(meta.lang)
    faq_html = ""
    if article.faq:
        heading = escape(locale.gettext("Frequently asked questions"))
        faq_html = f"\n<h2>{heading}</h2>\n" + "\n".join(
            f"<h3>{escape(f.question)}</h3>\n{f.answer_html}" for f in article.faq)
    body = FeedBody(localize_media(article.hero.html, locale) if article.hero else "",
                    with_localized_media(article.body, locale), faq_html, url)
    images = article.image_urls
    return FeedEntry(
        title=meta.title, url=url, id=url, published=meta.date, updated=article.modified,
        summary=article.description, content_html=body,  # type: ignore[arg-type]
        authors=(article.author.name,) if article.author else (), tags=meta.tags,
        image_url=images[0] if images else article.social_image, language=meta.lang,
    )


def feed_view(site: SiteView, newest: tuple[Article, ...], base: str, title: str,
              name: str, updated: dt.datetime | None) -> View:
    """`newest`: the entries; `updated`: the latest change among all the feed's articles."""
    config = site.config
    info = FeedInfo(title=title, site_url=site.urls.absolute(base),
                    feed_url=site.urls.absolute(base + name),
                    description=config.description or title, language=config.language,
                    updated=updated or dt.datetime(site.year, 1, 1, tzinfo=dt.UTC),
                    author=config.publisher.name if config.publisher else None)
    return {"info": info, "entries": [feed_entry(a, site) for a in newest]}


def _materialized(view: View) -> tuple[FeedInfo, list[FeedEntry]]:
    return view["info"], [dataclasses.replace(e, content_html=str(e.content_html))
                          for e in view["entries"]]


def write_atom(view: View) -> str:
    return atom_feed(*_materialized(view))


def write_rss(view: View) -> str:
    return rss_feed(*_materialized(view))


def write_json_feed(view: View) -> str:
    return json_feed(*_materialized(view))


def _feeds(newest: Sequence[Article], updated: dt.datetime | None, base: str, title: str
           ) -> list[OutputSpec]:
    """`newest`: the feed's entries; `updated`: the latest change among all its stories."""
    return [OutputSpec(base + name, feed_view, (tuple(newest), base, title, name, updated),
                       writer=writer)
            for name, writer in (("feed.xml", write_atom), ("rss.xml", write_rss),
                                 ("feed.json", write_json_feed))]


def sitemap_entry(site: SiteView, article: Article) -> SitemapEntry:
    """A story's URL with its videos and translations."""
    videos = tuple(
        SitemapVideo(thumbnail_loc=v["thumbnailUrl"][0], title=v["name"],
                     description=v.get("description") or article.meta.title,
                     content_loc=v.get("contentUrl"), duration=embed.video_seconds,
                     # a YouTube/Vimeo facade has a player, not a file
                     player_loc=None if v.get("contentUrl") else v.get("embedUrl"),
                     publication_date=article.date)
        for embed in article.all_embeds
        if (v := embed.video_object) and v.get("thumbnailUrl"))
    alternates = tuple((t.lang, site.urls.absolute(t.url_path)) for t in article.translations)
    return SitemapEntry(site.urls.absolute(article.url_path), article.modified, videos,
                        alternates)


def sitemap_entries(site: SiteView, stories: Sequence[SitemapEntry], updated: dt.datetime | None,
                    tags: Sequence[str], pages: Sequence[Article] = ()) -> list[SitemapEntry]:
    """Home, the stories' entries (`sitemap_entry`), tags, standalone pages, authors."""
    entries = [SitemapEntry(site.urls.absolute(""), updated), *stories]
    entries.extend(SitemapEntry(site.urls.absolute(tag_path(name, site.config.slug_style)))
                   for name in tags)
    entries.extend(SitemapEntry(site.urls.absolute(page.url_path), page.meta.updated or
                                (page.meta.date if page.meta.dated else None))
                   for page in pages)
    entries.extend(SitemapEntry(site.urls.absolute(path)) for path in author_paths(site.config))
    return entries


def sitemap_specs(entries: Sequence[SitemapEntry], site: SiteView) -> list[OutputSpec]:
    """One sitemap.xml, or past the protocol's 50,000 URLs a sitemap index over parts."""
    first_by_loc: dict[str, SitemapEntry] = {}
    for entry in entries:
        first_by_loc.setdefault(entry.loc, entry)
    unique = tuple(first_by_loc.values())
    if len(unique) <= MAX_URLS_PER_SITEMAP:
        return [OutputSpec("sitemap.xml", entries_view, (unique,), writer=write_sitemap)]
    parts = split_sitemap(unique, MAX_URLS_PER_SITEMAP)
    specs = [OutputSpec(f"sitemap-{number}.xml", entries_view, (part,), writer=write_sitemap)
             for number, part in enumerate(parts, start=1)]
    index = tuple((site.urls.absolute(f"sitemap-{number}.xml"),
                   max((e.lastmod for e in part if e.lastmod), default=None))
                  for number, part in enumerate(parts, start=1))
    specs.append(OutputSpec("sitemap.xml", entries_view, (index,), writer=write_sitemap_index))
    return specs


def entries_view(site: SiteView, entries: tuple[Any, ...]) -> View:
    return {"entries": entries}


def write_sitemap(view: View) -> str:
    return sitemap_xml(view["entries"])


def write_sitemap_index(view: View) -> str:
    return sitemap_index_xml(view["entries"])


def robots_view(site: SiteView) -> View:
    return {"sitemap": site.urls.absolute("sitemap.xml")}


def write_robots(view: View) -> str:
    return robots_txt(view["sitemap"])


__all__ = ["OutputSpec", "feed_entry", "paginate"]
