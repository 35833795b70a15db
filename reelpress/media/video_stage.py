"""Adapter between the pipeline and the ffmpeg stage (`reelpress.media`): requests from
pages, one plan and run per build, then HTML and VideoObject per reference."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reelpress.content.loader import SourcePage
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Reporter, error
from reelpress.core.media_names import media_kind
from reelpress.core.options import BuildOptions
from reelpress.core.project import ProjectPaths
from reelpress.core.urls import UrlScheme
from reelpress.markup.engine import MediaRef, RenderedBody
from reelpress.media import (
    Asset,
    FFmpegNotFound,
    MediaPlan,
    MediaRequest,
    VideoAsset,
    VideoSettings,
    find_ffmpeg,
    media_cache_dir,
    media_html,
    prune,
    run_media_jobs,
    video_object,
)
from reelpress.media.dask_session import DaskSession
from reelpress.media.records import MediaEmbed, Thumbnail
from reelpress.structured.jsonld import iso


def _poster_time(ref: MediaRef, reporter: Reporter, page: SourcePage) -> float | None:
    value = ref.attr("poster")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        reporter.add(error(page.rel, ref.line, f"poster={value!r}: expected seconds like 4.5"))
        return None


@dataclass
class VideoStage:
    """The video/audio stage for one build: settings now, ffmpeg only when needed."""

    paths: ProjectPaths
    settings: VideoSettings
    ffmpeg_path: str | None
    force: bool = False
    jobs: int | None = None
    quiet: bool = False
    remote: DaskSession | None = None  # [media] executor = "dask": jobs run on the cluster
    plan_result: MediaPlan | None = None
    assets: dict[str, Asset] = field(default_factory=dict)
    failed: frozenset[str] = frozenset()
    encoded: int = 0
    cached: int = 0
    produced: dict[str, Path] = field(default_factory=dict)  # site path -> existing file
    explanations: tuple[str, ...] = ()  # remuxed/re-encoded, AV1 kept/dropped, ladder: why

    @classmethod
    def for_build(cls, paths: ProjectPaths, config: SiteConfig, options: BuildOptions,
                  remote: DaskSession | None = None) -> VideoStage:
        return cls(paths, config.video, config.ffmpeg, force=options.force,
                   jobs=options.jobs, quiet=options.quiet, remote=remote)

    def run(self, pages: Sequence[SourcePage], bodies: dict[str, RenderedBody],
            reporter: Reporter) -> None:
        """Plan every video/audio reference of `pages`, then encode what is missing."""
        requests: list[MediaRequest] = []
        for page in pages:
            if page.meta.video:
                if media_kind(page.meta.video) not in ("video", "audio"):
                    reporter.add(error(page.rel, page.meta.video_line,
                                       f"video: {page.meta.video!r} is not a video file",
                                       "use a .mp4/.mov/.webm file under media/"))
                else:
                    requests.append(MediaRequest(page.meta.video, page.rel, page.source_dir,
                                                 page.meta.video_line,
                                                 chapters=page.meta.video_chapters))
            for ref in bodies[page.rel].media:
                if ref.kind in ("video", "audio"):
                    requests.append(MediaRequest(ref.src, page.rel, page.source_dir, ref.line,
                                                 _poster_time(ref, reporter, page)))
        if not requests:
            return
        try:
            tool = find_ffmpeg(self.ffmpeg_path)
        except FFmpegNotFound as exc:
            reporter.add(error(requests[0].article, requests[0].line, f"ffmpeg not found: {exc}",
                               "pip install imageio-ffmpeg, or set ffmpeg = '/path' in site.toml"))
            return
        plan = self._plan(requests, tool)
        reporter.extend(plan.diagnostics)
        result = run_media_jobs(plan, max_workers=self.jobs, force=self.force, quiet=self.quiet,
                                remote=self.remote)
        reporter.extend(result.diagnostics)
        self.plan_result = plan
        self.assets = dict(result.assets)
        self.failed = result.failed
        self.encoded = result.encoded
        self.cached = result.cached
        self.produced = dict(result.outputs)
        self.explanations = result.explanations

    def _plan(self, requests: list[MediaRequest], tool) -> MediaPlan:  # noqa: ANN001
        from reelpress.media import plan_media
        return plan_media(requests, project=self.paths, settings=self.settings, tool=tool,
                          cache_dir=media_cache_dir(self.paths))

    @property
    def outputs(self) -> dict[str, Path]:
        """Only files that exist (a failed job's outputs are not there)."""
        return dict(self.produced)

    def _asset(self, page: SourcePage, source_ref: str) -> Asset | None:
        if self.plan_result is None:
            return None
        key = self.plan_result.refs.get((str(page.source_dir), source_ref))
        if key is None or key in self.failed:
            return None
        return self.assets.get(key)

    def embed(self, page: SourcePage, source_ref: str, caption: str, attrs: dict[str, str],
              link: Callable[[str], str], urls: UrlScheme) -> MediaEmbed | None:
        asset = self._asset(page, source_ref)
        if asset is None:
            return None
        html = media_html(asset, caption, link, attrs)
        if not isinstance(asset, VideoAsset):
            return MediaEmbed(html)
        name = caption or page.meta.title
        data = video_object(asset, name=name,
                            description=page.meta.description or page.meta.summary or name,
                            upload_date_iso=iso(page.meta.updated or page.meta.date),
                            url_for_absolute=urls.absolute,
                            page_url=urls.absolute(page.url_path))
        data["embedUrl"] = urls.absolute(page.url_path)
        mp4 = next((r for r in asset.sources if r.site_path == asset.download), asset.sources[-1])
        return MediaEmbed(html, video_object=data, image_url=urls.absolute(asset.poster_jpeg),
                          og_video=(urls.absolute(mp4.site_path), "video/mp4", asset.width,
                                    asset.height), video_seconds=asset.duration,
                          thumbnail=Thumbnail(caption or page.meta.title,
                                              poster=asset.poster_webp, width=asset.width,
                                              height=asset.height))

    def prune(self) -> None:
        if self.plan_result is not None:
            prune(media_cache_dir(self.paths), {p.name for p in self.plan_result.outputs.values()})
