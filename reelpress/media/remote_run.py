"""Client side of media jobs on a Dask cluster: one batch per source goes out, verified
outputs come back into the content-addressed cache, results are the local pool's own
records (JobOutcome, ImageRunResult), so the stages and the reports do not change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.media_names import output_stem
from reelpress.media.dask_session import DaskSession, ExecutorError
from reelpress.media.photo.model import ImageJob, ImagePlan, ImageRunResult
from reelpress.media.photo.plan import record_made
from reelpress.media.remote import (
    BatchResult,
    PhotoBatch,
    SourcePayload,
    TransferError,
    VideoBatch,
    read_payload,
    run_photo_batch,
    run_video_batch,
    store_files,
    versions_for,
)
from reelpress.media.video.ffmpeg import FFmpegTool
from reelpress.media.video.jobs import JobOutcome, execute_job
from reelpress.media.video.plan import MediaJob
from reelpress.media.video.progress import Progress

CLUSTER_HINT = "see the Dask workers' logs; the job runs again on the next build"


def _too_big(session: DaskSession, label: str) -> Callable[[int], str]:
    limit = session.settings.max_transfer_mb

    def message(size: int) -> str:
        return (f"{label} is {size / 1e6:,.2f} MB, over max_transfer_mb = {limit:g} for sending "
                "to Dask workers: raise max_transfer_mb in [media], or mount the project at "
                "the same path on every worker and set transfer = 'shared'")

    return message


def _payload_maker(session: DaskSession, path: Path, label: str, digest: str | None,
                   batch: object) -> Callable[[], tuple[SourcePayload, object]]:
    """Reads the source only when its batch is about to go (the queue holds paths)."""
    settings = session.settings

    def make() -> tuple[SourcePayload, object]:
        payload = read_payload(path, digest, shared=settings.transfer == "shared",
                               limit_bytes=int(settings.max_transfer_mb * 1024 * 1024),
                               too_big=_too_big(session, label))
        return payload, batch

    return make


def run_video_jobs(session: DaskSession, jobs: tuple[MediaJob, ...], tool: FFmpegTool,
                   threads: int, progress: Progress
                   ) -> tuple[list[JobOutcome], tuple[Diagnostic, ...]]:
    """Every job of `jobs`, captions here (text, no ffmpeg), the rest on the cluster."""
    outcomes: list[JobOutcome] = []
    for job in jobs:
        if job.kind == "caption":
            outcome = execute_job(job, tool, threads)
            outcomes.append(outcome)
            progress.finished(job, failed=outcome.error is not None)
    groups: dict[Path, list[MediaJob]] = {}
    for job in jobs:
        if job.kind != "caption":
            groups.setdefault(job.source, []).append(job)
    if not groups:
        return outcomes, ()
    try:
        items = [(tuple(group), _payload_maker(
            session, source, group[0].label, None,
            VideoBatch(tuple(group), threads, session.cancel_event)))
            for source, group in groups.items()]
        for group, result in session.map_batches(
                run_video_batch, items, versions_for(tool), video=True,
                label=lambda g: output_stem(Path(g[0].label).stem)):
            for outcome in _settle_video(group, result, shared=session.settings.transfer
                                         == "shared"):
                outcomes.append(outcome)
                worker = result.worker if isinstance(result, BatchResult) else None
                progress.finished(outcome.job, failed=outcome.error is not None, worker=worker)
    except ExecutorError as exc:
        finished = {outcome.job for outcome in outcomes}
        outcomes += [JobOutcome(job, (), error=exc.diagnostic.message, reported=True)
                     for group in groups.values() for job in group if job not in finished]
        return outcomes, (*session.take_notes(), exc.diagnostic)
    return outcomes, session.take_notes()


def _settle_video(group: tuple[MediaJob, ...], result: BatchResult | str, *, shared: bool
                  ) -> list[JobOutcome]:
    if isinstance(result, str):
        return [JobOutcome(job, (), error=result, hint=CLUSTER_HINT) for job in group]
    allowed = {out.name: out for job in group for out in job.outputs}
    try:
        store_files(result.files, allowed)
    except TransferError as exc:
        return [JobOutcome(job, (), error=str(exc), hint=CLUSTER_HINT) for job in group]
    outcomes = []
    for job, report in zip(group, result.reports, strict=True):
        problem = report.error
        missing = [out.name for out in job.outputs if not out.is_file()]
        if problem is None and missing:
            problem = (f"worker {result.worker} finished but {', '.join(missing)} did not "
                       "arrive" + (" (is the project shared at the same path?)" if shared
                                   else ""))
        outcomes.append(JobOutcome(job, report.commands, error=problem,
                                   warning=report.warning))
    return outcomes


def run_image_jobs(session: DaskSession, plan: ImagePlan) -> ImageRunResult:
    """Like photo.plan.run_image_jobs, on the cluster: one batch per source image."""
    if not plan.jobs:
        return ImageRunResult(0, 0, plan.cached)
    diagnostics: list[Diagnostic] = []
    failed: list[str] = []
    written = 0
    try:
        items = [(job, _payload_maker(session, job.source, job.source_label, job.source_digest,
                                      PhotoBatch(job)))
                 for job in plan.jobs]
        for job, result in session.map_batches(
                run_photo_batch, items, versions_for(None), video=False,
                label=lambda j: output_stem(Path(j.source_label).stem)):
            notes = _settle_photo(job, result)
            written += result.written if isinstance(result, BatchResult) else 0
            diagnostics.extend(notes)
            if any(note.is_error for note in notes):
                failed.append(job.source_label)
    except ExecutorError as exc:
        done = set(failed)
        failed += [job.source_label for job in plan.jobs if job.source_label not in done]
        diagnostics.append(exc.diagnostic)
    record_made(plan, failed)
    return ImageRunResult(len(plan.jobs), written, plan.cached,
                          (*session.take_notes(), *diagnostics), tuple(failed))


def _settle_photo(job: ImageJob, result: BatchResult | str) -> tuple[Diagnostic, ...]:
    def failure(text: str) -> tuple[Diagnostic, ...]:
        return (error(job.article, job.line, f"processing {job.source_label} failed: {text}",
                      CLUSTER_HINT),)

    if isinstance(result, str):
        return failure(result)
    try:
        store_files(result.files, {spec.cache_path.name: spec.cache_path for spec in job.outputs})
    except TransferError as exc:
        return failure(str(exc))
    missing = [spec.cache_path.name for spec in job.outputs if not spec.cache_path.is_file()]
    if missing and not any(note.is_error for note in result.notes):
        return failure(f"worker {result.worker} finished but {', '.join(missing)} did not "
                       "arrive")
    return result.notes
