"""The end of a build: its result record, and the index saved for the next build.

Both read what the stages left (writer, rendered outputs, media) and decide nothing
about the site: `site/` is already committed when they run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from reelpress.build.content_worker import PreparedPage
from reelpress.build.graph import BuildGraph, LastBuild, expiry, no_op_record, tracked_record
from reelpress.build.index import StoryChanges
from reelpress.build.render import Rendered
from reelpress.build.tracking import tracked_inputs
from reelpress.content.loader import SourceFile, skipped_counts
from reelpress.core.blobs import BlobStore
from reelpress.core.diagnostics import Diagnostic, Reporter, error, warning
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.project import ProjectPaths
from reelpress.core.stage_times import StageClock
from reelpress.media.stage import MediaResults
from reelpress.output.writer import OutputStats, SiteWriter
from reelpress.render.article import Article
from reelpress.render.theme import Theme


def source_listing(paths: Iterable[str]) -> str:
    """The digest of which Markdown sources there are (kept in the no-op record: the
    delta path checks an added or removed file against it)."""
    return hashlib.blake2b("\n".join(sorted(paths)).encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def failed(reporter: Reporter, clock: StageClock) -> BuildResult:
    return BuildResult(False, reporter.items, seconds=clock.total, timings=clock.laps)


def strict_failure(options: BuildOptions, reporter: Reporter) -> bool:
    """With --strict a warning fails the build (said once, as an error)."""
    if options.strict and reporter.warnings:
        reporter.add(error("", None, f"{len(reporter.warnings)} warning(s) with --strict",
                           "fix them or build without --strict"))
    return reporter.has_errors()


def committed(options: BuildOptions, site_dir: Path, stats: OutputStats, writer: SiteWriter,
              rendered: Rendered, media: MediaResults, ready: list[PreparedPage], fresh: int,
              reporter: Reporter, clock: StageClock, now: dt.datetime) -> BuildResult:
    """What a build that committed did, for the summary line, `--explain` and tests."""
    html_written = sum(1 for w in stats.written if w.endswith(".html"))
    skipped = skipped_counts([p.page.meta for p in ready if p.page is not None], options, now)
    return BuildResult(
        ok=True, diagnostics=reporter.items, written=stats.written, removed=stats.removed,
        pages_written=html_written, pages_unchanged=writer.html_count - html_written,
        pages_rendered=rendered.rendered, media_processed=media.processed,
        media_cached=media.cached, seconds=clock.total, site_dir=site_dir, timings=clock.laps,
        explanations=rendered.explanations + media.explanations, pages_parsed=fresh,
        files_compared=writer.compared, views_built=rendered.views_built,
        outputs_decided=rendered.decided,
        drafts_skipped=skipped["drafts_skipped"], future_skipped=skipped["future_skipped"])


def save_index(graph: BuildGraph, keys: dict[str, tuple[str, str, str]], result: BuildResult,
               options: BuildOptions, paths: ProjectPaths, theme: Theme,
               sources: list[SourceFile], media: MediaResults, ready: list[PreparedPage],
               now: dt.datetime, stories: Callable[[], StoryChanges],
               seen: tuple[LastBuild | None, str]) -> BuildResult:
    """Every output's key and every input's stat for the next build. The site is already
    committed: an index that cannot be written is a warning, and the next build starts
    over. `stories`: the delta path's records (`build/stories.story_changes`); `seen`:
    the no-op check's findings and the staging folder's home (`graph.tracked_record`)."""
    future = [p.page.meta.date for p in ready if p.page is not None and p.page.meta.date > now]
    tracked = tracked_inputs(paths, theme, media.sources, media.tools)
    stated = ((s.path, s.mtime_ns, s.size) for s in sources)
    try:
        record = no_op_record(options, result, expiry(now, future),
                              source_listing(s.path for s in sources))
        last, home = seen
        rows = tracked_record(tracked, stated, last.seen() if last else None, home)
        graph.save(keys, record, rows, stories())
    except Exception as exc:  # noqa: BLE001 - the site is committed; only the index failed
        return dataclasses.replace(result, diagnostics=(*result.diagnostics,
                                                        _not_saved(paths, exc)))
    return result


def save_delta_index(graph: BuildGraph, keys: dict[str, tuple[str, str, str]],
                     result: BuildResult, paths: ProjectPaths, record: dict[str, object],
                     tracked: tuple[tuple[tuple[str, int, int], ...], tuple[str, ...]],
                     stories: StoryChanges) -> BuildResult:
    """`save_index` for a delta build: its record is the last one with the edits', and
    `tracked` the stats that changed and the paths gone."""
    try:
        graph.save(keys, record, tracked[0], stories, delta=True, untracked=tracked[1])
    except Exception as exc:  # noqa: BLE001 - the site is committed; only the index failed
        return dataclasses.replace(result, diagnostics=(*result.diagnostics,
                                                        _not_saved(paths, exc)))
    return result


def _not_saved(paths: ProjectPaths, exc: Exception) -> Diagnostic:
    return warning(paths.relative(paths.cache_dir), None,
                   f"build cache not saved ({type(exc).__name__}: {exc}); "
                   "the next build starts over")


def collision_errors(conflicts: list[str], articles: list[Article]) -> list[Diagnostic]:
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


def prune_caches(media: MediaResults, store: BlobStore, prepared: list[PreparedPage],
                 fresh: int, compiled: Path) -> None:
    """After a commit: media outputs no page uses, (when pages were prepared afresh) the
    bodies no page record names any more, and templates compiled by other code than
    `compiled`'s."""
    media.prune()
    if compiled.parent.is_dir():
        for entry in compiled.parent.iterdir():
            if entry != compiled:
                shutil.rmtree(entry, ignore_errors=True)
    if fresh:
        store.prune({p.body_blob for p in prepared if p.body_blob})
