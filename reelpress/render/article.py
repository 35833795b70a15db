"""The assembled article: source, rendered body, FAQ and media, ready for templates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape as html_unescape
from typing import Any
from urllib.parse import unquote

from markupsafe import Markup, escape

from reelpress.content.loader import SourcePage
from reelpress.core.blobs import BlobStore
from reelpress.core.config import Author, SiteConfig
from reelpress.core.diagnostics import Diagnostic, warning
from reelpress.core.languages import slugify
from reelpress.core.records import pickled_by_fields
from reelpress.core.urls import UrlScheme, absolutize, relativize_root_links
from reelpress.markup.anchors import UniqueNames
from reelpress.markup.engine import PLACEHOLDER_PATTERN, RenderedBody, is_source_link
from reelpress.media.records import MediaEmbed as MediaEmbed  # re-exported
from reelpress.media.records import Thumbnail as Thumbnail  # re-exported


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FaqEntry:
    """A visible FAQ item; the same strings feed the FAQPage JSON-LD."""

    question: str
    answer_html: str
    anchor: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class RelatedStory:
    """Another article sharing a tag, as shown under a story."""

    title: str
    url_path: str
    date: dt.datetime


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Translation:
    """One language version of a story (the article itself included), for hreflang links,
    the language switch and the sitemap."""

    lang: str
    url_path: str
    title: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class StoredHTML:
    """An article body as the blob store holds it (media placeholders, links to .md
    files), with what makes it this page's HTML. It names exactly one content (the blob
    id is the digest of its bytes), so a view holding it is keyed without reading it;
    templates get the HTML through `__html__` when, and only when, they render."""

    store: BlobStore
    blob: str
    links: tuple[tuple[str, str], ...] = ()
    embeds: tuple[str, ...] = ()          # the HTML of each media placeholder, by index
    urls: UrlScheme | None = None         # relative URLs: rewrite root links for...
    from_page: str = ""                   # ...this page
    absolute_url: str | None = None       # feeds: every link made absolute against this

    def digest_parts(self) -> object:
        return (self.blob, self.links, self.embeds, self.urls, self.from_page,
                self.absolute_url)

    def for_page(self, urls: UrlScheme, from_page: str) -> StoredHTML:
        return dataclasses.replace(self, urls=urls, from_page=from_page)

    def absolute(self, page_url: str) -> StoredHTML:
        return dataclasses.replace(self, absolute_url=page_url)

    def text(self) -> str:
        """The HTML as a plain string (reads the blob, once per render chunk)."""
        return _page_html(self)

    def __html__(self) -> Markup:
        return Markup(self.text())

    def __str__(self) -> str:
        return self.text()


@functools.lru_cache(maxsize=512)
def _page_html(stored: StoredHTML) -> str:
    """A pure function of the blob's bytes (read and verified) and the record, remembered
    for the outputs in a row that show one body the same way: an article's page reads it
    twice (its media-script check and its body), the Atom, RSS and JSON feeds of a list
    each show its newest bodies with absolute links (512 entries hold the three formats
    of several lists; 8 made every one a miss). Emptied by `forget_bodies` before each
    chunk of outputs, so a blob damaged since is read, and found damaged, again."""
    html = link_source_files(stored.store.read(stored.blob).decode("utf-8"), stored.links)
    html = PLACEHOLDER_PATTERN.sub(lambda m: stored.embeds[int(m.group(1))], html)
    if stored.urls is not None:
        html = relativize_root_links(html, stored.urls, stored.from_page)
    if stored.absolute_url is not None:
        html = absolutize(html, stored.absolute_url)
    return html


def forget_bodies() -> None:
    """Drop the bodies read so far (the render calls it before each chunk)."""
    _page_html.cache_clear()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    """A page ready for templates: complete (the body is a `StoredHTML` reference that
    renders on demand, the FAQ is rendered) and frozen."""

    source: SourcePage
    body: StoredHTML
    faq: tuple[FaqEntry, ...]
    hero: MediaEmbed | None
    embeds: tuple[MediaEmbed, ...]
    author: Author | None
    word_count: int
    social_image: str | None = None  # absolute URL of the 1200x630 card, when made
    # links to other Markdown files, as rendered -> the URL of that article
    links: tuple[tuple[str, str], ...] = ()
    related: tuple[RelatedStory, ...] = ()
    translations: tuple[Translation, ...] = ()  # empty: no other language has this story
    # the digest of everything `assemble` read for this record (its page node, media,
    # config, the site's links): it stands for every field but the two filled later
    record_key: str = ""

    def digest_parts(self) -> object:
        """What this record is: its assembly key and the fields filled after assembly
        (every field, when it was made by hand)."""
        if not self.record_key:
            return tuple((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        return (self.record_key, self.related, self.translations)

    @property
    def is_page(self) -> bool:
        """A standalone page (About, Contact): not in listings, feeds or the archive."""
        return bool(self.source.meta.is_page)

    @property
    def template(self) -> str:
        return self.source.meta.template or ("page.html" if self.is_page else "article.html")

    @property
    def meta(self):  # noqa: ANN201 - PageMeta, re-exported for templates
        return self.source.meta

    @property
    def url_path(self) -> str:
        return self.source.url_path

    @property
    def date(self) -> dt.datetime:
        return self.source.meta.date

    @property
    def modified(self) -> dt.datetime:
        return self.source.meta.updated or self.source.meta.date

    @property
    def description(self) -> str:
        meta = self.source.meta
        return (meta.description or meta.summary or "").strip()

    @property
    def all_embeds(self) -> tuple[MediaEmbed, ...]:
        return ((self.hero,) if self.hero else ()) + self.embeds

    @property
    def video_objects(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(e.video_object for e in self.all_embeds if e.video_object)

    @property
    def image_urls(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.image_url for e in self.all_embeds if e.image_url))

    @property
    def images_jsonld(self) -> tuple[Any, ...]:
        """NewsArticle.image: an ImageObject for credited photos, else the URL."""
        seen: dict[str, Any] = {}
        for embed in self.all_embeds:
            if embed.image_url and embed.image_url not in seen:
                seen[embed.image_url] = embed.image_object or embed.image_url
        return tuple(seen.values())

    @property
    def thumbnail(self) -> Thumbnail | None:
        return next((e.thumbnail for e in self.all_embeds if e.thumbnail), None)

    @property
    def has_video(self) -> bool:
        return bool(self.video_objects)


def resolve_author(name: str | None, config: SiteConfig) -> Author | None:
    name = name or config.default_author
    if not name:
        return None
    if name in config.authors:
        return config.authors[name]
    for author in config.authors.values():
        if author.name == name:
            return author
    return Author(slugify(name), name)  # a plain name: no author page


def merge_faq(page: SourcePage, rendered: RenderedBody, answers_html: tuple[str, ...]
              ) -> tuple[FaqEntry, ...]:
    """Front-matter items first, then body blocks; one FAQ per page, unique anchors.
    `answers_html` are the front-matter answers, already rendered from Markdown."""
    pairs = list(zip((item.question for item in page.meta.faq), answers_html, strict=True))
    pairs += [(item.question, item.answer_html) for item in rendered.faq]
    names = UniqueNames(first_suffix=2)
    return tuple(FaqEntry(question, answer,
                          names.claim("faq-" + (slugify(question)[:60] or "item")))
                 for question, answer in pairs)


def fill_placeholders(html: str, embeds: tuple[MediaEmbed, ...]) -> str:
    """Media placeholders left by the markup stage, replaced by the embeds' HTML."""
    return PLACEHOLDER_PATTERN.sub(lambda m: embeds[int(m.group(1))].html, html)


