"""The orchestrator: the checklist of stages, each timed; nothing else lives here: load
config, theme, content (prepared pages, through the graph), media, articles, plan outputs,
render what changed, commit (only when no stage reported an error), save the index."""

from __future__ import annotations

import dataclasses
import datetime as dt
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path

from reelpress.build import outcome
from reelpress.build.delta import DeltaBuild, build_delta
from reelpress.build.graph import BuildGraph, LastBuild, code_stamp, inspect_last_build, up_to_date
from reelpress.build.memo import ResidentGraph
from reelpress.build.pages import assemble_all, link_stories, prepare_pages, published
from reelpress.build.plan import plan_site
from reelpress.build.render import DamagedCache, render_outputs, stored_catalogs
from reelpress.build.render_worker import compiled_templates
from reelpress.build.site import config_and_theme, site_view
from reelpress.build.stories import story_changes
from reelpress.build.tracking import publish_files
from reelpress.build.workers import POOL_THRESHOLD, WorkerPool
from reelpress.core.blobs import BlobStore
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Reporter
from reelpress.core.gc_pause import cyclic_gc_paused
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.project import ProjectPaths
from reelpress.core.stage_times import StageClock
from reelpress.core.urls import UrlScheme
from reelpress.media.stage import MediaStages, embed_media
from reelpress.output.search import index_for_search
from reelpress.output.writer import OutputConflict, SiteWriter, path_conflicts
from reelpress.render.menus import menu_problems
from reelpress.render.theme import Theme
from reelpress.render.views import CardCache


def build_site(options: BuildOptions, *, checked: bool = False, last: LastBuild | None = None,
               commit_lock: AbstractContextManager[object] | None = None,
               resident: ResidentGraph | None = None) -> BuildResult:
    """Build the project at `options.root`; never raises for a user's mistake.
    `checked`: the caller ran the no-op check, and `last` is what it found.
    `commit_lock` is held around the moves into site/ only (the preview's readers wait).
    `resident`: records kept from earlier builds of this process (the preview's)."""
    if not checked:
        last = inspect_last_build(options)
        if (previous := up_to_date(options, last)) is not None:
            return previous
    clock, reporter = StageClock(), Reporter()
    paths = ProjectPaths.at(options.root)
    config, theme = config_and_theme(paths, options, reporter)
    if config is None or theme is None:
        return outcome.failed(reporter, clock)
    site_dir = (options.out_dir or paths.site_dir).resolve()
    graph, note = BuildGraph.open(paths, site_dir, force=options.force)
    delta: BuildResult | None = None
    try:
        resident = (ResidentGraph(cards=CardCache(keep=False))  # dies with this build
                    if resident is None or options.force else resident)
        with cyclic_gc_paused(), WorkerPool(options.jobs) as workers:  # forked on first use
            clock.watch(workers.live_cpu)
            if last is not None and note is None:  # None: not the delta path's kind of edit
                delta = build_delta(DeltaBuild(paths, options, config, theme, graph, last),
                                    clock=clock, commit_lock=commit_lock or nullcontext())
            attempt = partial(_build, paths, options, config, theme, graph, site_dir,
                              clock=clock, commit_lock=commit_lock or nullcontext(),
                              resident=resident, last=last, workers=workers)
            try:
                result = delta or attempt(reporter=reporter, retry=True)
            except DamagedCache:  # dropped by the render: prepared afresh by a second pass
                result = attempt(reporter=Reporter(), retry=False)
    finally:
        graph.close()
        if resident is not None and delta is None:  # a delta build used none of it
            resident.end_build()
    return dataclasses.replace(result, notes=((note,) if note else ()) + result.notes)


def _build(paths: ProjectPaths, options: BuildOptions, config: SiteConfig, theme: Theme,
           graph: BuildGraph, site_dir: Path, *, reporter: Reporter, clock: StageClock,
           commit_lock: AbstractContextManager[object], resident: ResidentGraph,
           last: LastBuild | None, workers: WorkerPool, retry: bool) -> BuildResult:
    code, store = code_stamp(), BlobStore(paths.cache_dir / "blobs")
    if last is not None and last.outputs >= POOL_THRESHOLD:  # a site that will want them
        workers.start()  # before the index's rows and records are read (see start)
    graph.read_all()
    prepared, sources, fresh, markdown_cpu = prepare_pages(
        paths, config, graph, store, code, resident, workers=workers, reporter=reporter)
    graph.write_nodes()  # the page records' bytes are not held through the render
    clock.lap("load")
    now = options.now or dt.datetime.now(dt.UTC)
    ready, chosen = published(prepared, options, now, reporter)
    pages = [p.page for p in chosen if p.page is not None]
    urls = UrlScheme(config.base_url, config.relative_urls)
    stages = MediaStages.for_build(paths, config, options, theme.sizes_for)
    media = embed_media(pages, {p.rel: p.body for p in chosen if p.body is not None},
                        stages, urls, reporter)
    clock.lap("media planning")
    reporter.extend(menu_problems(config, {page.url_path for page in pages}))
    articles = assemble_all(chosen, media, config, store, resident, reporter)
    articles = link_stories(articles, config, resident, reporter)
    catalogs = stored_catalogs(graph, theme, config, paths, code, reporter)
    if reporter.has_errors():
        return outcome.failed(reporter, clock)
    writer = SiteWriter(site_dir)
    try:
        site, static_files = site_view(config, urls, theme, options, now, catalogs)
        keys = publish_files(writer, graph, {**static_files, **media.outputs})
        plan = plan_site(articles, site, code, resident)
        conflicts = path_conflicts({s.path for s in plan.specs} | set(keys))
        if conflicts:  # found before anything is staged, let alone moved
            raise OutputConflict(conflicts)
        clock.lap("assemble")
        rendered = render_outputs(plan, site, theme, code, graph, writer, paths, workers,
                                  reporter, resident)
        workers.close()  # idle from here on: the commit needs no worker
        keys.update(rendered.keys)
        clock.lap("render")
        if rendered.damaged and retry:
            raise DamagedCache(rendered.damaged)
        if reporter.has_errors() or outcome.strict_failure(options, reporter):
            writer.abort()
            return outcome.failed(reporter, clock)
        with commit_lock as on_moved:  # the preview tells open pages (requests still wait)
            stats = writer.commit(frozenset(graph.previous_outputs) or None, on_moved)
    except OutputConflict as exc:
        writer.abort()
        reporter.extend(outcome.collision_errors(exc.paths, articles))
        return outcome.failed(reporter, clock)
    except BaseException:
        writer.abort()
        raise
    stats = index_for_search(site_dir, config.search, paths.cache_dir, stats, reporter)
    outcome.prune_caches(media, store, prepared, fresh, compiled_templates(paths, code))
    result = outcome.committed(options, site_dir, stats, writer, rendered, media, ready, fresh,
                               reporter, clock, now)
    stories = partial(story_changes, graph, articles, chosen, plan.specs, resident.digests)
    result = outcome.save_index(graph, keys, result, options, paths, theme, sources, media,
                                ready, now, stories, (last, str(writer.stage.parent)))
    clock.lap("commit")
    stage_cpu = clock.stage_times({"load": ("load", {"markdown": markdown_cpu}),
                                   "render": ("render overhead", rendered.cpu)})
    return dataclasses.replace(result, timings=dict(clock.laps), stage_cpu=stage_cpu)


__all__ = ["BuildOptions", "BuildResult", "ResidentGraph", "build_site"]
