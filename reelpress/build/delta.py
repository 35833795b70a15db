"""The delta path: a build that costs what the edit changed, not what the site holds.

It runs when the last good build's record shows that only Markdown sources changed (no
file added or removed, no config, theme, media, tool or code change, every output as
that build left it). Each edited page is prepared and assembled; when its outline
(`build/stories.py`) is the one the last build stored, no listing, related story,
translation, tag or sitemap can change, so the only outputs to decide again are those
that read the page whole (its own page, the feeds that show it), found in the index with
the articles they read. Everything else is the last build's, as it is. Any other edit
(a title, a date, a new file) or anything unexpected gives way to the full build: the
delta path only ever says "not mine", never something different from a full build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from contextlib import AbstractContextManager
from typing import cast

from reelpress.build import outcome
from reelpress.build.digest import digest
from reelpress.build.graph import BuildGraph, LastBuild, Signature, code_stamp, signature
from reelpress.build.index import StoryChanges, TrackedRow
from reelpress.build.memo import ResidentGraph
from reelpress.build.pages import assemble_all, prepare_pages, published
from reelpress.build.plan import SitePlan
from reelpress.build.render import record_key, render_outputs, stored_catalogs
from reelpress.build.site import site_view
from reelpress.build.stories import (
    load_article,
    load_linked,
    load_spec,
    outline_of,
    read_together,
    story_row,
)
from reelpress.build.tracking import publish_files
from reelpress.build.workers import WorkerPool
from reelpress.content.loader import SourceFile, find_sources, source_file
from reelpress.core.blobs import BlobStore
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Diagnostic, Reporter, Severity
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.project import ProjectPaths
from reelpress.core.stage_times import StageClock
from reelpress.core.urls import UrlScheme
from reelpress.media.stage import MediaStages, embed_media
from reelpress.output.search import index_for_search
from reelpress.output.writer import SiteWriter
from reelpress.render.article import Article
from reelpress.render.outputs import OutputSpec
from reelpress.render.site_pages import article_spec
from reelpress.render.theme import Theme


def edited_sources(paths: ProjectPaths, last: LastBuild) -> list[SourceFile] | None:
    """The Markdown sources whose stat changed, when nothing else did; else None."""
    if last.stale_outputs or not last.changed or not last.outputs:
        return None
    content = str(paths.content_dir)
    edited, folders = [], False
    for path in last.changed:
        if not path.startswith(content + os.sep) and path != content:
            return None
        if path.endswith(".md"):
            edited.append(path)
        elif os.path.isdir(path):
            folders = True  # an entry added, removed or renamed (an editor's temp file)
        else:
            return None
    if folders:
        found = find_sources(paths.content_dir)
        if outcome.source_listing(s.path for s in found) != last.record.get("sources"):
            return None
        by_path = {s.path: s for s in found}
        sources = [by_path.get(path) for path in edited]
    else:
        sources = [source_file(paths.content_dir, path) for path in edited]
    if not sources or any(s is None for s in sources):
        return None
    return [s for s in sources if s is not None]


@dataclasses.dataclass(frozen=True)
class DeltaBuild:
    """What the delta build is given: the pipeline's settings and the last build."""

    paths: ProjectPaths
    options: BuildOptions
    config: SiteConfig
    theme: Theme
    graph: BuildGraph
    last: LastBuild


