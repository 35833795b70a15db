"""Site-wide outputs built from the list of articles: home with pagination, tag pages,
archive, 404, feeds (Atom, RSS, JSON Feed; site-wide and per tag), sitemap, robots.txt."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from urllib.parse import urljoin

import jinja2

from reelpress.build.cache import render_key
from reelpress.build.memo import OutputMemo
from reelpress.build.store import BodyStore
from reelpress.core.diagnostics import Reporter
from reelpress.core.languages import slugify
from reelpress.core.project import ProjectPaths
from reelpress.render.article import Article, with_body
from reelpress.render.authors import write_author_pages
from reelpress.render.feeds import FeedEntry, FeedInfo, atom_feed, json_feed, rss_feed
from reelpress.render.pages import pages_of, stories_of
from reelpress.render.people import author_paths
from reelpress.render.search_pages import write_search_pages
from reelpress.render.sitemap import SitemapEntry, SitemapVideo, robots_txt, sitemap_xml
from reelpress.render.theme import template_diagnostic
from reelpress.render.views import SiteView, card, render_listing, render_simple, tag_path

_URL_ATTRIBUTE = re.compile(r'\b(href|src|poster)="([^"]*)"')
_SRCSET = re.compile(r'\bsrcset="([^"]*)"')


def absolutize(html: str, page_url: str) -> str:
    """Feed readers need absolute URLs: resolve every href/src/poster/srcset against the page."""
    def one(match: re.Match[str]) -> str:
        value = match.group(2)
        if value.startswith("#") or re.match(r"^[a-z][a-z0-9+.-]*:", value, re.IGNORECASE):
            return match.group(0)
        return f'{match.group(1)}="{urljoin(page_url, value)}"'

    def srcset(match: re.Match[str]) -> str:
        parts = []
        for candidate in match.group(1).split(","):
            pieces = candidate.strip().split(None, 1)
            if pieces:
                pieces[0] = urljoin(page_url, pieces[0])
                parts.append(" ".join(pieces))
        return f'srcset="{", ".join(parts)}"'

    return _SRCSET.sub(srcset, _URL_ATTRIBUTE.sub(one, html))


def paginate(items: Sequence[Article], per_page: int) -> list[Sequence[Article]]:
    return [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]


def _page_path(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def write_listings_and_feeds(env: jinja2.Environment, everything: Sequence[Article],
                             site: SiteView, memo: OutputMemo, article_keys: dict[str, str],
                             store: BodyStore, paths: ProjectPaths, reporter: Reporter) -> None:
    """Everything except the article pages themselves; unchanged outputs are kept.
    Standalone pages (`everything` has them too) are only in the sitemap."""
    config = site.config
    articles, pages = stories_of(everything), pages_of(everything)
    style = config.slug_style
    strings = site.locale()

    def keys_of(items: Sequence[Article]) -> tuple[str, ...]:
        return tuple(article_keys[a.source.output_path] for a in items)

    card_keys: dict[str, str] = {}

    def cards_of(items: Sequence[Article]) -> tuple[str, ...]:
        """Listings show cards, not bodies: a body edit leaves them alone."""
        for article in items:
            if article.url_path not in card_keys:
                meta = article.meta
                card_keys[article.url_path] = render_key(
                    meta.title, article.url_path, meta.date, article.description, meta.tags,
                    article.author, article.has_video, article.thumbnail, meta.lang)
        return tuple(card_keys[a.url_path] for a in items)

    by_tag: dict[str, list[Article]] = defaultdict(list)
    tag_names: dict[str, str] = {}
    for article in articles:
        for tag in article.meta.tags:
            key = slugify(tag, style)
            tag_names.setdefault(key, tag)
            by_tag[key].append(article)

    def guarded(template: str, output: str, inputs: object, render) -> None:  # noqa: ANN001
        try:
            memo.emit(output, memo.key(template, inputs), render)
        except jinja2.TemplateError as exc:
            memo.forget(output)
            reporter.add(template_diagnostic(exc, paths, template))

    _paginated(env, site, guarded, cards_of, articles, base="", title=config.title,
               description=config.description, template="index.html", home=True)
    entries: dict[str, FeedEntry] = {}
    for key, tagged in sorted(by_tag.items()):
        name = tag_names[key]
        _paginated(env, site, guarded, cards_of, tagged, base=tag_path(name, style), title=name,
                   description=strings.gettext("Articles about %(topic)s", topic=name),
                   template="tag.html")
        _write_feeds(site, memo, store, entries, tagged, keys_of, f"{tag_path(name, style)}",
                     title=f"{config.title}: {name}")
    tags = [{"name": tag_names[key],
             "link": site.urls.link(tag_path(tag_names[key], style), "tags/"),
             "count": len(items), "count_display": strings.number(len(items))}
            for key, items in sorted(by_tag.items())]
    guarded("tags.html", "tags/index.html", tags,
            lambda: render_simple(env, site, template="tags.html",
                                  title=strings.gettext("Topics"), page_path="tags/", tags=tags))
    guarded("archive.html", "archive/index.html", cards_of(articles),
            lambda: render_simple(env, site, template="archive.html",
                                  title=strings.gettext("Archive"), page_path="archive/",
                                  years=_years(articles, site)))
    guarded("404.html", "404.html", (),
            lambda: render_simple(env, site, template="404.html",
                                  title=strings.gettext("Page not found"), page_path="404.html"))
    write_search_pages(env, site, everything, guarded)
    _write_feeds(site, memo, store, entries, articles, keys_of, "", title=config.title)
    write_author_pages(env, articles, site, guarded, cards_of)
    sitemap_inputs = tuple((a.url_path, a.modified, a.meta.title, a.description,
                            a.video_objects, a.translations) for a in everything)
    memo.emit("sitemap.xml", memo.key(None, "sitemap", sitemap_inputs, sorted(by_tag)),
              lambda: _sitemap(site, articles, sorted(by_tag), tag_names, pages))
    memo.emit("robots.txt", memo.key(None, "robots"),
              lambda: robots_txt(site.urls.absolute("sitemap.xml")))


def _paginated(env, site, guarded, cards_of, articles, *, base, title, description, template,
               home=False) -> None:  # noqa: ANN001
    pages = paginate(articles, site.config.per_page)
    for number, chunk in enumerate(pages, start=1):
        page_path = _page_path(base, number)
        pagination = {
            "current": number, "total": len(pages),
            "prev": site.urls.link(_page_path(base, number - 1), page_path) if number > 1 else None,
            "next": site.urls.link(_page_path(base, number + 1), page_path)
            if number < len(pages) else None,
        }
        guarded(template, page_path + "index.html", (cards_of(chunk), number, len(pages)),
                lambda chunk=chunk, page_path=page_path, pagination=pagination, number=number:
                render_listing(env, site, template=template,
                               title=title if number == 1 else site.locale().gettext(
                                   "%(title)s (page %(number)s)", title=title,
                                   number=site.locale().number(number)),
                               articles=chunk, page_path=page_path, description=description,
                               pagination=pagination, home=home and number == 1))


def _years(articles: Sequence[Article], site: SiteView) -> list[dict[str, object]]:
    years: dict[int, list[dict[str, object]]] = defaultdict(list)
    for article in articles:
        years[article.date.year].append(card(article, lambda p: site.urls.link(p, "archive/"),
                                             locale=site.locale(),
                                             slug_style=site.config.slug_style))
    return [{"year": year, "cards": cards} for year, cards in sorted(years.items(), reverse=True)]


def feed_entry(article: Article, site: SiteView) -> FeedEntry:
    url = site.urls.absolute(article.url_path)
    meta = article.meta
    body = article.body_html
    if article.hero:
        body = article.hero.html + "\n" + body
    if article.faq:
        heading = jinja2.utils.markupsafe.escape(
            site.locale(meta.lang).gettext("Frequently asked questions"))
        body += f"\n<h2>{heading}</h2>\n" + "\n".join(
            f"<h3>{jinja2.utils.markupsafe.escape(f.question)}</h3>\n{f.answer_html}"
            for f in article.faq)
    images = article.image_urls
    return FeedEntry(
        title=meta.title, url=url, id=url, published=meta.date, updated=article.modified,
        summary=article.description, content_html=absolutize(body, url),
        authors=(article.author.name,) if article.author else (), tags=meta.tags,
        image_url=images[0] if images else article.social_image, language=meta.lang,
    )


def _write_feeds(site: SiteView, memo: OutputMemo, store: BodyStore,
                 entries: dict[str, FeedEntry],
                 articles: Sequence[Article], keys_of, base: str, *, title: str  # noqa: ANN001
                 ) -> None:
    """Atom, RSS and JSON Feed of `articles`; entries are built once per article."""
    config = site.config
    newest = articles[: config.feed_entries]
    updated = max((a.modified for a in articles), default=site.now)

    def feed_entries() -> list[FeedEntry]:
        for article in newest:
            if article.url_path not in entries:
                entries[article.url_path] = feed_entry(with_body(article, store), site)
        return [entries[a.url_path] for a in newest]

    for name, make in (("feed.xml", atom_feed), ("rss.xml", rss_feed), ("feed.json", json_feed)):
        info = FeedInfo(title=title, site_url=site.urls.absolute(base),
                        feed_url=site.urls.absolute(base + name),
                        description=config.description or title, language=config.language,
                        updated=updated,
                        author=config.publisher.name if config.publisher else None)
        memo.emit(base + name, memo.key(None, name, title, keys_of(newest), updated),
                  lambda make=make, info=info: make(info, feed_entries()))


def _sitemap(site: SiteView, articles: Sequence[Article], tag_keys: list[str],
             tag_names: dict[str, str], pages: Sequence[Article] = ()) -> str:
    entries = [SitemapEntry(site.urls.absolute(""),
                            max((a.modified for a in articles), default=None))]
    for article in articles:
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
        entries.append(SitemapEntry(site.urls.absolute(article.url_path), article.modified, videos,
                                    alternates))
    for key in tag_keys:
        entries.append(SitemapEntry(site.urls.absolute(tag_path(tag_names[key],
                                                                site.config.slug_style))))
    entries.extend(SitemapEntry(site.urls.absolute(page.url_path), page.meta.updated or
                                (page.meta.date if page.meta.dated else None))
                   for page in pages)
    entries.extend(SitemapEntry(site.urls.absolute(path)) for path in author_paths(site.config))
    return sitemap_xml(entries)
