"""Per-article work that depends only on the file and the config: read, validate,
render Markdown (body and FAQ answers). Pure and picklable, so it runs in worker
processes and its results can be cached by file content."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reelpress.build.store import BodyStore
from reelpress.content.loader import SourcePage, load_page
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Diagnostic, warning
from reelpress.markup.engine import RenderedBody, local_media_kind, render_body, render_fragments
from reelpress.render.article import FaqEntry, faq_source_links, merge_faq


@dataclass(frozen=True)
class ContentTask:
    path: Path
    rel: str
    rel_to_content: str


@dataclass(frozen=True)
class PreparedPage:
    """Everything the build needs from one Markdown file (None page: it had errors)."""

    rel: str
    page: SourcePage | None
    body: RenderedBody | None
    faq: tuple[FaqEntry, ...]  # front matter and body FAQ merged, answers rendered
    diagnostics: tuple[Diagnostic, ...]
    faq_links: tuple[str, ...] = ()  # links to Markdown files in the answers


def prepare_page(task: ContentTask, config: SiteConfig) -> PreparedPage:
    page, problems = load_page(task.path, rel=task.rel,
                               rel_to_content=PurePosixPath(task.rel_to_content), config=config)
    if page is None:
        return PreparedPage(task.rel, None, None, (), tuple(problems))
    html_ok = config.allow_html
    body = render_body(page.body, body_line=page.body_line, allow_html=html_ok,
                       base_path=config.base_path)
    problems.extend(warning(page.rel, line, message) for line, message in body.warnings)
    problems.extend(
        warning(page.rel, None, f"faq[{index}]: {kind} files in FAQ answers are not processed",
                "put photos and video in the article body")
        for index, item in enumerate(page.meta.faq)
        if (kind := local_media_kind(item.answer)))
    answers = tuple(html.strip() for html in render_fragments(
        tuple(item.answer for item in page.meta.faq), allow_html=html_ok,
        base_path=config.base_path))
    return PreparedPage(task.rel, page, body, merge_faq(page, body, answers), tuple(problems))


def stored(prepared: PreparedPage, store: BodyStore) -> PreparedPage:
    """Move the rendered body into the body store and drop the Markdown text: the
    record that stays in memory and in the build cache is small."""
    if prepared.page is None or prepared.body is None:
        return prepared
    store.put(store.key(prepared.page.source_hash), prepared.body.html,
              [(f.question, f.answer_html, f.anchor) for f in prepared.faq])
    # What the record no longer needs: the Markdown, the FAQ sources, the rendered FAQ
    # (in the store now; only its links to other articles are kept, to resolve them).
    page = dataclasses.replace(prepared.page, body="",
                               meta=dataclasses.replace(prepared.page.meta, faq=()))
    return dataclasses.replace(prepared, page=page, faq=(),
                               faq_links=faq_source_links(prepared.faq),
                               body=dataclasses.replace(prepared.body, html="", faq=()))


class _WorkerState:
    """The config and store, sent once per worker process instead of once per task."""

    config: SiteConfig | None = None
    store: BodyStore | None = None


def init_worker(config: SiteConfig, store: BodyStore) -> None:
    _WorkerState.config = config
    _WorkerState.store = store


def prepare_in_worker(tasks: list[ContentTask]) -> list[PreparedPage]:
    config, store = _WorkerState.config, _WorkerState.store
    assert config is not None and store is not None, "init_worker was not called"
    return [stored(prepare_page(task, config), store) for task in tasks]
