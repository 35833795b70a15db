"""Who wrote what: the author page path of an `Author`, their byline link and Person
JSON-LD (pure, so article pages and author pages agree)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from reelpress.core.config import Author, SiteConfig
from reelpress.core.languages import slugify
from reelpress.core.urls import published_static
from reelpress.structured import jsonld


def author_path(author: Author | None) -> str | None:
    """'authors/newsdesk/' for a key of [authors]; None for a plain name."""
    if author is None or not author.listed or not slugify(author.key):
        return None
    return f"authors/{slugify(author.key)}/"


def author_paths(config: SiteConfig) -> list[str]:
    return [path for author in config.authors.values() if (path := author_path(author))]


def photo_url(author: Author, link: Callable[[str], str],
              assets: Mapping[str, str]) -> str | None:
    """An absolute URL as given; `static/x.jpg` as published (its name fingerprinted)."""
    if not author.photo:
        return None
    if author.photo.startswith(("http://", "https://")):
        return author.photo
    return link(published_static(author.photo, assets))


def author_person(author: Author, absolute: Callable[[str], str],
                  assets: Mapping[str, str]) -> dict[str, Any]:
    """Person: `url` is the author page when there is one; the author's own URL and social
    profiles go to `sameAs`."""
    path = author_path(author)
    same_as = [url for url in (author.url, *(u for _, u in author.social)) if url]
    data = jsonld.person(author.name, absolute(path) if path else author.url)
    if path and same_as:
        data["sameAs"] = same_as
    elif not path and len(same_as) > 1:
        data["sameAs"] = same_as[1:]
    if author.bio:
        data["description"] = author.bio
    if author.photo:
        data["image"] = photo_url(author, absolute, assets)
    return data


def byline_link(author: Author, link: Callable[[str], str]) -> str | None:
    path = author_path(author)
    return link(path) if path else author.url
