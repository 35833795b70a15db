"""Keyed rendering of output specs, in worker processes.

For each spec: build its view, digest it (per top-level part, so `--explain` can say
which part changed), and compare the key with the last build's. Same key and the file in
`site/` as that build left it: kept, not rendered. Otherwise render and stage the bytes
(identical bytes are not staged: the file keeps its inode and mtime)."""

from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import jinja2

from reelpress.build.digest import digest, short_digest
from reelpress.build.index import OutputRow
from reelpress.content.loader import SourcePage
from reelpress.core.blobs import MissingBlob
from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.project import ProjectPaths
from reelpress.output.writer import stage_bytes
from reelpress.render.article import forget_bodies
from reelpress.render.outputs import OutputSpec, View, render_view
from reelpress.render.theme import Theme, make_environment, template_diagnostic, template_frame
from reelpress.render.views import CardCache, SiteView


@dataclass(frozen=True)
class RenderContext:
    """What every spec of one build shares (sent once per chunk of specs)."""

    site: SiteView
    theme: Theme
    makers: tuple[tuple[str, str], ...]  # template name -> fingerprint of its closure
    templates: str                       # fingerprint of every template file
    code: str                            # reelpress's code stamp: writers and filters
    paths: ProjectPaths
    stage: Path
    site_dir: Path


@dataclass(frozen=True)
class RenderTask:
    spec: OutputSpec
    previous: OutputRow | None


@dataclass(frozen=True)
class RenderOutcome:
    path: str
    key: str
    parts: str  # JSON: view part -> short digest
    state: Literal["kept", "staged", "same", "failed"]
    diagnostic: Diagnostic | None = None
    render_cpu: float = 0.0  # CPU seconds: view, key and template (for `--timings`)
    write_cpu: float = 0.0   # CPU seconds: comparing and staging the bytes
    rendering: str = ""  # failed while rendering this article (or output): named once
    damaged: str = ""    # the cached body found damaged (and dropped) while rendering


# the parts as the index keeps them (canonical: sorted names, hex values); the key is
# the digest of this text, not of the parts encoded a second time
_PARTS_JSON = json.JSONEncoder(sort_keys=True)


def view_parts(view: View) -> dict[str, str]:
    """Digest of each top-level entry (one level deeper for dicts): the key is made of
    these, and a changed part names what changed."""
    parts: dict[str, str] = {}
    for name, value in view.items():
        if isinstance(value, dict):
            for inner, item in value.items():
                parts[f"{name}.{inner}"] = short_digest(item)
        else:
            parts[name] = short_digest(value)
    return parts


def compiled_templates(paths: ProjectPaths, code: str) -> Path:
    """Where templates compiled by this code are kept (`render/theme.TemplateCodeCache`)."""
    return paths.cache_dir / "templates" / code[:16]


@functools.lru_cache(maxsize=4)
def _environment(theme: Theme, templates: str, compiled: Path) -> jinja2.Environment:
    """One Jinja environment per theme and state of its template files (any edit gives
    a new fingerprint, hence a fresh environment: no stale compiled template is used)."""
    return make_environment(theme, compiled, digest)


def _unchanged(context: RenderContext, task: RenderTask, key: str) -> bool:
    previous = task.previous
    if previous is None or previous[0] != key:
        return False
    try:
        stat = os.stat(os.path.join(context.site_dir, task.spec.path))
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (previous[1], previous[2])


RenderShared = tuple[RenderContext, CardCache]  # the build's record, and its card memo


def render_tasks(shared: RenderShared, tasks: list[RenderTask]) -> list[RenderOutcome]:
    context, cards = shared
    makers = dict(context.makers)
    env = _environment(context.theme, context.templates,
                       compiled_templates(context.paths, context.code))
    forget_bodies()  # bodies are read afresh by each chunk of each build
    outcomes: list[RenderOutcome] = []
    for task in tasks:
        spec = task.spec
        started = time.process_time()
        try:
            view = spec.build_view(context.site, cards)
            parts_json = _PARTS_JSON.encode(view_parts(view))
            fingerprint = makers.get(spec.template, "") if spec.template else ""
            key = digest(context.code, spec.maker, fingerprint, parts_json)
            if _unchanged(context, task, key):
                outcomes.append(RenderOutcome(spec.path, key, parts_json, "kept"))
                continue
            text = render_view(spec, view, env)
        except jinja2.TemplateError as exc:
            outcomes.append(_failed(spec, exc, context.paths))
            continue
        except MissingBlob as exc:  # damaged cache: dropped, the build starts over once
            exc.store.discard(exc.key)
            outcomes.append(RenderOutcome(spec.path, "", "{}", "failed", error(
                spec.path, None, f"build cache damaged: {exc}", "build again: the damaged "
                "entry was dropped and will be made afresh"), damaged=exc.key))
            continue
        except Exception as exc:
            if template_frame(exc) is None:
                raise  # not raised by a template: reelpress's own bug, keep its traceback
            outcomes.append(_failed(spec, exc, context.paths))  # a filter's TypeError...
            continue
        rendered = time.process_time()
        staged = stage_bytes(context.stage, context.site_dir, spec.path, text.encode("utf-8"))
        outcomes.append(RenderOutcome(spec.path, key, parts_json,
                                      "staged" if staged else "same", None,
                                      rendered - started, time.process_time() - rendered))
    return outcomes


def _failed(spec: OutputSpec, exc: Exception, paths: ProjectPaths) -> RenderOutcome:
    """The error of a template that failed and the article it was rendering (a syntax
    error or a missing template is not about any article)."""
    about_template = isinstance(exc, (jinja2.TemplateSyntaxError, jinja2.TemplateNotFound))
    source = "" if about_template else next(
        (arg.source.rel for arg in spec.args
         if isinstance(getattr(arg, "source", None), SourcePage)), spec.path)
    return RenderOutcome(spec.path, "", "{}", "failed",
                         template_diagnostic(exc, paths, spec.template or spec.path),
                         rendering=source)


def failure_diagnostics(failed: list[RenderOutcome]) -> list[Diagnostic]:
    """One line per problem, however many outputs it broke (base.html breaks them all),
    naming the first article it broke: `... (rendering content/a.md and 9 other output(s))`."""
    groups: dict[Diagnostic, set[str]] = {}
    for outcome in failed:
        if outcome.diagnostic is not None:
            groups.setdefault(outcome.diagnostic, set()).add(outcome.rendering)
    problems = []
    for diagnostic, names in groups.items():
        named = sorted((n for n in names if n), key=lambda n: (not n.startswith("content/"), n))
        if named:
            more = f" and {len(named) - 1} other output(s)" if len(named) > 1 else ""
            diagnostic = replace(diagnostic,
                                 message=f"{diagnostic.message} (rendering {named[0]}{more})")
        problems.append(diagnostic)
    return problems


def explain(path: str, previous: OutputRow | None, outcome: RenderOutcome) -> str:
    """Why an output was rendered again, from the parts of its view that changed."""
    if previous is None:
        return f"{path}: new output"
    try:
        before: dict[str, Any] = json.loads(previous[3])
    except ValueError:
        before = {}
    after = json.loads(outcome.parts)
    changed = sorted(name for name in before.keys() | after.keys()
                     if before.get(name) != after.get(name))
    if changed:
        return f"{path}: {', '.join(changed)} changed"
    if previous[0] != outcome.key:
        return f"{path}: its template or reelpress changed"
    return f"{path}: the file in site/ was changed or removed by hand"