_HREF = re.compile(r'href="([^"]*)"')


@functools.lru_cache(maxsize=1024)  # an article's body and each FAQ answer share its links
def _escaped_targets(links: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {str(escape(href)): str(escape(target)) for href, target in links}


def link_source_files(html: str, links: tuple[tuple[str, str], ...]) -> str:
    """Point links to Markdown files at the articles' URLs (one pass over the HTML, however
    many links there are)."""
    if ".md" not in html or not links:
        return html
    targets = _escaped_targets(links)
    return _HREF.sub(lambda m: f'href="{targets[m.group(1)]}"' if m.group(1) in targets
                     else m.group(0), html)


def faq_source_links(faq: tuple[FaqEntry, ...]) -> tuple[str, ...]:
    """Links to Markdown files in rendered FAQ answers (as the author wrote them)."""
    return tuple(dict.fromkeys(
        html_unescape(href) for entry in faq if ".md" in entry.answer_html
        for href in _HREF.findall(entry.answer_html) if is_source_link(html_unescape(href))))


@functools.lru_cache(maxsize=65536)
def _source_target(folder: str, path: str) -> str:
    """'content/2025' + '../other.md' -> 'content/other.md' (many pages link the same)."""
    return posixpath.normpath(posixpath.join(folder, unquote(path)))


def resolve_source_links(page: SourcePage, body: RenderedBody, faq_links: tuple[str, ...],
                         url_paths: dict[str, str], base_path: str
                         ) -> tuple[tuple[tuple[str, str], ...], list[Diagnostic]]:
    """`[story](../2024/other.md#faq)` -> `/news/2024/other/#faq`, in the body and the FAQ
    answers; unknown targets warn."""
    resolved: list[tuple[str, str]] = []
    problems: list[Diagnostic] = []
    if not body.source_links and not faq_links:
        return (), []
    folder = posixpath.dirname(page.rel)
    in_faq = [(href, None) for href in faq_links]
    for href, line in dict.fromkeys([*body.source_links, *in_faq]):
        path, _, fragment = href.partition("#")
        url_path = url_paths.get(_source_target(folder, path))
        if url_path is None:
            problems.append(warning(page.rel, line, f"link to {href!r}: no such published "
                                    "article", "fix the path, or publish the article"))
            continue
        resolved.append((href, _link_target(base_path, url_path, fragment)))
    return tuple(resolved), problems


@functools.lru_cache(maxsize=65536)
def _link_target(base_path: str, url_path: str, fragment: str) -> str:
    """One string per target, however many articles link it: every article is held by
    the main process and copied into each render worker."""
    return base_path + url_path + (f"#{fragment}" if fragment else "")
