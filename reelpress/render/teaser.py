"""What a listing shows of an article, as its own record.

Home, tag, author and archive pages read a `Teaser` of each story, never the `Article`:
an edit of a body gives an equal teaser, so the inputs of every listing stay as they
were and no listing is planned, digested or rendered again for it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from reelpress.core.config import Author
from reelpress.core.records import pickled_by_fields
from reelpress.media.records import Thumbnail
from reelpress.render.article import Article


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Teaser:
    """The card of one article, and what planning listings reads of it."""

    rel: str
    url_path: str
    title: str
    date: dt.datetime
    modified: dt.datetime
    description: str
    author: Author | None
    tags: tuple[str, ...]
    lang: str | None
    has_video: bool
    thumbnail: Thumbnail | None
    is_page: bool

    def digest_parts(self) -> object:
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self))


def teaser_of(article: Article) -> Teaser:
    meta = article.meta
    return Teaser(rel=article.source.rel, url_path=article.url_path, title=meta.title,
                  date=meta.date, modified=article.modified, description=article.description,
                  author=article.author, tags=tuple(meta.tags), lang=meta.lang,
                  has_video=article.has_video, thumbnail=article.thumbnail,
                  is_page=article.is_page)
