"""Per-article work that depends only on the file and the config: read, validate,
render Markdown (body and FAQ answers). Pure and picklable: it runs in worker
processes, and its record is a node of the build graph, stored under the digest of its
inputs (file bytes, config, code), so an unchanged file is never parsed again."""

from __future__ import annotations

import dataclasses
import pickle
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reelpress.content.loader import SourcePage, load_page
from reelpress.core.blobs import BlobStore
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Diagnostic, warning
from reelpress.core.records import pickled_by_fields
from reelpress.markup.engine import RenderedBody, local_media_kind, render_body, render_fragments
from reelpress.render.article import FaqEntry, merge_faq


@dataclass(frozen=True)
class ContentTask:
    path: str
    rel: str
    rel_to_content: str
    key: str  # the node key: digest of the file's bytes, the config and the code


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PreparedPage:
    """Everything the build needs from one Markdown file (None page: it had errors).
    The rendered body lives in the blob store (`body_blob`); the record keeps the rest
    (its Markdown text, the FAQ answers as written and the body's HTML are left out:
    `faq` has the answers rendered, the blob the body)."""

    rel: str
    page: SourcePage | None
    body: RenderedBody | None
    faq: tuple[FaqEntry, ...]  # front matter and body FAQ merged, answers rendered
    diagnostics: tuple[Diagnostic, ...]
    body_blob: str = ""
    body_size: int = 0
    key: str = ""  # the node key it is stored under (set when it is loaded or made)


@dataclass(frozen=True)
class ContentSettings:
    config: SiteConfig
    store: BlobStore


def prepare_page(task: ContentTask, settings: ContentSettings) -> tuple[PreparedPage, float]:
    """The prepared page and the CPU seconds its Markdown took (for `--timings`)."""
    config = settings.config
    page, problems = load_page(Path(task.path), rel=task.rel,
                               rel_to_content=PurePosixPath(task.rel_to_content), config=config)
    if page is None:
        return PreparedPage(task.rel, None, None, (), tuple(problems)), 0.0
    started = time.process_time()
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
    markdown_cpu = time.process_time() - started
    faq = merge_faq(page, body, answers)
    data = body.html.encode("utf-8")
    return PreparedPage(task.rel, _kept_source(page),
                        dataclasses.replace(body, html="", faq=()), faq, tuple(problems),
                        settings.store.put(data), len(data)), markdown_cpu


def _kept_source(page: SourcePage) -> SourcePage:
    """The source page as the record keeps it: its Markdown (the body, the FAQ answers)
    was rendered and checked, so only the rendered forms are kept. Every later stage,
    and every render worker forked from the main process, holds one per article (the
    FAQ answers as written were a third of the record at 5,000 articles)."""
    return dataclasses.replace(page, body="", meta=dataclasses.replace(page.meta, faq=()))


def prepare_tasks(settings: ContentSettings, tasks: list[ContentTask]
                  ) -> list[tuple[str, bytes, float]]:
    """(node key, pickled record, Markdown CPU seconds) per task: the bytes go to the
    index as they are."""
    done = []
    for task in tasks:
        prepared, markdown_cpu = prepare_page(task, settings)
        done.append((task.key, pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL),
                     markdown_cpu))
    return done


def load_prepared(value: bytes) -> PreparedPage | None:
    """A stored record, or None when it does not load (then the file is prepared again)."""
    try:
        prepared = pickle.loads(value)  # noqa: S301 - our own index, in the project
    except Exception:  # any damaged record is a miss, never a crash
        return None
    return prepared if isinstance(prepared, PreparedPage) else None
