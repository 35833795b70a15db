"""The content and markup stages through the graph: every Markdown file becomes a
prepared page (reused from the index when its bytes, the config and the code are the
same), then, with its media, a complete `Article`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys

from reelpress.build.content_worker import (
    ContentSettings,
    ContentTask,
    PreparedPage,
    load_prepared,
    prepare_tasks,
)
from reelpress.build.digest import digest, record_digest
from reelpress.build.graph import BuildGraph
from reelpress.build.memo import ResidentGraph
from reelpress.build.workers import WorkerPool
from reelpress.content.loader import SourceFile, duplicate_outputs, find_sources, is_published
from reelpress.core.blobs import BlobStore
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Reporter
from reelpress.core.options import BuildOptions
from reelpress.core.project import ProjectPaths
from reelpress.media.stage import MediaResults
from reelpress.render.article import (
    Article,
    FaqEntry,
    StoredHTML,
    faq_source_links,
    fill_placeholders,
    link_source_files,
    resolve_author,
    resolve_source_links,
)
from reelpress.render.related import candidate_of, related_stories, with_related
from reelpress.render.translations import translation_groups, version_of, with_translations


def prepare_pages(paths: ProjectPaths, config: SiteConfig, graph: BuildGraph, store: BlobStore,
                  code: str, resident: ResidentGraph, *, workers: WorkerPool, reporter: Reporter,
                  sources: list[SourceFile] | None = None
                  ) -> tuple[list[PreparedPage], list[SourceFile], int, float]:
    """Every Markdown file (or just `sources`) as a prepared page, sorted by path; also
    the sources found, how many were prepared afresh and the CPU seconds their Markdown
    took. A node already in memory (`resident`) is not read from the index again."""
    config_digest = digest(config)
    content_rel = paths.relative(paths.content_dir)
    sources = find_sources(paths.content_dir) if sources is None else sources
    tasks: dict[str, ContentTask] = {}
    for source in sources:
        rel = f"{content_rel}/{source.rel_to_content}"
        sha = sys.intern(graph.file_hash(source.path, (source.mtime_ns, source.size)))
        key = resident.page_keys.get(rel, (sha, config_digest, code, rel, source.path),
                                     _page_key)
        tasks[rel] = ContentTask(source.path, rel, source.rel_to_content, key)
    in_memory = {task.key: found for task in tasks.values()
                 if (found := resident.prepared.get(task.key)) is not None}
    graph.keep_nodes(in_memory)
    stored = graph.nodes(task.key for task in tasks.values() if task.key not in in_memory)
    results: dict[str, PreparedPage] = {}
    todo: list[ContentTask] = []
    for rel, task in tasks.items():
        prepared = in_memory.get(task.key)
        if prepared is None and (value := stored.get(task.key)) is not None:
            prepared = load_prepared(value)
        if prepared is not None and (prepared.page is None or
                                     store.has(prepared.body_blob, prepared.body_size)):
            if prepared.key != task.key:
                prepared = dataclasses.replace(prepared, key=task.key)
            results[rel] = resident.prepared.put(task.key, prepared)
        else:
            todo.append(task)
    markdown_cpu = 0.0
    for key, value, seconds in workers.as_done(prepare_tasks, ContentSettings(config, store), todo):
        markdown_cpu += seconds
        prepared = load_prepared(value)
        assert prepared is not None, "a record that was just made does not load"
        graph.add_node(key, "page", value)
        results[prepared.rel] = resident.prepared.put(key, dataclasses.replace(prepared, key=key))
    ordered = [results[rel] for rel in sorted(results)]
    for page in ordered:
        reporter.extend(page.diagnostics)
    return ordered, sources, len(todo), markdown_cpu


def _page_key(parts: tuple[str, str, str, str, str]) -> str:
    """A page node's key: its file's bytes, the config, the code, where it is."""
    return digest("page", *parts)


def published(prepared: list[PreparedPage], options: BuildOptions, now: dt.datetime,
              reporter: Reporter) -> tuple[list[PreparedPage], list[PreparedPage]]:
    """The pages without errors, and those of them this build publishes (drafts and
    future articles only when asked for); two pages writing one file is an error."""
    ready = [p for p in prepared if p.page is not None and p.body is not None]
    chosen = [p for p in ready if p.page is not None and is_published(
        p.page.meta, drafts=options.drafts, future=options.future, now=now)]
    reporter.extend(duplicate_outputs([p.page for p in chosen if p.page is not None]))
    return ready, chosen


def assemble_all(published: list[PreparedPage], media: MediaResults, config: SiteConfig,
                 store: BlobStore, resident: ResidentGraph, reporter: Reporter, *,
                 url_paths: dict[str, str] | None = None) -> list[Article]:
    """Every published page assembled, newest first. An article is assembled again only
    when its node or anything `assemble` reads for it changed (its media, the config,
    the URL of any page): else it is the very object the last build made. `url_paths`:
    every published page's, when `published` holds only some of them."""
    if url_paths is None:
        url_paths = {p.rel: p.page.url_path for p in published if p.page is not None}
    context = record_digest(digest(config), store.root, tuple(sorted(url_paths.items())))
    articles = []
    for prepared in published:
        assert prepared.page is not None
        hero, embeds = media.for_page(prepared.page)
        key = record_digest(prepared.key, context, hero, embeds,
                            media.social_image(prepared.page))
        entry = resident.articles.get(key)
        if entry is None:
            problems = Reporter()
            article = assemble(prepared, media, config, store, url_paths, problems, key)
            entry = resident.articles.put(key, (article, tuple(problems.items)))
        reporter.extend(entry[1])
        articles.append(entry[0])
    return sorted(articles, key=lambda a: (a.date, a.source.rel), reverse=True)


