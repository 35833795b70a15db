"""The photo stage: plan named outputs from image headers, then encode them in a pool.

Plan first: each output file is named from a hash of (source bytes, its own recipe,
stage and codec versions), so the renderer knows every URL before a pixel is encoded,
and an output already in the cache is simply not scheduled again. Run second: one job
per source image decodes it once and writes only its missing outputs, in parallel.

Public API (the rest of the photo stage lives in images_model/images_pixels/images_html):
    plan_images(requests, *, project, settings, cache_dir) -> ImagePlan
    run_image_jobs(plan, *, max_workers, executor) -> ImageRunResult
    prune(cache_dir, keep) -> tuple[Path, ...]
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import PIL
from PIL import features

from reelpress.core.diagnostics import Diagnostic, error, warning
from reelpress.core.media_names import (
    UNSUPPORTED_PHOTO_EXTENSIONS,
    MediaPathProblem,
    output_stem,
    resolve_media,
)
from reelpress.core.project import ProjectPaths
from reelpress.media.ledger import CacheLedger
from reelpress.media.photo.model import (
    EXTENSIONS,
    IMAGE_STAGE_VERSION,
    ImageAsset,
    ImageJob,
    ImagePlan,
    ImageRequest,
    ImageRunResult,
    ImageSettings,
    OutputSpec,
    Rendition,
    asset_key,
)
from reelpress.media.photo.pixels import (
    ImageProblem,
    SourceHeader,
    open_source,
    process_image_job,
    read_header,
)
from reelpress.media.prune import prune_cache

__all__ = [
    "ImageAsset", "ImagePlan", "ImageRequest", "ImageRunResult",
    "ImageSettings", "Rendition", "available_formats", "image_cache_dir",
    "plan_images", "prune", "run_image_jobs",
]


def image_cache_dir(project: ProjectPaths) -> Path:
    return project.cache_dir / "images"


def available_formats(settings: ImageSettings) -> tuple[str, ...]:
    """Modern formats asked for in settings that this Pillow can also write."""
    wanted = [("avif", settings.avif, "avif"), ("webp", settings.webp, "webp")]
    return tuple(fmt for fmt, on, feature in wanted if on and features.check(feature))


@dataclass
class _Source:
    """Planning notes for one source file, shared by every request that uses it."""

    path: Path
    label: str
    digest: str
    header: SourceHeader
    first: ImageRequest
    keys: list[tuple[str, str]] = field(default_factory=list)
    card: bool = False


def plan_images(
    requests: Iterable[ImageRequest],
    *,
    project: ProjectPaths,
    settings: ImageSettings | None = None,
    cache_dir: Path | None = None,
) -> ImagePlan:
    """Resolve and read the header of every requested photo; name all outputs; list
    the encodes still missing from `cache_dir` (default `<project>/.reelpress-cache/images`)."""
    settings = settings or ImageSettings()
    cache_dir = Path(cache_dir) if cache_dir is not None else image_cache_dir(project)
    diagnostics: list[Diagnostic] = []
    for name, message in settings.problems():
        diagnostics.append(error("site.toml", None, f"images.{name}: {message}"))
    if diagnostics:
        return ImagePlan({}, (), tuple(diagnostics), {}, cache_dir)
    for fmt in ("avif", "webp"):
        if getattr(settings, fmt) and not features.check(fmt):
            diagnostics.append(warning("site.toml", None,
                                       f"this Pillow cannot write {fmt.upper()}; skipping it",
                                       f"install a Pillow built with {fmt} support, or set "
                                       f"{fmt} = false in [images]"))
    sources: dict[Path, _Source] = {}
    failures: dict[Path, ImageProblem] = {}
    for request in requests:
        if not (request.alt or "").strip():
            diagnostics.append(warning(
                request.article, request.line, f"image {request.source_ref!r} has no alt text",
                "describe what the photo shows, e.g. ![Firefighters on a ladder](media/x.jpg), "
                "or set image_alt in the front matter"))
        try:
            path = resolve_source(project, request)
        except ImageProblem as problem:
            diagnostics.append(error(request.article, request.line, problem.message, problem.hint))
            continue
        if path not in sources and path not in failures:
            try:
                sources[path] = _read_source(project, path, request)
            except ImageProblem as problem:
                failures[path] = problem
        if path in failures:
            failed = failures[path]
            diagnostics.append(error(request.article, request.line, failed.message, failed.hint))
            continue
        source = sources[path]
        if source.header.animated and not source.keys:
            diagnostics.append(warning(
                request.article, request.line,
                f"{source.label} is animated; only its first frame is used",
                "for motion, use a video (MP4) instead of an animated image"))
        source.keys.append(asset_key(request.article_dir, request.source_ref))
        source.card = source.card or request.social_card
    versions = _codec_versions()
    formats = available_formats(settings)
    assets: dict[tuple[str, str], ImageAsset] = {}
    outputs: dict[str, Path] = {}
    jobs: list[ImageJob] = []
    planned_files: set[Path] = set()
    ledger, verified = CacheLedger(cache_dir), set()
    cached = 0
    for source in sources.values():
        asset, specs = _plan_source(source, settings, formats, versions, cache_dir)
        if source.card and min(source.header.display_size[0] / settings.card_width,
                               source.header.display_size[1] / settings.card_height) < 1:
            diagnostics.append(warning(
                source.first.article, source.first.line,
                f"{source.label} is smaller than the {settings.card_width}x"
                f"{settings.card_height} social card and will be enlarged",
                "use a photo at least that large for sharp link previews"))
        for key in source.keys:
            assets[key] = asset
        missing: list[OutputSpec] = []
        for site_path, spec in specs:
            if spec.cache_path in planned_files:
                continue  # identical bytes under the same name: planned for another source
            planned_files.add(spec.cache_path)
            outputs[site_path] = spec.cache_path
            if ledger.sound(spec.cache_path):
                cached += 1
                verified.add(spec.cache_path)
            else:
                missing.append(spec)
        if missing:
            jobs.append(ImageJob(source.path, source.label, source.digest, source.first.article,
                                 source.first.line, source.header.display_size,
                                 source.header.has_alpha, tuple(missing)))
    ledger.record(())  # the new stats of files found intact after a touch or a copy
    return ImagePlan(assets, tuple(jobs), tuple(diagnostics), outputs, cache_dir, cached,
                     frozenset(verified))


def resolve_source(project: ProjectPaths, request: ImageRequest) -> Path:
    """The real file for a reference (see `resolve_media`: one resolver for all media)."""
    try:
        path = resolve_media(project, Path(request.article_dir), request.source_ref, "image")
    except MediaPathProblem as problem:
        raise ImageProblem(problem.message, problem.hint) from None
    if kind := UNSUPPORTED_PHOTO_EXTENSIONS.get(path.suffix.lower()):
        raise ImageProblem(f"{project.relative(path)} is a {kind} image, which is not supported",
                           "export it as JPEG (photos) or PNG (graphics with transparency)")
    return path


def _read_source(project: ProjectPaths, path: Path, request: ImageRequest) -> _Source:
    label = project.relative(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageProblem(f"cannot read {label}: {exc.strerror or exc}",
                           "check the file's permissions") from None
    with open_source(data, label) as image:
        header = read_header(image)
    return _Source(path, label, hashlib.sha256(data).hexdigest(), header, request)


def rendition_widths(source_width: int, widths: Iterable[int]) -> tuple[int, ...]:
    """Configured widths the source can fill, plus the source width when some were too
    wide: a photo is never enlarged, and its full detail is still offered."""
    wanted = sorted(set(widths))
    kept = [w for w in wanted if w < source_width]
    if len(kept) < len(wanted):
        kept.append(source_width)
    return tuple(kept)


def _plan_source(
    source: _Source, settings: ImageSettings, formats: tuple[str, ...],
    versions: dict[str, str], cache_dir: Path,
) -> tuple[ImageAsset, list[tuple[str, OutputSpec]]]:
    width, height = source.header.display_size
    stem = output_stem(source.path.stem)
    fallback = "png" if source.header.has_alpha else "jpeg"
    quality = {"avif": settings.avif_quality, "webp": settings.webp_quality,
               "jpeg": settings.jpeg_quality, "png": 0}
    renditions: list[Rendition] = []
    specs: list[tuple[str, OutputSpec]] = []

    def add(kind: str, fmt: str, w: int, h: int, q: int, label: str) -> str:
        speed = settings.avif_speed if fmt == "avif" else 0
        recipe = {"kind": kind, "format": fmt, "width": w, "height": h, "quality": q,
                  "speed": speed, "source": source.digest, "alpha": source.header.has_alpha,
                  "stage": IMAGE_STAGE_VERSION, "codecs": versions}
        key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:8]
        name = f"{stem}.{key}.{label}.{EXTENSIONS[fmt]}"
        site_path = f"{settings.output_dir.strip('/')}/{name}"
        specs.append((site_path, OutputSpec(kind, fmt, w, h, q, cache_dir / name, speed)))
        return site_path

    for w in rendition_widths(width, settings.widths):
        h = max(1, round(height * w / width))
        for fmt in (*formats, fallback):
            renditions.append(Rendition(fmt, w, h, add("rendition", fmt, w, h, quality[fmt],
                                                       str(w))))
    card = None
    if source.card:
        card = add("card", "jpeg", settings.card_width, settings.card_height,
                   settings.card_quality, "card")
    largest = max(renditions, key=lambda r: r.width)
    asset = ImageAsset(source.label, largest.width, largest.height, source.header.has_alpha,
                       tuple(renditions), card, source.header.credit)
    return asset, specs


def _codec_versions() -> dict[str, str]:
    """Encoder versions that change output bytes; part of every cache key."""
    versions = {"pillow": PIL.__version__}
    for name in ("jpg", "webp", "avif", "zlib", "littlecms2"):
        versions[name] = str(features.version(name) or "")
    return versions


def run_image_jobs(
    plan: ImagePlan, *, max_workers: int | None = None, executor: Executor | None = None,
) -> ImageRunResult:
    """Encode every planned job; a failing image is reported, the others still run.

    Without an executor, several jobs go to a process pool (Pillow encoders are CPU
    bound); a single job runs inline to skip the pool's start-up cost.
    """
    if not plan.jobs:
        return ImageRunResult(0, 0, plan.cached)
    results: list[tuple[int, tuple[Diagnostic, ...]]] = []
    if executor is None and (len(plan.jobs) == 1 or max_workers == 1):
        results = [process_image_job(job) for job in plan.jobs]
    else:
        own = executor is None
        pool = executor or ProcessPoolExecutor(
            max_workers=max_workers or min(len(plan.jobs), os.cpu_count() or 1))
        try:
            futures = [pool.submit(process_image_job, job) for job in plan.jobs]
            results = [_collect(future, job) for future, job in zip(futures, plan.jobs,
                                                                    strict=True)]
        finally:
            if own:
                pool.shutdown()
    diagnostics: list[Diagnostic] = []
    failed: list[str] = []
    for job, (_, notes) in zip(plan.jobs, results, strict=True):
        diagnostics.extend(notes)
        if any(note.is_error for note in notes):
            failed.append(job.source_label)
    record_made(plan, failed)
    return ImageRunResult(len(plan.jobs), sum(written for written, _ in results), plan.cached,
                          tuple(diagnostics), tuple(failed))


def record_made(plan: ImagePlan, failed: Iterable[str]) -> None:
    """Remember the size and digest of every file the jobs that succeeded made."""
    failures = set(failed)
    CacheLedger(plan.cache_dir).record(spec.cache_path for job in plan.jobs
                                       if job.source_label not in failures
                                       for spec in job.outputs)


def _collect(future: Future, job: ImageJob) -> tuple[int, tuple[Diagnostic, ...]]:
    try:
        return future.result()
    except Exception as exc:  # a crashed worker (e.g. killed for memory) fails one image
        return 0, (error(job.article, job.line,
                         f"processing {job.source_label} failed: {type(exc).__name__}: {exc}",
                         "try again; if it repeats, export the image again"),)


def prune(cache_dir: Path, keep: Iterable[Path]) -> list[Path]:
    """Delete cache files no plan refers to any more (the one media prune policy)."""
    return prune_cache(Path(cache_dir), keep)
