"""Plan the media stage: resolve and probe each referenced file, name every output
from its cache key, and list the jobs still to run. Nothing is encoded here, so the
renderer knows every URL, size and `<source type>` before ffmpeg starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reelpress.core.diagnostics import Diagnostic, error, warning
from reelpress.core.media_names import (
    AUDIO_EXTENSIONS,
    VIDEO_EXTENSIONS,
    MediaPathProblem,
    MediaRequest,
    media_kind,
    output_stem,
    resolve_media,
)
from reelpress.core.project import ProjectPaths
from reelpress.media.cache import cached_probe, file_digest, output_hash
from reelpress.media.ledger import CacheLedger
from reelpress.media.video import captions as cap
from reelpress.media.video import chapters as chap
from reelpress.media.video import hls
from reelpress.media.video.budget import decide
from reelpress.media.video.ffmpeg import FFmpegTool, MediaInfo, ProbeError
from reelpress.media.video.mp4box import video_codec_string
from reelpress.media.video.recipes import (
    AAC_CODEC,
    OPUS_CODEC,
    VideoSettings,
    mime_type,
    output_size,
    predicted_av1_codec,
    predicted_h264_codec,
)

SITE_MEDIA_DIR = "media"


@dataclass(frozen=True)
class Rendition:
    """One playable file: its site path and the exact `type` for `<source>`."""

    site_path: str
    mime: str


@dataclass(frozen=True)
class CaptionTrack:
    site_path: str
    lang: str
    label: str
    default: bool


@dataclass(frozen=True)
class VideoAsset:
    """Everything the page needs about one video; `sources` lists AV1 first."""

    source: str  # project-relative source path
    width: int
    height: int
    duration: float
    has_audio: bool
    sources: tuple[Rendition, ...]
    download: str  # site path of the H.264 MP4, the universal fallback
    poster_webp: str
    poster_jpeg: str
    tracks: tuple[CaptionTrack, ...] = ()
    transcript: str = ""
    hls: str = ""  # site path of the HLS master playlist ("" for short videos)
    chapters: tuple[chap.Chapter, ...] = ()
    chapters_track: str = ""  # site path of the chapters WebVTT
    notes: tuple[str, ...] = ()  # why each output is what it is (build log, --explain)


@dataclass(frozen=True)
class AudioAsset:
    source: str
    duration: float
    sources: tuple[Rendition, ...]  # Opus first, AAC fallback
    download: str
    tracks: tuple[CaptionTrack, ...] = ()
    transcript: str = ""


Asset = VideoAsset | AudioAsset


@dataclass(frozen=True)
class MediaJob:
    """One ffmpeg run (or caption write), picklable, producing `outputs` in the cache."""

    kind: str  # "h264", "remux", "av1", "poster", "m4a", "opus", "caption"
    source: Path
    outputs: tuple[Path, ...]
    label: str  # project-relative source, for messages
    article: str
    line: int | None
    info: MediaInfo | None = None
    size: tuple[int, int] = (0, 0)
    settings: VideoSettings = field(default_factory=VideoSettings)
    poster_time: float | None = None
    text: str | None = None  # caption content for kind "caption"
    kbps: int = 0  # the video bitrate cap (-maxrate) of an encode
    rungs: tuple[hls.Rung, ...] = ()  # the ladder of kind "hls"


@dataclass(frozen=True)
class MediaPlan:
    assets: dict[str, Asset]  # key: project-relative source path
    refs: dict[tuple[str, str], str]  # (article_dir, source_ref) -> assets key
    jobs: tuple[MediaJob, ...]  # only those with an output missing from the cache
    diagnostics: tuple[Diagnostic, ...]
    outputs: dict[str, Path]  # site path -> cached file
    cache_dir: Path
    tool: FFmpegTool
    all_jobs: tuple[MediaJob, ...] = ()  # every job, cached or not (for --force)
    settings: VideoSettings = field(default_factory=VideoSettings)
    verified: frozenset[Path] = frozenset()  # cache files reused as they were recorded

    def asset_for(self, article_dir: Path, source_ref: str) -> Asset | None:
        key = self.refs.get((str(article_dir), source_ref))
        return self.assets.get(key) if key else None


@dataclass(frozen=True)
class _ProbedSource:
    """One referenced file, probed, with its captions: what its outputs are planned from."""

    path: Path
    rel: str  # project-relative, for messages and the assets key
    digest: str
    info: MediaInfo
    request: MediaRequest
    tracks: tuple[CaptionTrack, ...]
    transcript: str


@dataclass
class _Planner:
    project: ProjectPaths
    settings: VideoSettings
    tool: FFmpegTool
    cache_dir: Path
    ledger: CacheLedger
    assets: dict[str, Asset] = field(default_factory=dict)
    refs: dict[tuple[str, str], str] = field(default_factory=dict)
    jobs: dict[Path, MediaJob] = field(default_factory=dict)
    all_jobs: dict[Path, MediaJob] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)
    verified: set[Path] = field(default_factory=set)

    def output(self, name: str) -> tuple[str, Path]:
        site_path = f"{SITE_MEDIA_DIR}/{name}"
        self.outputs[site_path] = self.cache_dir / name
        return site_path, self.cache_dir / name

    def job(self, job: MediaJob) -> None:
        self.all_jobs.setdefault(job.outputs[0], job)
        files = list(job.outputs)
        if job.kind == "hls":  # a finished ladder: its master and every file of its folder
            files = list(hls.ladder_files(job.outputs[0], job.outputs[0].name).values())
        if files and all(self.ledger.sound(path) for path in files):
            self.verified.update(files)
        else:
            self.jobs.setdefault(job.outputs[0], job)

    def add(self, request: MediaRequest) -> None:
        def fail(message: str, hint: str = "") -> None:
            self.diagnostics.append(error(request.article, request.line, message, hint))

        try:
            path = resolve_media(self.project, request.article_dir, request.source_ref,
                                 media_kind(request.source_ref) or "media")
        except MediaPathProblem as problem:
            return fail(problem.message, problem.hint)
        rel = self.project.relative(path)
        if rel in self.assets:
            self.refs[(str(request.article_dir), request.source_ref)] = rel
            return None
        suffix = path.suffix.lower()
        if suffix not in VIDEO_EXTENSIONS | AUDIO_EXTENSIONS:
            return fail(
                f"{rel}: unsupported media type {suffix or '(none)'!r}",
                "use .mp4/.mov/.mkv/.webm/.mpg video or .mp3/.wav/.m4a/.ogg/.flac/.opus audio",
            )
        try:
            digest = file_digest(path)
            info = cached_probe(self.tool, path, digest, self.cache_dir)
        except ProbeError as exc:
            return fail(
                f"{rel}: cannot use this media file: {exc.summary}",
                "re-export it as MP4 (H.264/AAC) or check that it is not truncated",
            )
        source = _ProbedSource(path, rel, digest, info, request,
                               *self.captions(path, request, rel))
        asset = (self.video(source) if info.has_video and suffix in VIDEO_EXTENSIONS
                 else self.audio(source))
        self.assets[rel] = asset
        self.refs[(str(request.article_dir), request.source_ref)] = rel
        return None

    def captions(
        self, path: Path, request: MediaRequest, rel: str
    ) -> tuple[tuple[CaptionTrack, ...], str]:
        tracks: list[CaptionTrack] = []
        transcripts: list[str] = []
        for source in cap.find_sidecars(path):
            try:
                text, cues = cap.load_captions(source)
            except cap.CaptionError as exc:
                self.diagnostics.append(
                    error(
                        self.project.relative(source.path),
                        exc.line,
                        exc.message,
                        f"fix the caption file used by {rel} in {request.article}",
                    )
                )
                continue
            digest = output_hash(file_digest(source.path), "caption", {}, "")
            site_path, cache_path = self.output(
                f"{output_stem(path.stem)}.{digest}.{source.lang}.vtt")
            self.job(
                MediaJob(
                    "caption",
                    source.path,
                    (cache_path,),
                    rel,
                    request.article,
                    request.line,
                    text=text,
                )
            )
            tracks.append(CaptionTrack(site_path, source.lang, source.label, not tracks))
            transcripts.append(cap.transcript(cues))
        return tuple(tracks), (transcripts[0] if transcripts else "")

    def _name(self, source: _ProbedSource, kind: str, extra: dict[str, object]) -> str:
        recipe = {**self.settings.output_fields(kind), **extra}
        key = output_hash(source.digest, kind, recipe, self.tool.version)
        return f"{output_stem(source.path.stem)}.{key}"

    def _job_fields(self, source: _ProbedSource) -> dict[str, Any]:
        """What every job of one source shares."""
        return {"source": source.path, "label": source.rel, "article": source.request.article,
                "line": source.request.line, "info": source.info, "settings": self.settings}

    def video(self, source: _ProbedSource) -> VideoAsset:
        path, rel, info, request = source.path, source.rel, source.info, source.request
        size = output_size(info, self.settings.max_height)
        common: dict[str, Any] = {**self._job_fields(source), "size": size}
        audio_codec = AAC_CODEC if info.has_audio else None
        decision = decide(info, self.settings, size)
        remux = decision.remux
        h264_key = "remux" if remux else "h264"  # a remux does not depend on crf or preset
        cap_extra: dict[str, object] = {} if remux else {"kbps": decision.kbps}
        h264_site, h264_path = self.output(self._name(source, h264_key, cap_extra) + ".mp4")
        self.job(MediaJob("remux" if remux else "h264", outputs=(h264_path,),
                          kbps=decision.kbps, **common))
        predicted = (video_codec_string(path) if remux and suffix_is_mp4(path) else None) or (
            predicted_h264_codec(*size, info.fps)
        )
        h264_codec = _actual_codec(h264_path) or predicted
        sources = [Rendition(h264_site, mime_type("video/mp4", h264_codec, audio_codec))]
        if self.settings.av1 and self.tool.has_svtav1:
            av1_site, av1_path = self.output(
                self._name(source, "av1", {"kbps": decision.kbps}) + ".av1.mp4")
            self.job(MediaJob("av1", outputs=(av1_path,), kbps=decision.kbps, **common))
            av1_audio = OPUS_CODEC if self.settings.av1_audio == "opus" else AAC_CODEC
            av1_codec = _actual_codec(av1_path) or predicted_av1_codec(*size, info.fps)
            sources.insert(
                0,
                Rendition(
                    av1_site,
                    mime_type("video/mp4", av1_codec, av1_audio if info.has_audio else None),
                ),
            )
        poster_time = request.poster_time
        if poster_time is not None and not 0 <= poster_time < max(info.duration, 0.001):
            self.diagnostics.append(
                warning(
                    request.article,
                    request.line,
                    f"poster={poster_time:g} is outside {rel} ({info.duration:.2f} s long)",
                    "a frame is picked automatically instead",
                )
            )
            poster_time = None
        poster_base = self._name(source, "poster", {"at": poster_time, "size": list(size)})
        webp_site, webp_path = self.output(poster_base + ".webp")
        jpeg_site, jpeg_path = self.output(poster_base + ".jpg")
        self.job(
            MediaJob("poster", outputs=(webp_path, jpeg_path), poster_time=poster_time, **common)
        )
        if not source.tracks:
            self.diagnostics.append(
                warning(
                    request.article,
                    request.line,
                    f"video {rel} has no captions",
                    f"add a WebVTT file {Path(rel).with_suffix('').as_posix()}.en.vtt"
                    " for deaf viewers and muted playback",
                )
            )
        notes = [f"{rel}: {decision.reason}"]
        hls_site = ""
        if hls.wants_ladder(info, self.settings):
            rungs = hls.ladder(info, self.settings)
            hls_site, master = self.output(
                self._name(source, "hls", {"rungs": [list(vars(r).values()) for r in rungs]})
                + ".m3u8")
            self.job(MediaJob("hls", outputs=(master,), rungs=rungs, **common))
            notes.append(f"{rel}: HLS ladder "
                         + ", ".join(f"{r.width}x{r.height} <= {r.kbps} kb/s" for r in rungs)
                         + f" ({info.duration:.0f} s is over hls_min_seconds"
                         f" {self.settings.hls_min_seconds:g})")
        chapters, chapters_site = self.chapters(source)
        return VideoAsset(
            rel,
            size[0],
            size[1],
            info.duration,
            info.has_audio,
            tuple(sources),
            h264_site,
            webp_site,
            jpeg_site,
            source.tracks,
            source.transcript,
            hls=hls_site,
            chapters=chapters,
            chapters_track=chapters_site,
            notes=tuple(notes),
        )

    def chapters(self, source: _ProbedSource) -> tuple[tuple[chap.Chapter, ...], str]:
        """Front matter `chapters:` first, else a `NAME.chapters.vtt` next to the video."""
        path, rel, info, request = source.path, source.rel, source.info, source.request
        file = chap.sidecar(path)
        where, line = (request.article, request.line)
        try:
            if request.chapters:
                chapters = chap.from_starts(chap.parse_lines(request.chapters), info.duration)
            elif file is not None:
                where = self.project.relative(file)
                chapters = chap.from_vtt(file.read_text(encoding="utf-8", errors="replace"),
                                         info.duration)
            else:
                return (), ""
        except (chap.ChapterError, cap.CaptionError) as exc:
            at = line if isinstance(exc, chap.ChapterError) and request.chapters else (
                getattr(exc, "line", None))
            self.diagnostics.append(error(where, at, f"{rel}: {exc.message}",
                                          "chapters start in order, inside the video"))
            return (), ""
        text = chap.vtt(chapters)
        name = output_hash(source.digest, "chapters", {"text": text}, "")
        site_path, cache_path = self.output(f"{output_stem(path.stem)}.{name}.chapters.vtt")
        self.job(MediaJob("caption", path, (cache_path,), rel, request.article, request.line,
                          text=text))
        return chapters, site_path

    def audio(self, source: _ProbedSource) -> AudioAsset:
        common = self._job_fields(source)
        m4a_site, m4a_path = self.output(self._name(source, "m4a", {}) + ".m4a")
        self.job(MediaJob("m4a", outputs=(m4a_path,), **common))
        sources = [Rendition(m4a_site, mime_type("audio/mp4", None, AAC_CODEC))]
        if self.tool.has_libopus:
            opus_site, opus_path = self.output(self._name(source, "opus", {}) + ".webm")
            self.job(MediaJob("opus", outputs=(opus_path,), **common))
            sources.insert(0, Rendition(opus_site, mime_type("audio/webm", None, OPUS_CODEC)))
        return AudioAsset(source.rel, source.info.duration, tuple(sources), m4a_site,
                          source.tracks, source.transcript)


def suffix_is_mp4(path: Path) -> bool:
    return path.suffix.lower() in (".mp4", ".m4v", ".mov")


def _actual_codec(path: Path) -> str | None:
    """The codecs string of an output already in the cache (exact, from its avcC/av1C)."""
    try:
        return video_codec_string(path) if path.is_file() else None
    except (OSError, ValueError):
        return None


def plan_media(
    requests: list[MediaRequest] | tuple[MediaRequest, ...],
    *,
    project: ProjectPaths,
    settings: VideoSettings,
    tool: FFmpegTool,
    cache_dir: Path | None = None,
) -> MediaPlan:
    """Resolve, probe and name everything; jobs are only those whose outputs are missing."""
    cache_dir = cache_dir or project.cache_dir / "media"
    planner = _Planner(project, settings, tool, cache_dir, CacheLedger(cache_dir))
    if settings.av1 and not tool.has_svtav1 and requests:
        planner.diagnostics.append(
            warning(
                "",
                None,
                "this ffmpeg has no libsvtav1: AV1 renditions are skipped",
                "use the imageio-ffmpeg binary or set av1 = false in [video]",
            )
        )
    for request in requests:
        planner.add(request)
    planner.ledger.record(())  # the new stats of files found intact after a touch or a copy
    return MediaPlan(
        assets=dict(planner.assets),
        refs=dict(planner.refs),
        jobs=tuple(planner.jobs.values()),
        diagnostics=tuple(planner.diagnostics),
        outputs=dict(planner.outputs),
        cache_dir=planner.cache_dir,
        tool=tool,
        all_jobs=tuple(planner.all_jobs.values()),
        settings=settings,
        verified=frozenset(planner.verified),
    )
