"""Rendering article pages, in worker processes: each worker builds its Jinja
environment once and writes finished pages straight into the staging directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from reelpress.build.store import BodyStore
from reelpress.core.diagnostics import Diagnostic
from reelpress.core.project import ProjectPaths
from reelpress.output.writer import stage_bytes
from reelpress.render.article import Article, with_body
from reelpress.render.pages import render_page
from reelpress.render.theme import Theme, make_environment, template_diagnostic
from reelpress.render.views import SiteView, render_article


@dataclass(frozen=True)
class RenderContext:
    store: BodyStore
    theme: Theme
    site: SiteView
    paths: ProjectPaths
    stage: Path
    site_dir: Path


@dataclass(frozen=True)
class RenderOutcome:
    output_path: str
    changed: bool | None  # None: failed
    diagnostic: Diagnostic | None = None


class _RenderState:
    context: RenderContext | None = None
    env: jinja2.Environment | None = None


def init_render_worker(context: RenderContext) -> None:
    _RenderState.context = context
    _RenderState.env = make_environment(context.theme)


def render_articles_in_worker(articles: list[Article]) -> list[RenderOutcome]:
    context, env = _RenderState.context, _RenderState.env
    assert context is not None and env is not None, "init_render_worker was not called"
    outcomes: list[RenderOutcome] = []
    for article in articles:
        output = article.source.output_path
        try:
            render = render_page if article.is_page else render_article
            html = render(env, with_body(article, context.store), context.site)
        except jinja2.TemplateError as exc:
            outcomes.append(RenderOutcome(output, None,
                                          template_diagnostic(exc, context.paths,
                                                              article.template)))
            continue
        changed = stage_bytes(context.stage, context.site_dir, output, html.encode("utf-8"))
        outcomes.append(RenderOutcome(output, changed))
    return outcomes
