"""Media jobs that need no shared disk: what travels to a Dask worker and back.

A batch is every job made from one source; the source travels beside it (its bytes,
sent once straight to a worker, or its path when every worker mounts the project at
the same place), so a large file is sent once for all its renditions. The worker
runs the jobs in a private temporary folder and returns each output's bytes with its
sha256; the client checks them and writes them under their content-addressed names.
Nothing here imports Dask: the worker-side functions are plain, picklable, and
testable without a cluster.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reelpress import __version__
from reelpress.core.atomic import atomic_write, temp_sibling
from reelpress.core.diagnostics import Diagnostic
from reelpress.media.photo.model import IMAGE_STAGE_VERSION, ImageJob
from reelpress.media.video import hls
from reelpress.media.video.ffmpeg import FFmpegTool, find_ffmpeg
from reelpress.media.video.plan import MediaJob
from reelpress.media.video.recipes import STAGE_VERSION
from reelpress.media.video.runner import ProcessRegistry


class TransferError(ValueError):
    """Output bytes that do not match the digest the worker reported, or a name no job
    asked for: nothing is written."""


@dataclass(frozen=True)
class SourcePayload:
    """The source of a batch: its bytes (`data`), or a path every worker can read."""

    name: str  # the source's file name (ffmpeg and Pillow look at the extension)
    digest: str  # sha256 of the bytes the plan named its outputs from
    data: bytes | None = None
    shared_path: str | None = None


@dataclass(frozen=True)
class ProducedFile:
    name: str  # the output's content-addressed file name
    data: bytes
    sha256: str


@dataclass(frozen=True)
class VideoBatch:
    """Every job of one source; the source itself travels beside it (see SourcePayload)."""

    jobs: tuple[MediaJob, ...]
    threads: int  # SVT-AV1's (x264's is in the recipe): the client's choice, no byte depends on it
    cancel_event: str = ""  # name of a Dask Event that stops the batch's ffmpeg when set


@dataclass(frozen=True)
class PhotoBatch:
    job: ImageJob


@dataclass(frozen=True)
class VideoJobReport:
    """What became of one job of a batch; `commands` are the worker's ffmpeg arguments."""

    commands: tuple[tuple[str, ...], ...]
    error: str | None = None
    warning: str | None = None


@dataclass(frozen=True)
class BatchResult:
    worker: str  # the Dask worker's address, for progress and messages
    files: tuple[ProducedFile, ...]
    reports: tuple[VideoJobReport, ...] = ()  # video batches: one per job, in order
    written: int = 0  # photo batches: outputs written
    notes: tuple[Diagnostic, ...] = ()  # photo batches: Pillow's problems and warnings


@dataclass(frozen=True)
class WorkerVersions:
    """Everything on a worker that decides output bytes; the cache names assume the
    client's, so a worker must match them exactly."""

    ffmpeg: str
    encoders: tuple[bool, bool, bool]  # libx264, libsvtav1, libopus
    codecs: tuple[tuple[str, str], ...]  # Pillow and its codec libraries
    stages: tuple[str, str, str]  # reelpress, video and photo stage versions
    problem: str = ""  # why this worker cannot run jobs at all (no ffmpeg)

    def differences(self, other: WorkerVersions, *, video: bool) -> list[str]:
        """Human words for what differs from `other` (the client's versions); ffmpeg
        counts only for video jobs."""
        if self.problem and video:
            return [self.problem]
        found = []
        if video and self.ffmpeg != other.ffmpeg:
            found.append(f"ffmpeg {self.ffmpeg} (this machine: {other.ffmpeg})")
        if video and self.encoders != other.encoders:
            found.append("a different set of encoders (libx264, libsvtav1, libopus)")
        theirs, ours = dict(self.codecs), dict(other.codecs)
        found += [f"{name} {theirs.get(name) or 'none'} (this machine: {ours[name] or 'none'})"
                  for name in sorted(ours) if theirs.get(name) != ours[name]]
        if self.stages != other.stages:
            found.append(f"reelpress {self.stages[0]} (this machine: {other.stages[0]})")
        return found


