"""The content and markup stages through the graph: every Markdown file becomes a
prepared page (reused from the index when its bytes, the config and the code are the
same), then, with its media, a complete `Article`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reelpress.build.content_worker import (
    ContentSettings,
    ContentTask,
    PreparedPage,
    load_prepared,
    prepare_tasks,
)
from reelpress.build.digest import digest
from reelpress.build.graph import BuildGraph
from reelpress.build.workers import run_chunked
from reelpress.content.loader import SourceFile, find_sources
from reelpress.core.blobs import BlobStore
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Diagnostic, Reporter, error
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


def prepare_pages(paths: ProjectPaths, config: SiteConfig, graph: BuildGraph, store: BlobStore,
                  code: str, *, jobs: int | None, reporter: Reporter
                  ) -> tuple[list[PreparedPage], list[SourceFile], int, float]:
    """Every Markdown file as a prepared page, sorted by path; also the sources found,
    how many were prepared afresh and the CPU seconds their Markdown took."""
    config_digest = digest(config)
    content_rel = paths.relative(paths.content_dir)
    sources = find_sources(paths.content_dir)
    tasks: dict[str, ContentTask] = {}
    for source in sources:
        rel = f"{content_rel}/{source.rel_to_content}"
        key = digest("page", graph.file_hash(source.path), config_digest, code, rel, source.path)
        tasks[rel] = ContentTask(Path(source.path), rel, source.rel_to_content, key)
    stored = graph.nodes(task.key for task in tasks.values())
    results: dict[str, PreparedPage] = {}
    todo: list[ContentTask] = []
    for rel, task in tasks.items():
        value = stored.get(task.key)
        prepared = load_prepared(value) if value is not None else None
        if prepared is not None and (prepared.page is None or
                                     store.has(prepared.body_blob, prepared.body_size)):
            results[rel] = dataclasses.replace(prepared, key=task.key)
        else:
            todo.append(task)
    markdown_cpu = 0.0
    for key, value, seconds in run_chunked(prepare_tasks, ContentSettings(config, store), todo,
                                           jobs=jobs):
        markdown_cpu += seconds
        prepared = load_prepared(value)
        assert prepared is not None, "a record that was just made does not load"
        graph.add_node(key, "page", value)
        results[prepared.rel] = dataclasses.replace(prepared, key=key)
    ordered = [results[rel] for rel in sorted(results)]
    for page in ordered:
        reporter.extend(page.diagnostics)
    return ordered, sources, len(todo), markdown_cpu


def assemble(prepared: PreparedPage, media: MediaResults, config: SiteConfig, store: BlobStore,
             url_paths: dict[str, str], reporter: Reporter) -> Article:
    """One published page with its media and resolved links: a complete record."""
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
        record_key=prepared.key,
    )




def collision_problems(conflicts: list[str], articles: list[Article]) -> list[Diagnostic]:
    """Outputs that need a file and a folder of one name, blamed on the articles whose
    pages are, or are inside, that name."""
    problems = []
    for path in conflicts:
        owners = [a.source.rel for a in articles if a.source.output_path == path
                  or a.source.output_path.startswith(path + "/")]
        for where in owners or [""]:
            problems.append(error(where, None, f"outputs collide: {path} is needed as a file "
                                  "and as a folder", "change the slug of this page"))
    return problems
