"""Render the planned outputs whose key changed, on every core, and account for them.

Two keys per output. The *inputs* key is the digest of what the view function is given
(the site, the records it reads, the code, the template's fingerprint): the view is a
pure function of these, so an output whose inputs key and file are as the last build
left them is kept without even building its view. Otherwise the view is built and its
digest (the output key) decides whether to render; see `render_worker`."""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass
from functools import partial

from reelpress.build.digest import digest, record_digest
from reelpress.build.graph import BuildGraph
from reelpress.build.memo import Generation, RecordDigest, ResidentGraph
from reelpress.build.plan import SitePlan
from reelpress.build.render_worker import (
    RenderContext,
    RenderOutcome,
    RenderTask,
    explain,
    failure_diagnostics,
    render_tasks,
)
from reelpress.build.workers import WorkerPool
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Diagnostic, Reporter
from reelpress.core.project import ProjectPaths
from reelpress.core.stage_times import output_stage
from reelpress.output.writer import SiteWriter, make_folders
from reelpress.render.i18n import Catalogs, site_catalogs
from reelpress.render.outputs import OutputSpec
from reelpress.render.theme import Theme, make_environment, template_dependencies
from reelpress.render.views import SiteView


@dataclass(frozen=True)
class Rendered:
    keys: dict[str, tuple[str, str, str]]  # output -> (key, view parts, inputs key)
    rendered: int                          # outputs whose views were rendered again
    views_built: int                       # views built and digested (inputs changed)
    decided: int                           # outputs whose inputs keys were computed
    explanations: tuple[str, ...]
    cpu: dict[str, float]                  # stage ('listings', 'write'...) -> worker CPU s
    damaged: tuple[str, ...] = ()          # cached bodies found damaged (and dropped)


class DamagedCache(Exception):
    """Rendering found cached bodies damaged and dropped them: the build starts over once,
    and the pages that own them are prepared afresh (an unreadable entry is a miss)."""


def template_fingerprints(theme: Theme, names: set[str]) -> tuple[tuple[str, str], ...]:
    """Each template's fingerprint covers everything it extends, includes or imports."""
    env = make_environment(theme)
    return tuple((name, theme.fingerprint_of(template_dependencies(env, name)))
                 for name in sorted(names))


