"""Run a MediaPlan's jobs in a pool: ffmpeg threads x parallel jobs <= CPU cores,
progress on stderr, one failed job costs only its own video (an error diagnostic).
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reelpress.core.diagnostics import Diagnostic, error, warning
from reelpress.media.ledger import CacheLedger
from reelpress.media.video import commands, hls
from reelpress.media.video.choose import earn_bytes, published
from reelpress.media.video.ffmpeg import FFmpegTool, ProbeError, probe
from reelpress.media.video.mp4box import video_codec_string
from reelpress.media.video.plan import Asset, AudioAsset, MediaJob, MediaPlan, Rendition, VideoAsset
from reelpress.media.video.progress import Progress
from reelpress.media.video.runner import (
    CommandFailed,
    ProcessRegistry,
    atomic_outputs,
    run_capture,
    run_command,
)

if TYPE_CHECKING:
    from reelpress.media.dask_session import DaskSession

SAMPLE_SIZE = (64, 36)  # tiny grey frames are enough to tell a black frame from a picture
POSTER_KINDS = {"poster"}


@dataclass(frozen=True)
class JobOutcome:
    job: MediaJob
    commands: tuple[tuple[str, ...], ...]
    error: str | None = None
    warning: str | None = None
    hint: str = ""  # what to do about `error`, when the default advice does not fit
    reported: bool = False  # `error` is already one build-level diagnostic (cluster down)


@dataclass(frozen=True)
class MediaRunResult:
    encoded: int  # ffmpeg encodes/remuxes/poster extractions actually run
    cached: int  # planned outputs that were already in the cache
    written: int  # caption files written
    commands: tuple[tuple[str, ...], ...]  # every ffmpeg argument list run, in finish order
    diagnostics: tuple[Diagnostic, ...]
    assets: dict[str, Asset]  # the plan's assets, codecs strings read back from the outputs
    failed: frozenset[str]  # asset keys (project-relative sources) with a failed job
    outputs: dict[str, Path]  # site path -> cached file, only those that exist: copy these
    refs: dict[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    explanations: tuple[str, ...] = ()  # why each video made in this run is what it is
    made: frozenset[str] = frozenset()  # sources (asset keys) with an output made in this run

    def asset_for(self, article_dir: Path, source_ref: str) -> Asset | None:
        """Like MediaPlan.asset_for, with codecs strings read back from the outputs."""
        key = self.refs.get((str(article_dir), source_ref))
        return self.assets.get(key) if key else None


def job_timeout(job: MediaJob) -> float:
    duration = job.info.duration if job.info else 0.0
    return max(job.settings.timeout_min_seconds, duration * job.settings.timeout_factor)


def _pick_poster_time(
    job: MediaJob, tool: FFmpegTool, registry: ProcessRegistry | None, ran: list[tuple[str, ...]]
) -> float:
    """The candidate frame with the most luma variance: never a black or flat frame."""
    assert job.info is not None
    duration = job.info.duration
    count = max(1, job.settings.poster_candidates)
    candidates = [duration * (0.15 + 0.7 * i / max(1, count - 1)) for i in range(count)]
    best_time, best_score = candidates[len(candidates) // 2], -1.0
    for at in candidates:
        args = commands.frame_sample_command(tool.exe, job.source, at, SAMPLE_SIZE)
        ran.append(tuple(args))
        pixels = run_capture(args, timeout=job_timeout(job), registry=registry)
        if len(pixels) < 2:
            continue
        score = statistics.pvariance(pixels)
        if score > best_score:
            best_time, best_score = at, score
    return best_time


def _last_frame_safe(job: MediaJob, at: float) -> float:
    assert job.info is not None
    frame = 1 / job.info.fps if job.info.fps else 0.04
    return max(0.0, min(at, job.info.duration - 2 * frame))


def execute_job(
    job: MediaJob,
    tool: FFmpegTool,
    threads: int,
    registry: ProcessRegistry | None = None,
    on_progress=None,
) -> JobOutcome:
    """Run one job to its final cache paths. Never raises for a media problem."""
    ran: list[tuple[str, ...]] = []
    try:
        if job.kind == "hls":  # a folder of segments, moved into place by run_ladder
            return JobOutcome(job, (tuple(_run_ladder(job, tool, registry, on_progress)),))
        with atomic_outputs(job.outputs) as temps:
            if job.kind == "caption":
                temps[0].write_text(job.text or "", encoding="utf-8")
                return JobOutcome(job, ())
            args = _command(job, tool, temps, threads, registry, ran)
            ran.append(tuple(args))
            complaint = run_command(
                args, timeout=job_timeout(job), on_progress=on_progress, registry=registry
            )
            note = _check_duration(job, tool, temps[0], complaint)
            if note and not job.settings.allow_damaged:
                raise CommandFailed(note)  # inside the block: the output is not cached
        return JobOutcome(job, tuple(ran), warning=note)
    except CommandFailed as exc:
        return JobOutcome(job, tuple(ran), error=exc.summary)


def _command(
    job: MediaJob,
    tool: FFmpegTool,
    temps: tuple[Path, ...],
    threads: int,
    registry: ProcessRegistry | None,
    ran: list[tuple[str, ...]],
) -> list[str]:
    exe, info, settings = tool.exe, job.info, job.settings
    assert info is not None
    if job.kind == "h264":
        return commands.h264_command(exe, job.source, temps[0], info, settings, job.size,
                                     job.kbps)
    if job.kind == "remux":
        return commands.remux_command(exe, job.source, temps[0], info, settings)
    if job.kind == "av1":
        return commands.av1_command(exe, job.source, temps[0], info, settings, job.size, threads,
                                    job.kbps)
    if job.kind in ("m4a", "opus"):
        return commands.audio_command(exe, job.source, temps[0], job.kind, settings)
    if job.kind == "poster":
        at = job.poster_time
        if at is None:
            at = _pick_poster_time(job, tool, registry, ran)
        return commands.poster_command(
            exe,
            job.source,
            temps[0],
            temps[1],
            _last_frame_safe(job, at),
            job.size,
            settings.poster_quality,
        )
    raise ValueError(f"unknown media job kind {job.kind!r}")


def _run_ladder(job: MediaJob, tool: FFmpegTool, registry: ProcessRegistry | None,
                on_progress) -> list[str]:  # noqa: ANN001
    assert job.info is not None
    info = job.info
    return hls.run_ladder(
        job.outputs[0],
        lambda folder: hls.hls_command(tool.exe, job.source, folder, info, job.settings,
                                       job.rungs),
        lambda args: run_command(args, timeout=job_timeout(job), on_progress=on_progress,
                                 registry=registry))


def _check_duration(job: MediaJob, tool: FFmpegTool, output: Path, complaint: str) -> str | None:
    """A source cut short mid-file still 'encodes': compare durations to catch it."""
    if job.kind not in ("h264", "remux", "m4a") or job.info is None or not job.info.duration:
        return None
    try:
        produced = probe(tool, output).duration
    except ProbeError:
        return None
    expected = job.info.duration
    if produced < expected - max(0.5, 0.05 * expected):
        said = f": {complaint}" if complaint else ""
        return (
            f"{job.label}: only {produced:.1f} s of {expected:.1f} s could be decoded, "
            f"the file looks truncated or damaged{said}"
        )
    return None


def _refresh(asset: Asset, plan: MediaPlan) -> Asset:
    """Replace predicted video codecs strings with the ones the outputs actually carry."""
    if not isinstance(asset, VideoAsset):
        return asset
    sources = []
    for rendition in asset.sources:
        cached = plan.outputs.get(rendition.site_path)
        actual = video_codec_string(cached) if cached and cached.is_file() else None
        if actual:
            head, _, rest = rendition.mime.partition('codecs="')
            codecs = [actual] + rest.rstrip('"').split(", ")[1:]
            rendition = Rendition(rendition.site_path, f'{head}codecs="{", ".join(codecs)}"')
        sources.append(rendition)
    return dataclasses.replace(asset, sources=tuple(sources))


def plan_workers(job_count: int, max_workers: int | None) -> tuple[int, int]:
    """(parallel jobs, threads per SVT-AV1) with their product at most the core count;
    x264's thread count is part of its recipe instead (VideoSettings.x264_threads)."""
    cores = os.cpu_count() or 1
    workers = max_workers or max(1, cores // 2)
    workers = max(1, min(workers, job_count or 1, cores))
    return workers, max(1, cores // workers)


def run_media_jobs(
    plan: MediaPlan,
    *,
    max_workers: int | None = None,
    force: bool = False,
    quiet: bool = False,
    stream: TextIO | None = None,
    executor: cf.Executor | None = None,
    remote: DaskSession | None = None,
) -> MediaRunResult:
    """Run the plan's pending jobs (all of them with `force`); Ctrl-C kills every ffmpeg.

    The default pool is threads (each job mostly waits on its ffmpeg child). A given
    `executor` may be a process pool: jobs are picklable, but live progress and the
    shared kill switch then stay in this process, so pass `max_workers` matching it.
    With `remote`, jobs run on a Dask cluster (see media/remote_run.py); the bytes do
    not depend on where: x264's thread count is in the recipe, SVT-AV1's changes none."""
    jobs = plan.all_jobs if force else plan.jobs
    tool = plan.tool
    workers, threads = plan_workers(len(jobs), max_workers)
    progress = Progress.create(jobs, quiet=quiet, stream=stream)
    if remote is not None and jobs:
        from reelpress.media.remote_run import run_video_jobs

        try:
            remote_outcomes, notes = run_video_jobs(remote, jobs, tool, threads, progress)
        finally:
            progress.close()
        return _finish(plan, jobs, remote_outcomes, quiet, stream, notes)
    registry = ProcessRegistry()
    own_executor = executor is None
    pool = executor or cf.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ffmpeg")
    outcomes: list[JobOutcome] = []
    try:
        in_threads = isinstance(pool, cf.ThreadPoolExecutor)
        futures = [
            pool.submit(execute_job, job, tool, threads, registry, progress.callback(job))
            if in_threads
            else pool.submit(execute_job, job, tool, threads)
            for job in jobs
        ]
        for future in cf.as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            progress.finished(outcome.job, failed=outcome.error is not None)
    except BaseException:
        registry.kill_all()
        if own_executor:
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        progress.close()
    if own_executor:
        pool.shutdown(wait=True)
    return _finish(plan, jobs, outcomes, quiet, stream)


def _finish(plan: MediaPlan, jobs: tuple[MediaJob, ...], outcomes: list[JobOutcome],
            quiet: bool, stream: TextIO | None, notes: tuple[Diagnostic, ...] = ()
            ) -> MediaRunResult:
    result = _result(plan, jobs, outcomes, notes)
    CacheLedger(plan.cache_dir).record(made_files(outcomes))
    ran = {job.label for job in jobs}
    result = dataclasses.replace(result, explanations=tuple(
        note for key, asset in result.assets.items() if key in ran and key not in result.failed
        for note in getattr(asset, "notes", ())))
    if not quiet:  # the build log says why each video just made is what it is
        for note in result.explanations:
            print(f"media: {note}", file=stream or sys.stderr)
    return result


def made_files(outcomes: list[JobOutcome]) -> list[Path]:
    """The cache files of the jobs that succeeded (an HLS master with its ladder)."""
    made: list[Path] = []
    for outcome in outcomes:
        if outcome.error is None:
            made.extend(outcome.job.outputs)
            if outcome.job.kind == "hls":
                master = outcome.job.outputs[0]
                made.extend(hls.ladder_files(master, master.name).values())
    return made


def explain_media(assets: dict[str, Asset]) -> list[str]:
    """Why every video's outputs are what they are, cached or not (for `--explain`)."""
    return [note for asset in assets.values() for note in getattr(asset, "notes", ())]


def _result(
    plan: MediaPlan,
    jobs: tuple[MediaJob, ...],
    outcomes: list[JobOutcome],
    notes: tuple[Diagnostic, ...] = (),
) -> MediaRunResult:
    diagnostics: list[Diagnostic] = list(notes)
    failed: set[str] = set()
    for outcome in outcomes:
        job = outcome.job
        if outcome.error and job.label not in failed:  # one error per video is enough
            failed.add(job.label)
            if outcome.reported:
                continue
            damaged = outcome.error.startswith(f"{job.label}: only ")
            diagnostics.append(
                error(
                    job.article,
                    job.line,
                    outcome.error if damaged else
                    f"{job.label}: {job.kind} failed: {outcome.error}",
                    "re-export or re-download the original, or set allow_damaged = true in"
                    " [video] to publish what decodes" if damaged else outcome.hint or
                    "check that the file plays in a media player; re-export it if not",
                )
            )
        if outcome.warning:
            diagnostics.append(
                warning(
                    job.article, job.line, outcome.warning, "re-export or re-download the original"
                )
            )
    run_outputs = sum(len(job.outputs) for job in jobs)
    assets = {key: earn_bytes(_refresh(asset, plan), plan.outputs, plan.settings)
              for key, asset in plan.assets.items()}
    return MediaRunResult(
        encoded=sum(1 for o in outcomes if o.job.kind != "caption" and o.commands),
        cached=max(0, len(plan.outputs) - run_outputs),
        written=sum(1 for o in outcomes if o.job.kind == "caption" and not o.error),
        commands=tuple(args for o in outcomes for args in o.commands),
        diagnostics=tuple(diagnostics),
        assets=assets,
        failed=frozenset(failed),
        outputs=published(assets, plan.outputs),
        refs=dict(plan.refs),
        made=frozenset(o.job.label for o in outcomes if o.commands or
                       (o.job.kind == "caption" and not o.error)),
    )


__all__ = ["AudioAsset", "MediaRunResult", "execute_job", "explain_media", "run_media_jobs"]