def versions_for(tool: FFmpegTool | None) -> WorkerVersions:
    """This process's versions (`tool` None: Pillow's only, for photo jobs)."""
    from reelpress.media.photo.plan import _codec_versions  # the photo cache keys' own list

    return WorkerVersions(
        tool.version if tool else "",
        (tool.has_libx264, tool.has_svtav1, tool.has_libopus) if tool else (False,) * 3,
        tuple(sorted(_codec_versions().items())),
        (__version__, STAGE_VERSION, str(IMAGE_STAGE_VERSION)))


@functools.cache
def _worker_tool() -> FFmpegTool:
    """The worker's own ffmpeg (REELPRESS_FFMPEG, PATH, or the wheel's), found once per
    worker process: the client's configured path means nothing on another machine."""
    return find_ffmpeg(None)


def worker_versions() -> WorkerVersions:
    """Run on every worker (Client.run) before any job is sent."""
    try:
        return versions_for(_worker_tool())
    except Exception as exc:  # noqa: BLE001 - reported as the reason the worker is refused
        photo_only = versions_for(None)
        return dataclasses.replace(photo_only, problem=f"no usable ffmpeg ({exc})")


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "local"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _source_file(payload: SourcePayload) -> Iterator[tuple[Path, Path]]:
    """(source path, private output folder) on the worker, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="reelpress-job-") as folder:
        work = Path(folder)
        if payload.shared_path is not None:
            yield Path(payload.shared_path), work
            return
        assert payload.data is not None
        if sha256(payload.data) != payload.digest:
            raise TransferError(f"{payload.name} arrived damaged (its sha256 does not match)")
        source = work / "source" / payload.name
        source.parent.mkdir()
        source.write_bytes(payload.data)
        yield source, work


def _collect(paths: list[Path]) -> tuple[ProducedFile, ...]:
    """The outputs as bytes; an HLS master's segment folder (`x.HASH.hls/`) comes first,
    its files named `x.HASH.hls/0_000.m4s`, so the master is stored after them."""
    files = []
    for path in paths:
        folder = hls.folder_for(path)
        if path.suffix == ".m3u8" and folder.is_dir():
            for entry in sorted(folder.iterdir()):
                data = entry.read_bytes()
                files.append(ProducedFile(f"{folder.name}/{entry.name}", data, sha256(data)))
        if path.is_file():
            data = path.read_bytes()
            files.append(ProducedFile(path.name, data, sha256(data)))
    return tuple(files)


@contextlib.contextmanager
def _cancel_watch(event_name: str, registry: ProcessRegistry) -> Iterator[None]:
    """Kill this batch's ffmpeg when the client sets the named Dask Event (Ctrl-C)."""
    if not event_name:
        yield
        return
    from distributed import Event, get_client

    try:
        # looked up here, in the task's thread: the watcher's own thread cannot find it
        event = Event(event_name, client=get_client())
    except ValueError:  # not on a Dask worker
        yield
        return
    finished = threading.Event()

    def watch() -> None:
        with contextlib.suppress(Exception):  # the cluster going away ends the watch
            while not finished.is_set():
                if event.wait(timeout=0.5):
                    registry.kill_all()
                    return

    watcher = threading.Thread(target=watch, daemon=True, name="reelpress-cancel-watch")
    watcher.start()
    try:
        yield
    finally:
        finished.set()