def stored_template_fingerprints(graph: BuildGraph, theme: Theme, templates: str, code: str,
                                 names: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """`template_fingerprints`, kept in the index under the bytes of every template file
    of the chain and the code: a CLI build does not parse the templates to find them."""
    return graph.kept(
        digest("templates", templates, code, sorted(names)), "templates",
        lambda: template_fingerprints(theme, set(names)),
        lambda made: json.dumps(made).encode(),
        lambda data: tuple((str(name), str(value)) for name, value in json.loads(data)))


def stored_catalogs(graph: BuildGraph, theme: Theme, config: SiteConfig, paths: ProjectPaths,
                    code: str, reporter: Reporter) -> Catalogs:
    """The site's translation catalogs, kept in the index under the bytes of every `.po`
    file of the theme chain, the `[strings]` tables and the code: a build that changes
    none of them does not parse the catalogs again (25 ms of a one-article edit)."""
    sources = [str(path) for folder in theme.i18n_dirs if folder.is_dir()
               for path in sorted(folder.glob("*.po"))]
    key = digest("catalogs", code, config.language, config.strings, [str(d) for d in
                 theme.i18n_dirs], [(path, graph.file_hash(path)) for path in sources])

    def make() -> tuple[Catalogs, tuple[Diagnostic, ...]]:
        found = Reporter()
        return site_catalogs(theme.i18n_dirs, config, paths, found), tuple(found.items)

    def decode(data: bytes) -> tuple[Catalogs, tuple[Diagnostic, ...]] | None:
        value = pickle.loads(data)  # noqa: S301 - our own index
        return value if isinstance(value, tuple) and isinstance(value[0], Catalogs) else None

    catalogs, problems = graph.kept(key, "catalogs", make, pickle.dumps, decode)
    reporter.extend(problems)
    return catalogs


RecordDigests = Generation[int, RecordDigest]  # id -> (record, digest): pinned, not reused


def _digest_of_record(value: object, known: RecordDigests) -> object:
    """A record with its own digest parts (an article) stands for itself by a digest made
    once per record object, however many listings and feeds show it (and, in a preview,
    however many builds it lives through)."""
    parts = getattr(type(value), "digest_parts", None)
    if parts is None:
        if isinstance(value, tuple):
            return tuple(_digest_of_record(item, known) for item in value)
        return value
    entry = known.get(id(value))
    if entry is None or entry[0] is not value:
        entry = known.put(id(value), (value, record_digest(type(value).__qualname__,
                                                           parts(value))))
    return entry[1]


def record_key(record: object, known: RecordDigests | None = None) -> str:
    """A record's digest as inputs keys take it (an article: its assembly key, related
    stories and translations)."""
    return str(_digest_of_record(record, Generation() if known is None else known))


def inputs_key(spec: OutputSpec, site_key: str, makers: dict[str, str],
               known: RecordDigests) -> str:
    view = f"{spec.view.__module__}.{spec.view.__qualname__}"
    return record_digest(site_key, view, spec.maker, makers.get(spec.template or "", ""),
                         _digest_of_record(spec.args, known),
                         tuple((name, _digest_of_record(value, known))
                               for name, value in spec.kwargs))


def _inputs_key_of(spec: OutputSpec, site_key: str, makers: dict[str, str],
                   known: RecordDigests, _source: object) -> str:
    return inputs_key(spec, site_key, makers, known)


def _folder(path: str) -> str:
    """The site path a page links from: 'tags/x/' for 'tags/x/index.html', '' for home."""
    folder = os.path.dirname(path)
    return folder + "/" if folder else ""


def _kept(graph: BuildGraph, spec: OutputSpec, inputs: str) -> bool:
    previous = graph.previous(spec.path)
    if previous is None or previous[4] != inputs:
        return False
    try:
        stat = os.stat(os.path.join(graph.site_dir, spec.path))
    except OSError:
        return False
    if (stat.st_size, stat.st_mtime_ns) != (previous[1], previous[2]):
        return False
    graph.verified[spec.path] = (stat.st_mtime_ns, stat.st_size)
    return True


def render_outputs(plan: SitePlan, site: SiteView, theme: Theme, code: str,
                   graph: BuildGraph, writer: SiteWriter, paths: ProjectPaths,
                   workers: WorkerPool, reporter: Reporter, resident: ResidentGraph) -> Rendered:
    specs, site_key = plan.specs, plan.site_key
    templates = theme.templates_fingerprint()
    names = frozenset(s.template for s in specs if s.template)
    makers = resident.templates.get_or_make(
        (theme, templates, names),
        lambda: stored_template_fingerprints(graph, theme, templates, code, names))
    resident.cards.begin(site_key, frozenset(_folder(spec.path) for spec in specs))
    known = resident.digests
    fingerprints = dict(makers)
    keys: dict[str, tuple[str, str, str]] = {}
    tasks: list[RenderTask] = []
    inputs: dict[str, str] = {}

    def inputs_of(spec: OutputSpec) -> str:
        return resident.inputs.get(
            spec.path, (site_key, spec.template, fingerprints.get(spec.template or ""),
                        spec.view, spec.writer, spec.args, spec.kwargs),
            partial(_inputs_key_of, spec, site_key, fingerprints, known))

    for spec in specs:
        previous = graph.previous(spec.path)
        if previous is not None:  # a new output's inputs key is made as its chunk goes out
            inputs[spec.path] = inputs_of(spec)
            if _kept(graph, spec, inputs[spec.path]):
                writer.record(spec.path, False)
                keys[spec.path] = (previous[0], previous[3], previous[4])
                continue
        tasks.append(RenderTask(spec, previous))
    context = RenderContext(site, theme, makers, templates, code, paths,
                            writer.stage, writer.site_dir)
    explanations: list[str] = []
    rendered = 0
    stage_of = {task.spec.path: output_stage(task.spec.view.__name__, task.spec.maker)
                for task in tasks}
    cpu: dict[str, float] = {}
    failed: list[RenderOutcome] = []
    made: set[str] = set()

    def before(chunk: list[RenderTask]) -> None:  # this process's part of each chunk
        for task in chunk:
            if task.spec.path not in inputs:
                inputs[task.spec.path] = inputs_of(task.spec)
        make_folders(writer.stage, (task.spec.path for task in chunk), made)

    for outcome in workers.run(render_tasks, (context, resident.cards), tasks, before=before):
        stage = stage_of[outcome.path]
        cpu[stage] = cpu.get(stage, 0.0) + outcome.render_cpu
        cpu["write"] = cpu.get("write", 0.0) + outcome.write_cpu
        if outcome.state == "failed":
            failed.append(outcome)
            continue
        writer.record(outcome.path, outcome.state == "staged")
        keys[outcome.path] = (outcome.key, outcome.parts, inputs[outcome.path])
        if outcome.state != "kept":
            rendered += 1
            explanations.append(explain(outcome.path, graph.previous(outcome.path), outcome))
    reporter.extend(failure_diagnostics(failed))
    return Rendered(keys, rendered, len(tasks), len(specs), tuple(explanations), cpu,
                    tuple(sorted({o.damaged for o in failed if o.damaged})))
