"""The video/audio stage of a build, between pages and ffmpeg: requests from pages, one
plan and one run, returned as a frozen record that makes the HTML and VideoObject of
each reference."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reelpress.content.loader import SourcePage
from reelpress.core.diagnostics import Reporter, error
from reelpress.core.media_names import media_kind
from reelpress.core.urls import UrlScheme
from reelpress.markup.engine import MediaRef, RenderedBody
from reelpress.media import media_cache_dir
from reelpress.media.html import media_html, video_object
from reelpress.media.records import MediaEmbed, MediaRequest, MediaStages, StageRun, Thumbnail
from reelpress.media.video.ffmpeg import FFmpegNotFound, find_ffmpeg
from reelpress.media.video.jobs import run_media_jobs
from reelpress.media.video.plan import Asset, VideoAsset, plan_media
from reelpress.structured.jsonld import credit_fields, iso

if TYPE_CHECKING:  # imported only with Dask: asyncio and the cluster client
    from reelpress.media.dask_session import DaskSession


@dataclass(frozen=True)
class VideoResults:
    """Every video/audio asset of the build, by the reference that named it."""

    run: StageRun = field(default_factory=lambda: StageRun({}))
    refs: Mapping[tuple[str, str], str] = field(default_factory=dict)  # -> asset key
    assets: Mapping[str, Asset] = field(default_factory=dict)
    failed: frozenset[str] = frozenset()

    def asset(self, page: SourcePage, source_ref: str) -> Asset | None:
        key = self.refs.get((str(page.source_dir), source_ref))
        return None if key is None or key in self.failed else self.assets.get(key)

    def embed(self, page: SourcePage, source_ref: str, caption: str, attrs: dict[str, str],
              link: Callable[[str], str], urls: UrlScheme) -> MediaEmbed | None:
        asset = self.asset(page, source_ref)
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
        data.update(credit_fields((attrs.get("credit") or "").strip() or None))
        mp4 = next((r for r in asset.sources if r.site_path == asset.download), asset.sources[-1])
        return MediaEmbed(html, video_object=data, image_url=urls.absolute(asset.poster_jpeg),
                          og_video=(urls.absolute(mp4.site_path), "video/mp4", asset.width,
                                    asset.height), video_seconds=asset.duration,
                          thumbnail=Thumbnail(caption or page.meta.title,
                                              poster=asset.poster_webp, width=asset.width,
                                              height=asset.height))


def video_requests(pages: Sequence[SourcePage], bodies: Mapping[str, RenderedBody],
                   reporter: Reporter) -> list[MediaRequest]:
    """Every video/audio reference of `pages`: the front matter's `video:`, then the body's."""
    requests: list[MediaRequest] = []
    for page in pages:
        meta = page.meta
        if meta.video and media_kind(meta.video) not in ("video", "audio"):
            reporter.add(error(page.rel, meta.video_line,
                               f"video: {meta.video!r} is not a video file",
                               "use a .mp4/.mov/.webm file under media/"))
        elif meta.video:
            requests.append(MediaRequest(meta.video, page.rel, page.source_dir, meta.video_line,
                                         chapters=meta.video_chapters))
        requests.extend(MediaRequest(ref.src, page.rel, page.source_dir, ref.line,
                                     poster_time=_poster_time(ref, reporter, page))
                        for ref in bodies[page.rel].media if ref.kind in ("video", "audio"))
    return requests


def run_videos(requests: Sequence[MediaRequest], stages: MediaStages, reporter: Reporter,
               remote: DaskSession | None = None) -> VideoResults:
    """Plan every request, then encode what the cache is missing (ffmpeg only if needed;
    on the Dask cluster of `remote`, when there is one)."""
    if not requests:
        return VideoResults()
    try:
        tool = find_ffmpeg(stages.ffmpeg_path)
    except FFmpegNotFound as exc:
        reporter.add(error(requests[0].article, requests[0].line, f"ffmpeg not found: {exc}",
                           "pip install imageio-ffmpeg, or set ffmpeg = '/path' in site.toml"))
        return VideoResults()
    cache_dir = media_cache_dir(stages.paths)
    plan = plan_media(tuple(requests), project=stages.paths, settings=stages.video_settings,
                      tool=tool, cache_dir=cache_dir)
    reporter.extend(plan.diagnostics)
    result = run_media_jobs(plan, max_workers=stages.jobs, force=stages.force,
                            quiet=stages.quiet, remote=remote)
    reporter.extend(result.diagnostics)
    made = result.made & set(plan.assets)
    run = StageRun(dict(result.outputs), processed=len(made),
                   cached=len(set(plan.assets) - made),
                   sources=frozenset(plan.assets), tools=frozenset({tool.exe}),
                   cache_dir=cache_dir,
                   keep=frozenset(path.name for path in plan.outputs.values()),
                   explanations=result.explanations)
    return VideoResults(run, dict(plan.refs), dict(result.assets), result.failed)


def _poster_time(ref: MediaRef, reporter: Reporter, page: SourcePage) -> float | None:
    value = ref.attr("poster")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        reporter.add(error(page.rel, ref.line, f"poster={value!r}: expected seconds like 4.5"))
        return None
