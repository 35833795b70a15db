"""The graph's records kept in memory between builds: the preview's resident graph.

A CLI build starts with an empty `ResidentGraph` and drops it at the end; `serve` keeps
one for its whole life, so a save re-evaluates only what is downstream of the files that
changed. Nothing here decides what is stale: every entry is looked up by the same keys
the index uses (a page node by the digest of its file's bytes, the config and the code;
an assembled article by its node and everything `assemble` reads), and the stat of every
tracked file is still taken by the build, so a missed watcher event cannot leave a stale
page. Entries not used by a build are dropped at its end: memory follows the site, not
its history."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from reelpress.build.content_worker import PreparedPage
from reelpress.core.diagnostics import Diagnostic
from reelpress.core.generation import Derived, Generation
from reelpress.render.article import Article, RelatedStory, Translation
from reelpress.render.outputs import OutputSpec
from reelpress.render.related import Candidate
from reelpress.render.site_pages import TagIndex
from reelpress.render.sitemap import SitemapEntry
from reelpress.render.teaser import Teaser, teaser_of
from reelpress.render.translations import Version
from reelpress.render.views import CardCache

RecordDigest = tuple[object, str]  # (the record, pinned so its id is not reused; digest)


@dataclass
class ResidentGraph:
    """What one process has already computed, by key (see the module's docstring)."""

    page_keys: Derived[str, tuple[str, str, str, str, str], str] = field(default_factory=Derived)
    prepared: Generation[str, PreparedPage] = field(default_factory=Generation)
    articles: Generation[str, tuple[Article, tuple[Diagnostic, ...]]] = \
        field(default_factory=Generation)
    related: Derived[str, tuple[int, tuple[Candidate, ...]],
                     dict[str, tuple[RelatedStory, ...]]] = field(default_factory=Derived)
    digests: Generation[int, RecordDigest] = field(default_factory=Generation)
    # (theme, fingerprint of all its template files, names) -> each name's closure fingerprint
    templates: Generation[object, tuple[tuple[str, str], ...]] = field(default_factory=Generation)
    cards: CardCache = field(default_factory=CardCache)
    # by article path: what listings and the related-story choice read of an article, and
    # the article with its related stories, kept while made from the very same objects
    teasers: Derived[str, Article, Teaser] = field(default_factory=Derived)
    candidates: Derived[str, Article, Candidate | None] = field(default_factory=Derived)
    with_related: Derived[str, tuple[Article, object], Article] = field(default_factory=Derived)
    versions: Derived[str, Article, Version] = field(default_factory=Derived)
    translations: Derived[str, tuple[str, tuple[Version, ...]],
                          tuple[dict[str, tuple[Translation, ...]], list[Diagnostic]]] = \
        field(default_factory=Derived)
    with_translations: Derived[str, tuple[Article, tuple[Translation, ...] | None], Article] = \
        field(default_factory=Derived)
    # the plan (`build/plan`): each page's spec by path, the tags and the listings of
    # the site, each story's sitemap entry
    page_specs: Derived[str, Article, OutputSpec] = field(default_factory=Derived)
    tag_index: Derived[str, tuple[object, ...], TagIndex] = field(default_factory=Derived)
    listings: Derived[str, tuple[object, ...], list[OutputSpec]] = field(default_factory=Derived)
    sitemap_entries: Derived[str, tuple[str, Article], SitemapEntry] = \
        field(default_factory=Derived)
    # by output path: its inputs key, kept while made from the very same site key,
    # template fingerprint, view function and records (see `build/render.inputs_key`)
    inputs: Derived[str, tuple[object, ...], str] = field(default_factory=Derived)

    def teasers_of(self, articles: Sequence[Article]) -> list[Teaser]:
        """Each article's teaser: the previous object while the article gives an equal one
        (a body edit), so no listing's inputs change."""
        return [self.teasers.get(a.source.rel, a, teaser_of) for a in articles]

    def end_build(self) -> None:
        """Drop what this build did not use (every memo: none can be forgotten here)."""
        self.cards.end_build(self.teasers.used())
        for memo in dataclasses.fields(self):
            if memo.name != "cards":
                getattr(self, memo.name).end_build()
