"""Render the planned outputs whose key changed, on every core, and account for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reelpress.build.graph import BuildGraph
from reelpress.build.render_worker import RenderContext, RenderTask, explain, render_tasks
from reelpress.build.workers import run_chunked
from reelpress.core.diagnostics import Reporter
from reelpress.core.project import ProjectPaths
from reelpress.output.writer import SiteWriter
from reelpress.render.outputs import OutputSpec
from reelpress.render.theme import Theme, make_environment, template_dependencies
from reelpress.render.views import SiteView


@dataclass(frozen=True)
class Rendered:
    keys: dict[str, tuple[str, str]]  # output -> (key, view parts)
    rendered: int                     # outputs whose views were rendered again
    explanations: tuple[str, ...]


def template_fingerprints(theme: Theme, names: set[str]) -> tuple[tuple[str, str], ...]:
    """Each template's fingerprint covers everything it extends, includes or imports."""
    env = make_environment(theme)
    return tuple((name, theme.fingerprint_of(template_dependencies(env, name)))
                 for name in sorted(names))


def render_outputs(specs: Sequence[OutputSpec], site: SiteView, theme: Theme, code: str,
                   graph: BuildGraph, writer: SiteWriter, paths: ProjectPaths,
                   jobs: int | None, reporter: Reporter) -> Rendered:
    makers = template_fingerprints(theme, {s.template for s in specs if s.template})
    context = RenderContext(site, theme, makers, theme.templates_fingerprint(), code, paths,
                            writer.stage, writer.site_dir)
    tasks = [RenderTask(spec, graph.previous(spec.path)) for spec in specs]
    keys: dict[str, tuple[str, str]] = {}
    explanations: list[str] = []
    rendered = 0
    for outcome in run_chunked(render_tasks, context, tasks, jobs=jobs):
        if outcome.state == "failed":
            if outcome.diagnostic is not None:
                reporter.add(outcome.diagnostic)
            continue
        writer.record(outcome.path, outcome.state == "staged")
        keys[outcome.path] = (outcome.key, outcome.parts)
        if outcome.state != "kept":
            rendered += 1
            explanations.append(explain(outcome.path, graph.previous(outcome.path), outcome))
    return Rendered(keys, rendered, tuple(explanations))