def link_stories(articles: list[Article], config: SiteConfig, resident: ResidentGraph,
                 reporter: Reporter) -> list[Article]:
    """The articles with their related stories and their other-language versions. Each
    choice is made again only when what it reads (a `related.Candidate`, a
    `translations.Version` per article) changed; an article is remade only when it or
    its choice did. An article equal to the last build's is that very object (`Derived`),
    so digests and cards made for it are reused."""
    return _translate(_relate(articles, config.related_stories, resident), config.language,
                      resident, reporter)


def _relate(articles: list[Article], count: int, resident: ResidentGraph) -> list[Article]:
    found = (resident.candidates.get(a.source.rel, a, candidate_of) for a in articles)
    stories = tuple(c for c in found if c is not None)
    chosen = resident.related.get("", (count, stories),
                                  lambda source: related_stories(stories, count))
    return [resident.with_related.get(a.source.rel, (a, chosen.get(a.source.rel)),
                                      lambda source: with_related(source[:1], chosen)[0])
            for a in articles]


def _translate(articles: list[Article], language: str, resident: ResidentGraph,
               reporter: Reporter) -> list[Article]:
    versions = tuple(resident.versions.get(a.source.rel, a, version_of) for a in articles)
    groups, problems = resident.translations.get(
        "", (language, versions), lambda source: translation_groups(versions, language))
    reporter.extend(problems)
    return [resident.with_translations.get(a.source.rel, (a, groups.get(a.url_path)),
                                           lambda source: with_translations(*source))
            for a in articles]


def assemble(prepared: PreparedPage, media: MediaResults, config: SiteConfig, store: BlobStore,
             url_paths: dict[str, str], reporter: Reporter, key: str) -> Article:
    """One published page with its media and resolved links: a complete record. `key`:
    the digest of all these arguments (`assemble_all`'s), its digest from then on."""
    page, body = prepared.page, prepared.body
    assert page is not None and body is not None
    hero, embeds = media.for_page(page)
    links, problems = resolve_source_links(page, body, faq_source_links(prepared.faq), url_paths,
                                           config.base_path)
    reporter.extend(problems)
    # a `::: faq` block in the body may embed media too: its placeholders are filled alike
    faq = tuple(FaqEntry(f.question, fill_placeholders(link_source_files(f.answer_html, links),
                                                       embeds), f.anchor)
                for f in prepared.faq)
    return Article(
        source=page,
        body=StoredHTML(store, prepared.body_blob, links, tuple(e.html for e in embeds)),
        faq=faq, hero=hero, embeds=embeds, links=links,
        author=resolve_author(page.meta.author, config),
        word_count=body.word_count,
        social_image=media.social_image(page),
        record_key=key,
    )
