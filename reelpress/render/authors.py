"""Author pages: each key of `[authors]` gets /authors/KEY/ listing their articles, with
ProfilePage + Person JSON-LD; bylines and NewsArticle.author link to it."""

from __future__ import annotations

from collections.abc import Sequence

from reelpress.core.config import Author
from reelpress.render.outputs import OutputSpec, View
from reelpress.render.people import author_path, author_person, photo_url
from reelpress.render.teaser import Teaser
from reelpress.render.views import CardCache, SiteView, _head

TEMPLATE = "author.html"


def author_specs(articles: Sequence[Teaser], site: SiteView) -> list[OutputSpec]:
    """One page per [authors] key (also when it has no article yet)."""
    by_key: dict[str, list[Teaser]] = {}
    for article in articles:
        if article.author is not None and article.author.listed:
            by_key.setdefault(article.author.key, []).append(article)
    specs = []
    for author in site.config.authors.values():
        path = author_path(author)
        if path is None:
            continue
        specs.append(OutputSpec(path + "index.html", author_view,
                                (author, tuple(by_key.get(author.key, [])), path),
                                template=TEMPLATE, cards=True))
    return specs


def author_view(site: SiteView, author: Author, articles: Sequence[Teaser],
                page_path: str, *, cards: CardCache) -> View:
    context = site.context(page_path)
    link = context["url"]
    url = site.urls.absolute(page_path)
    person = author_person(author, site.urls.absolute, site.assets)
    profile = {"@context": "https://schema.org", "@type": "ProfilePage", "@id": url,
               "url": url, "name": author.name, "mainEntity": person}
    head = _head(site, title=f"{author.name} | {site.config.title}",
                 description=author.bio or site.locale().gettext("Articles by %(author)s",
                                                                 author=author.name),
                 page_path=page_path,
                 og_type="profile", blocks=[profile])
    view = {
        "key": author.key,
        "name": author.name,
        "bio": author.bio,
        "photo": photo_url(author, link, site.assets),
        "url": author.url,
        "social": [{"name": name, "url": profile_url} for name, profile_url in author.social],
        "link": link(page_path),
    }
    shown = [cards.card(teaser, link, locale=context["i18n"], slug_style=site.config.slug_style)
             for teaser in articles]
    return {**context, "head": head, "author": view, "cards": shown}
