"""What the delta path (`build/delta.py`) keeps of a build: each published article,
complete, with its *outline*, and each output that reads articles whole as a spec that
names them by path.

An article's outline is the digest of everything any other output reads of it: its
front matter, where it goes, its media references, its hero and social image and its
videos. Listings read teasers, the related-story choice reads candidates, translations
read versions, the sitemap reads entries, and all of these are made from the outline's
parts. So an edit that leaves an article's outline as it was can change only the
outputs that read the article whole: its page and the feeds that show it. Its page's spec
is planned again from the article alone (`article_spec`); the feeds' specs are stored,
naming their articles by path. Of the articles, the delta path loads whole only those a
feed shows beside the edited one: only these are stored whole; of every other article
it needs the related stories and translations chosen for it (which no edit of its body
changes)."""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable, Iterable, Sequence

from reelpress.build.content_worker import PreparedPage
from reelpress.build.digest import record_digest
from reelpress.build.graph import BuildGraph
from reelpress.build.index import StoryChanges, StoryRow
from reelpress.build.render import RecordDigests, record_key
from reelpress.render.article import Article, RelatedStory, Translation
from reelpress.render.outputs import OutputSpec
from reelpress.render.site_pages import article_spec


def outline_of(prepared: PreparedPage, article: Article) -> str:
    """The digest of what other outputs read of this article (see the module's text). The
    config is left out: a delta build runs only while it, the theme and the code are as
    they were. A digest of the pickled parts: exact, so outlines that differ never match;
    equal ones almost always do (the same file's bytes make the same records), and a
    mismatch only gives way to the full build."""
    page, body = prepared.page, prepared.body
    assert page is not None and body is not None
    refs = tuple((ref.kind, ref.src, tuple(sorted(ref.attrs))) for ref in body.media)
    videos = tuple(embed.video_object for embed in article.all_embeds if embed.video_object)
    return record_digest("outline", page.rel, page.meta, page.output_path, page.url_path,
                         refs, article.hero, article.social_image, article.has_video,
                         article.thumbnail, article.author, article.template, videos,
                         article.is_page)


def _article_rels(spec: OutputSpec) -> tuple[str, ...]:
    """The articles a spec's records are or hold (a tuple of them, for feeds)."""
    found: list[str] = []
    for value in (*spec.args, *(value for _, value in spec.kwargs)):
        if isinstance(value, Article):
            found.append(value.source.rel)
        elif isinstance(value, tuple):
            found.extend(item.source.rel for item in value if isinstance(item, Article))
    return tuple(dict.fromkeys(found))


def own_page(spec: OutputSpec) -> bool:
    """The spec is its one article's page, as `article_spec` plans it from the article
    alone: the delta path plans it again instead of storing it."""
    first = spec.args[0] if len(spec.args) == 1 and not spec.kwargs else None
    return isinstance(first, Article) and spec == article_spec(first)


def read_together(specs: Iterable[OutputSpec]) -> set[str]:
    """The articles an output reads beside other articles (a feed's entries): the delta
    path loads these whole when it decides that output for an edit of another."""
    return {rel for spec in specs if len(rels := _article_rels(spec)) > 1 for rel in rels}


class _SpecPickler(pickle.Pickler):
    """A spec with each article written as its path (the article is stored once, in
    `stories`)."""

    def persistent_id(self, obj: object) -> str | None:
        return obj.source.rel if isinstance(obj, Article) else None


class _SpecUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, article: Callable[[str], Article]):
        super().__init__(io.BytesIO(data))
        self._article = article

    def persistent_load(self, pid: object) -> Article:
        return self._article(str(pid))


def spec_bytes(spec: OutputSpec) -> bytes:
    buffer = io.BytesIO()
    _SpecPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(spec)
    return buffer.getvalue()


def load_spec(data: bytes, article: Callable[[str], Article]) -> OutputSpec | None:
    """A stored spec with its articles from `article(path)`; None when it does not load."""
    try:
        spec = _SpecUnpickler(data, article).load()
    except Exception:  # noqa: BLE001 - a damaged row, or an article not stored: a miss
        return None
    return spec if isinstance(spec, OutputSpec) else None


def load_article(data: bytes) -> Article | None:
    try:
        article = pickle.loads(data)  # noqa: S301 - our own index, in the project
    except Exception:  # noqa: BLE001 - a damaged row is a miss
        return None
    return article if isinstance(article, Article) else None


Linked = dict[str, tuple[tuple[RelatedStory, ...], tuple[Translation, ...]]]


def linked_bytes(articles: Iterable[Article]) -> bytes:
    """The related stories and translations of every story, as one record (one pickle
    of them all costs a tenth of one per story, and shares their strings and dates)."""
    return pickle.dumps({a.source.rel: (a.related, a.translations) for a in articles},
                        protocol=pickle.HIGHEST_PROTOCOL)


def load_linked(data: bytes | None) -> Linked | None:
    """The stored links record; None when there is none or it is damaged."""
    try:
        linked = pickle.loads(data) if data is not None else None  # noqa: S301 - ours
    except Exception:  # noqa: BLE001 - a damaged row is a miss
        return None
    return linked if isinstance(linked, dict) else None


def story_row(prepared: PreparedPage, article: Article, key: str, whole: bool) -> StoryRow:
    """`whole`: the article is read beside others (`read_together`), so stored complete."""
    return (article.url_path, outline_of(prepared, article), key,
            pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL) if whole else None)


def story_changes(graph: BuildGraph, articles: Sequence[Article],
                  published: Sequence[PreparedPage], specs: Iterable[OutputSpec],
                  known: RecordDigests) -> StoryChanges:
    """A full build's stories and the specs of outputs that read articles whole but are
    not their pages (feeds), only the rows that changed written (an article is compared
    by its record's digest, and by whether it is stored whole as it must be; a spec by
    its bytes), or every row when the delta path found one damaged. `known`: the
    render's digests."""
    index, site_dir = graph.index, str(graph.site_dir)
    damaged = graph.stories_damaged
    stored = {} if damaged else index.story_keys(site_dir)
    stored_whole = set() if damaged else index.stored_records(site_dir)
    stored_specs = index.specs(site_dir)
    changed: dict[str, tuple[tuple[str, ...], bytes]] = {}
    paths: set[str] = set()
    together: set[str] = set()
    for spec in specs:
        if own_page(spec):
            continue
        rels = _article_rels(spec)
        if not rels:
            continue
        paths.add(spec.path)
        if len(rels) > 1:
            together.update(rels)
        data = spec_bytes(spec)
        if stored_specs.get(spec.path) != data:
            changed[spec.path] = (rels, data)
    prepared = {p.rel: p for p in published}
    rows: dict[str, StoryRow] = {}
    for article in articles:
        rel, key = article.source.rel, record_key(article, known)
        whole = rel in together
        if stored.get(rel, ("", "", ""))[2] != key or (whole and rel not in stored_whole):
            rows[rel] = story_row(prepared[rel], article, key, whole)
    linked = linked_bytes(articles)
    return StoryChanges(rows, changed, frozenset(a.source.rel for a in articles),
                        frozenset(paths), {a.source.rel: a.url_path for a in articles},
                        frozenset(together),
                        None if not damaged and index.story_links(site_dir) == linked
                        else linked)