def build_delta(job: DeltaBuild, *, clock: StageClock,
                commit_lock: AbstractContextManager[object]) -> BuildResult | None:
    """The build of an edit that leaves every outline as it was, or None (not such an
    edit: the caller runs the full build; nothing was written)."""
    paths, options, config, theme, graph = job.paths, job.options, job.config, job.theme, \
        job.graph
    edited = edited_sources(paths, job.last)
    if edited is None:
        return None
    reporter = Reporter()
    site_dir = str(graph.site_dir)
    code, store = code_stamp(), BlobStore(paths.cache_dir / "blobs")
    prepared, _, fresh, markdown_cpu = prepare_pages(
        paths, config, graph, store, code, ResidentGraph(), workers=WorkerPool(1),
        reporter=reporter, sources=edited)
    clock.lap("load")
    now = options.now or dt.datetime.now(dt.UTC)
    _, chosen = published(prepared, options, now, reporter)
    stored = graph.index.story_keys(site_dir, [p.rel for p in prepared])
    url_paths = graph.index.story_paths(site_dir)
    if reporter.has_errors() or url_paths is None or \
            {p.rel for p in chosen} != {p.rel for p in prepared if p.rel in stored}:
        return None  # a page with errors, or one published or withdrawn: not an edit
    urls = UrlScheme(config.base_url, config.relative_urls)
    pages = [p.page for p in chosen if p.page is not None]
    stages = MediaStages.for_build(paths, config, options, theme.sizes_for)
    media = embed_media(pages, {p.rel: p.body for p in chosen if p.body is not None},
                        stages, urls, reporter)
    articles = assemble_all(chosen, media, config, store, ResidentGraph(), reporter,
                            url_paths=url_paths)
    old = load_linked(graph.index.story_links(site_dir)) or {}
    by_rel: dict[str, Article] = {}
    for article in articles:
        before = old.get(article.source.rel)
        if not isinstance(before, tuple) or len(before) != 2:
            graph.stories_damaged = True
            return None
        by_rel[article.source.rel] = dataclasses.replace(
            article, related=before[0], translations=before[1])
    by_prepared = {p.rel: p for p in chosen}
    if any(outline_of(by_prepared[rel], a) != stored[rel][1] for rel, a in by_rel.items()) \
            or reporter.has_errors():
        return None
    clock.lap("media planning")
    specs = _reader_specs(graph, site_dir, by_rel)
    if specs is None:
        return None
    catalogs = stored_catalogs(graph, theme, config, paths, code, reporter)
    site, _ = site_view(config, urls, theme, options, now, catalogs)
    plan = SitePlan(specs, digest(code, site))
    clock.lap("assemble")
    writer = SiteWriter(graph.site_dir)
    try:
        keys = publish_files(writer, graph, media.outputs)
        with WorkerPool(options.jobs) as workers:
            rendered = render_outputs(plan, site, theme, code, graph, writer, paths, workers,
                                      reporter, ResidentGraph())
        keys.update(rendered.keys)
        clock.lap("render")
        if rendered.damaged or reporter.has_errors() or \
                outcome.strict_failure(options, reporter):
            writer.abort()
            return None  # the full build reports it (and makes damaged bodies again)
        with commit_lock as on_moved:  # the other outputs stay as they are: none removed
            stats = writer.commit(frozenset(), on_moved)
    except BaseException:
        writer.abort()
        raise
    stats = index_for_search(graph.site_dir, config.search, paths.cache_dir, stats, reporter)
    warnings = _warnings(job.last.record, {p.rel for p in prepared}, reporter)
    result = outcome.committed(options, graph.site_dir, stats, writer, rendered, media, [],
                               fresh, reporter, clock, now)
    last = job.last.record
    drafts, future = cast("tuple[int, int]", last["skipped"])
    kept = job.last.outputs - rendered.decided
    pages = int(last["pages"])  # type: ignore[call-overload]
    result = dataclasses.replace(
        result, diagnostics=warnings, drafts_skipped=int(drafts), future_skipped=int(future),
        pages_unchanged=pages - result.pages_written,
        explanations=(f"delta build: {rendered.decided} output(s) read the edited pages; "
                      f"the other {kept} are as the last build left them",
                      *result.explanations),
        media_cached=int(last["media"]) - media.processed)  # type: ignore[call-overload]
    together = read_together(specs)
    rows = {rel: story_row(by_prepared[rel], article, record_key(article), rel in together)
            for rel, article in by_rel.items()}
    record = {**last, "warnings": [d.to_dict() for d in result.warnings]}
    tracked = _tracked_changes(job.last, edited, str(writer.stage.parent))
    result = outcome.save_delta_index(graph, keys, result, paths, record, tracked,
                                      StoryChanges(rows, {}))
    clock.lap("commit")
    stage_cpu = clock.stage_times({"load": ("load", {"markdown": markdown_cpu}),
                                   "render": ("render overhead", rendered.cpu)})
    return dataclasses.replace(result, timings=dict(clock.laps), stage_cpu=stage_cpu)


def _reader_specs(graph: BuildGraph, site_dir: str, edited: dict[str, Article]
                  ) -> list[OutputSpec] | None:
    """The specs of every output that reads an edited article: its page, planned again,
    and the stored ones (feeds) with the articles they read: the edited ones as just
    made, the others as the last build stored them."""
    index = graph.index
    readers = index.readers(site_dir, edited)
    stored = index.specs(site_dir, readers)
    if len(stored) != len(readers):
        return None
    others: dict[str, Article] = {}

    def article(rel: str) -> Article:
        found = edited.get(rel) or others.get(rel)
        if found is None:
            data = index.stories(site_dir, [rel]).get(rel)
            found = load_article(data) if data is not None else None
            if found is None:
                graph.stories_damaged = True
                raise LookupError(rel)
            others[rel] = found
        return found

    specs = [load_spec(data, article) for _, data in sorted(stored.items())]
    if any(spec is None for spec in specs):
        return None
    pages = [spec for spec in (article_spec(edited[rel]) for rel in sorted(edited))
             if spec.path not in stored]  # (a page planned otherwise is stored whole)
    return sorted((*pages, *(spec for spec in specs if spec is not None)),
                  key=lambda spec: spec.path)


def _warnings(record: dict[str, object], edited: set[str], reporter: Reporter
              ) -> tuple[Diagnostic, ...]:
    """The last build's warnings but those of the edited pages, then this build's."""
    kept = tuple(Diagnostic(d["path"], d["line"], d["message"], d["hint"], Severity.WARNING)
                 for d in record["warnings"]  # type: ignore[attr-defined]
                 if d["path"] not in edited)
    new = tuple(d for d in reporter.items if d not in kept)
    return kept + new


def _tracked_changes(last: LastBuild, edited: list[SourceFile], home: str
                     ) -> tuple[tuple[TrackedRow, ...], tuple[str, ...]]:
    """The tracked stats this build changes, and the paths gone: the edited sources' as
    taken before they were read, the other changed paths' as the no-op check found them
    (before the build), the staging folder's home stat'ed now (the build changed it)."""
    stats: dict[str, Signature | None] = {**last.now, **{s.path: (s.mtime_ns, s.size)
                                                         for s in edited}}
    changed: list[TrackedRow] = []
    gone: list[str] = []
    for path, mtime_ns, size in last.tracked:
        if path == home:
            sig = signature(path)
        elif path in stats:
            sig = stats[path]
        else:
            continue  # as the last build recorded it, and as found
        if sig is None:
            gone.append(path)
        elif sig != (mtime_ns, size):
            changed.append((path, *sig))
    return tuple(changed), tuple(gone)


__all__ = ["DeltaBuild", "build_delta", "edited_sources"]