def run_video_batch(payload: SourcePayload, batch: VideoBatch) -> BatchResult:
    """Worker side: every job of one source, outputs returned as bytes (or, with a
    shared path, written straight to the shared cache)."""
    from reelpress.media.video.jobs import execute_job

    tool = _worker_tool()
    registry = ProcessRegistry()
    reports: list[VideoJobReport] = []
    made: list[Path] = []
    with _source_file(payload) as (source, work), _cancel_watch(batch.cancel_event,
                                                                       registry):
        for job in batch.jobs:
            local = job if payload.shared_path is not None else dataclasses.replace(
                job, source=source, outputs=tuple(work / out.name for out in job.outputs))
            outcome = execute_job(local, tool, batch.threads, registry)
            reports.append(VideoJobReport(outcome.commands, outcome.error, outcome.warning))
            if outcome.error is None and payload.shared_path is None:
                made.extend(local.outputs)
        files = _collect(made)
    return BatchResult(_worker_address(), files, reports=tuple(reports))


def run_photo_batch(payload: SourcePayload, batch: PhotoBatch) -> BatchResult:
    """Worker side: decode one photo once and return each missing output's bytes."""
    from reelpress.media.photo.pixels import process_image_job

    with _source_file(payload) as (source, work):
        job = batch.job
        if payload.shared_path is None:
            specs = tuple(dataclasses.replace(spec, cache_path=work / spec.cache_path.name)
                          for spec in job.outputs)
            job = dataclasses.replace(job, source=source, outputs=specs)
        written, notes = process_image_job(job)
        files = _collect([spec.cache_path for spec in job.outputs]) \
            if payload.shared_path is None else ()
    return BatchResult(_worker_address(), files, written=written, notes=notes)


def _destination(name: str, allowed: dict[str, Path]) -> tuple[Path, str] | None:
    """(cache path of the output or of its HLS folder, file name in that folder) for a
    name a job asked for; None for any other name (nothing outside the cache)."""
    if name in allowed:
        return allowed[name], ""
    folder, _, entry = name.partition("/")
    masters = {hls.folder_for(path).name: path for path in allowed.values()
               if path.suffix == ".m3u8"}
    if folder in masters and entry and "/" not in entry and entry not in (".", ".."):
        return hls.folder_for(masters[folder]), entry
    return None


def store_files(files: tuple[ProducedFile, ...], allowed: dict[str, Path]) -> None:
    """Client side: check every file's digest and name, then write each atomically to
    its cache path (an HLS folder whole, before its master). Raises TransferError
    before writing anything if one is wrong."""
    for produced in files:
        if _destination(produced.name, allowed) is None:
            raise TransferError(f"a worker returned {produced.name!r}, which no job asked for")
        if sha256(produced.data) != produced.sha256:
            raise TransferError(f"{produced.name} arrived damaged (its sha256 does not match)")
    folders: dict[Path, list[tuple[str, bytes]]] = {}
    plain: list[tuple[Path, bytes]] = []
    for produced in files:
        target, entry = _destination(produced.name, allowed) or (Path(), "")
        if entry:
            folders.setdefault(target, []).append((entry, produced.data))
        else:
            plain.append((target, produced.data))
    for folder, entries in folders.items():
        _store_folder(folder, entries)
    for final, data in plain:
        atomic_write(final, data)


def _store_folder(folder: Path, entries: list[tuple[str, bytes]]) -> None:
    temp = temp_sibling(folder)
    temp.mkdir(parents=True)
    try:
        for name, data in entries:
            (temp / name).write_bytes(data)
        shutil.rmtree(folder, ignore_errors=True)
        os.replace(temp, folder)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def read_payload(path: Path, expected_digest: str | None, *, shared: bool, limit_bytes: int,
                 too_big: Callable[[int], str]) -> SourcePayload:
    """The payload for `path`; raises TransferError(too_big(size)) over the cap, or when
    the bytes are no longer those the plan named its outputs from."""
    if shared:
        return SourcePayload(path.name, expected_digest or "", shared_path=str(path))
    size = path.stat().st_size
    if size > limit_bytes:
        raise TransferError(too_big(size))
    data = path.read_bytes()
    digest = sha256(data)
    if expected_digest is not None and digest != expected_digest:
        raise TransferError(f"{path.name} changed during the build (build again)")
    return SourcePayload(path.name, digest, data=data)
