"""The orchestrator: run the stages in order and turn their records into a site.

Thin on purpose: each step calls one stage module; diagnostics are collected, and
the output is committed only when no step reported an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from reelpress.build.cache import (
    PAGES_FILE,
    BuildCache,
    BuildSession,
    load_cache,
    render_key,
    save_cache,
    stamp_for,
)
from reelpress.build.content_worker import ContentTask, PreparedPage, init_worker, prepare_in_worker
from reelpress.build.memo import OutputMemo
from reelpress.build.noop import expiry, forget, input_signature, remember, up_to_date
from reelpress.build.render_worker import (
    RenderContext,
    init_render_worker,
    render_articles_in_worker,
)
from reelpress.build.store import BodyStore
from reelpress.build.workers import run_chunked
from reelpress.content.loader import (
    SourcePage,
    duplicate_outputs,
    find_sources,
    is_published,
    skipped_counts,
)
from reelpress.core.config import SiteConfig, load_config, validate_config
from reelpress.core.diagnostics import Reporter, error
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.project import ProjectPaths
from reelpress.core.urls import UrlScheme
from reelpress.markup.engine import RenderedBody
from reelpress.media.stage import MediaResults, MediaStages, embed_media
from reelpress.output.assets import static_link_problems, write_site_files
from reelpress.output.search import index_for_search
from reelpress.output.writer import OutputStats, SiteWriter
from reelpress.render.article import (
    Article,
    FaqEntry,
    resolve_author,
    resolve_source_links,
)
from reelpress.render.i18n import site_catalogs
from reelpress.render.menus import menu_problems
from reelpress.render.related import with_related
from reelpress.render.site_pages import write_listings_and_feeds
from reelpress.render.theme import Theme, make_environment, resolve_theme
from reelpress.render.translations import link_translations
from reelpress.render.views import SiteView


class _Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last = self.started
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self.last, 4)
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


def _failed(reporter: Reporter, clock: _Clock, notes: tuple[str, ...] = ()) -> BuildResult:
    return BuildResult(False, reporter.items, seconds=clock.total, notes=notes,
                       timings=clock.laps)


def _configure(paths: ProjectPaths, options: BuildOptions, reporter: Reporter
               ) -> SiteConfig | None:
    config, problems = load_config(paths)
    reporter.extend(problems)
    if config is None or not options.base_url:
        return config
    fixed, base_problems = validate_config({"title": config.title, "base_url": options.base_url},
                                           "", "--base-url")
    reporter.extend([p for p in base_problems if p.is_error])
    if fixed is None:
        return None
    publisher = config.publisher
    if publisher is not None and publisher.url == config.base_url:
        publisher = dataclasses.replace(publisher, url=fixed.base_url)
    return dataclasses.replace(config, base_url=fixed.base_url, publisher=publisher)


def build_site(options: BuildOptions, *, session: BuildSession | None = None,
               changed: set[Path] | None = None, inputs: str | None = None) -> BuildResult:
    """Build the project at `options.root`; never raises for a user's mistake.

    `session` keeps caches in memory across builds of one process (the preview server);
    `changed` (the files a watcher saw change) is informative: what is stale is decided
    from the inputs themselves, so a missed event cannot leave a stale page. `inputs` is
    the input signature when the caller already computed it (and found a build needed)."""
    clock = _Clock()
    reporter = Reporter()
    paths = ProjectPaths.at(options.root)
    if session is not None:
        # a long-running preview builds only when something changed: no no-op check, and
        # the no-op record (which would need a walk of both trees) is dropped instead
        forget(options)
    elif inputs is None:
        inputs = input_signature(paths, options)
        previous = up_to_date(options, inputs)
        if previous is not None:
            return dataclasses.replace(previous, seconds=clock.total)
    site_dir = (options.out_dir or paths.site_dir).resolve()
    config = _configure(paths, options, reporter)
    if config is None:
        return _failed(reporter, clock)
    theme, problems = resolve_theme(paths, config.theme)
    reporter.extend(problems)
    reporter.extend(static_link_problems(theme, paths) if theme is not None else [])
    if not paths.content_dir.is_dir():
        reporter.add(error(paths.relative(paths.content_dir), None, "content directory not found",
                           f"create {paths.content_dir} and put articles (*.md) in it"))
    if theme is None or reporter.has_errors():
        return _failed(reporter, clock)

    stamp = stamp_for(repr(config))  # the validated values, --base-url included
    kept = session.take(stamp) if session is not None and not options.force else None
    cache, note = (kept, None) if kept is not None else \
        load_cache(paths.cache_dir, stamp, force=options.force)
    if session is not None:
        session.cache = cache
    notes = (note,) if note else ()
    store = BodyStore.for_stamp(paths.cache_dir, stamp)
    prepared, fresh = _prepare_pages(paths, config, cache, store, options, reporter)
    clock.lap("prepare")

    now = options.now or dt.datetime.now(dt.UTC)
    published = [p.page for p in prepared if p.page is not None and
                 is_published(p.page.meta, drafts=options.drafts, future=options.future, now=now)]
    reporter.extend(duplicate_outputs(published))
    bodies = {p.rel: p.body for p in prepared if p.body is not None}
    faq_links = {p.rel: p.faq_links for p in prepared}
    urls = UrlScheme(config.base_url, config.relative_urls)
    media = embed_media(published, bodies,
                        MediaStages.for_build(paths, config, options, theme), urls, reporter)
    clock.lap("media")
    url_paths = {page.rel: page.url_path for page in published}
    reporter.extend(menu_problems(config, set(url_paths.values())))
    articles = sorted((_assemble(page, bodies[page.rel], faq_links[page.rel], media, config, store,
                                 url_paths, reporter)
                       for page in published), key=lambda a: (a.date, a.source.rel), reverse=True)
    articles = with_related(articles, config.related_stories)
    articles = link_translations(articles, config, reporter)
    catalogs = site_catalogs(theme.i18n_dirs, config, paths, reporter)
    if reporter.has_errors():
        return _failed(reporter, clock, notes)

    writer = SiteWriter(site_dir)
    try:
        assets = write_site_files(writer, theme, options.fingerprint_assets)
        site = SiteView(config, urls, assets, now,
                        {role: theme.sizes_for(role) for role in ("card", "lead")}, catalogs)
        env = make_environment(theme)
        site_key = render_key(stamp, assets, now.year, catalogs.digest)  # stamp: the config
        memo = OutputMemo(writer, cache.renders, theme, env, site_key)
        # listings and feeds are written here while the workers render the articles
        _render_articles(articles, site, theme, paths, memo, store, options, reporter,
                         lambda keys: write_listings_and_feeds(env, articles, site, memo, keys,
                                                               store, paths, reporter))
        media.publish(writer)
        clock.lap("render")
    except BaseException:
        writer.abort()
        raise
    if options.strict and reporter.warnings:
        reporter.add(error("", None, f"{len(reporter.warnings)} warning(s) with --strict",
                           "fix them or build without --strict"))
    if reporter.has_errors():
        writer.abort()
        return _failed(reporter, clock, notes)
    stats = _commit(writer, memo, cache, site_dir, paths, changed_pages=fresh,
                    save_pages=session is None or session.should_save())
    stats = index_for_search(site_dir, config.search, paths.cache_dir, stats, reporter)
    media.prune()
    future_dates = [p.page.meta.date for p in prepared if p.page is not None
                    and p.page.meta.date > now and not options.future]
    clock.lap("commit")
    html_written = sum(1 for w in stats.written if w.endswith(".html"))
    html_total = writer.html_count
    result = BuildResult(
        ok=True, diagnostics=reporter.items, written=stats.written, removed=stats.removed,
        pages_written=html_written, pages_unchanged=html_total - html_written,
        pages_rendered=memo.rendered, media_processed=media.processed, media_cached=media.cached,
        seconds=clock.total, site_dir=site_dir, notes=notes, timings=clock.laps,
        **skipped_counts([p.page.meta for p in prepared if p.page is not None], options, now),
    )
    if inputs is not None:
        remember(options, inputs, result, expiry(now, future_dates))
    return result


def _commit(writer: SiteWriter, memo: OutputMemo, cache: BuildCache, site_dir: Path,
            paths: ProjectPaths, *, changed_pages: int, save_pages: bool) -> OutputStats:
    """Put the new files in place, then record what this build made for the next one."""
    same_site = cache.outputs is not None and cache.site_dir == str(site_dir)
    stats = writer.commit(cache.outputs if same_site else None)
    records = memo.final_records()
    if changed_pages or records != cache.renders or writer.paths != cache.outputs or \
            not same_site:
        cache.renders = records
        cache.outputs = writer.paths
        cache.site_dir = str(site_dir)
        save_cache(paths.cache_dir, cache, pages=save_pages or not
                   (paths.cache_dir / PAGES_FILE).is_file())
    return stats


def _prepare_pages(paths: ProjectPaths, config: SiteConfig, cache: BuildCache,
                   store: BodyStore, options: BuildOptions, reporter: Reporter
                   ) -> tuple[list[PreparedPage], int]:
    """Read and render every Markdown file, reusing the cache for untouched files.
    Returns the pages (sorted by path) and how many were prepared afresh."""
    results: dict[str, PreparedPage] = {}
    signatures: dict[str, tuple[int, int]] = {}
    todo: list[ContentTask] = []
    content_rel = paths.relative(paths.content_dir)
    for source in find_sources(paths.content_dir):
        rel = f"{content_rel}/{source.rel_to_content}"
        signatures[rel] = (source.mtime_ns, source.size)
        cached = cache.prepared(rel, source.mtime_ns, source.size)
        if cached is not None and cached.page is not None and \
                store.has(store.key(cached.page.source_hash)):
            results[rel] = cached
        else:
            todo.append(ContentTask(Path(source.path), rel, source.rel_to_content))
    for page in run_chunked(prepare_in_worker, todo, jobs=options.jobs,
                            initializer=init_worker, initargs=(config, store)):
        results[page.rel] = page
    cache.pages = {rel: (*signatures[rel], page) for rel, page in results.items()
                   if page.page is not None}
    ordered = [results[rel] for rel in sorted(results)]
    for page in ordered:
        reporter.extend(page.diagnostics)
    return ordered, len(todo)


def _assemble(page: SourcePage, body: RenderedBody, faq_links: tuple[str, ...],
              media: MediaResults, config: SiteConfig, store: BodyStore,
              url_paths: dict[str, str], reporter: Reporter) -> Article:
    hero, embeds = media.for_page(page)
    links, problems = resolve_source_links(page, body, faq_links, url_paths, config.base_path)
    reporter.extend(problems)
    return Article(
        links=links,
        source=page,
        body_html="",  # loaded from the store only for pages that are rendered
        body_key=store.key(page.source_hash),
        faq=(),  # loaded with the body, only for pages that are rendered
        hero=hero,
        embeds=embeds,
        author=resolve_author(page.meta.author, config),
        word_count=body.word_count,
        social_image=media.social_image(page),
    )


def article_inputs(article: Article) -> tuple[object, ...]:
    """What an article page is made from, cheaply: the source bytes (hash) decide the
    metadata, body and FAQ; media and the social card come from the media stages."""
    return (article.source.source_hash, article.source.rel, article.url_path, article.hero,
            article.embeds, article.social_image, article.author, article.links,
            article.related, article.translations)


def _render_articles(articles: list[Article], site: SiteView, theme: Theme, paths: ProjectPaths,
                     memo: OutputMemo, store: BodyStore, options: BuildOptions,
                     reporter: Reporter, listings: Callable[[dict[str, str]], None]) -> None:
    """Render pages whose inputs changed (in worker processes); keep the others.
    `listings(keys)` (which derives its keys from the articles') runs meanwhile."""
    keys: dict[str, str] = {}
    todo: list[Article] = []
    for article in articles:
        output = article.source.output_path
        keys[output] = memo.key(article.template, article_inputs(article))
        if not memo.unchanged(output, keys[output]):
            todo.append(article)  # its body is loaded by the worker that renders it
    writer = memo.writer
    context = RenderContext(store, theme, site, paths, writer.stage, writer.site_dir)
    outcomes = run_chunked(render_articles_in_worker, todo, jobs=options.jobs,
                           initializer=init_render_worker, initargs=(context,),
                           meanwhile=lambda: listings(keys))
    for outcome in outcomes:
        if outcome.changed is None:
            if outcome.diagnostic:
                reporter.add(outcome.diagnostic)
            memo.forget(outcome.output_path)
            continue
        writer.record(outcome.output_path, outcome.changed)
    memo.rendered += len(todo)


__all__ = ["BuildOptions", "BuildResult", "FaqEntry", "build_site"]
