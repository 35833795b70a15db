"""The records every media stage shares: one request for a photo or a video, the
settings of one build, and one result shape (outputs, counts, inputs read, what to keep
in the cache), so photo and video are planned, run and pruned the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reelpress.core.config import SiteConfig
from reelpress.core.media_names import MediaRequest
from reelpress.core.options import BuildOptions
from reelpress.core.project import ProjectPaths
from reelpress.core.settings import ExecutorSettings, ImageSettings, VideoSettings
from reelpress.media.photo.model import ImageAsset
from reelpress.media.prune import prune_cache

__all__ = ["DEFAULT_SIZES", "MediaEmbed", "MediaRequest", "MediaStages", "StageRun", "Thumbnail"]

# `sizes` of a responsive image where no theme declares one: the HTML spec's own default
DEFAULT_SIZES = "100vw"


@dataclass(frozen=True)
class MediaStages:
    """Settings of the media stages for one build."""

    paths: ProjectPaths
    image_settings: ImageSettings
    video_settings: VideoSettings
    ffmpeg_path: str | None = None
    force: bool = False
    jobs: int | None = None
    quiet: bool = False
    body_sizes: str = DEFAULT_SIZES
    hero_sizes: str = DEFAULT_SIZES
    executor: ExecutorSettings = field(default_factory=ExecutorSettings)  # [media]
    scheduler: str | None = None  # --scheduler: a Dask scheduler to run media jobs on

    @classmethod
    def for_build(cls, paths: ProjectPaths, config: SiteConfig, options: BuildOptions,
                  sizes: Callable[[str], str]) -> MediaStages:
        """`sizes(role)`: how wide the theme shows a body or hero image."""
        return cls(paths, config.images, config.video, config.ffmpeg, force=options.force,
                   jobs=options.jobs, quiet=options.quiet,
                   body_sizes=sizes("body"), hero_sizes=sizes("hero"),
                   executor=config.media, scheduler=options.scheduler)


@dataclass(frozen=True)
class StageRun:
    """What one media stage did in one build (the same shape for photos and video)."""

    outputs: Mapping[str, Path]  # site path -> cached file that exists: publish these
    processed: int = 0  # source files with at least one output made in this build
    cached: int = 0  # source files whose every output came from the cache
    sources: frozenset[str] = frozenset()  # project-relative files read
    tools: frozenset[str] = frozenset()  # binaries used (ffmpeg)
    cache_dir: Path | None = None
    keep: frozenset[str] = frozenset()  # cache file names the plan names
    explanations: tuple[str, ...] = ()  # --explain: why each output made now is what it is

    def prune(self) -> list[Path]:
        """Delete from the cache what this build's plan does not name."""
        return prune_cache(self.cache_dir, self.keep) if self.cache_dir is not None else []


@dataclass(frozen=True)
class Thumbnail:
    """The picture of an article on listings: a processed photo (all its renditions, for a
    srcset) or a video poster."""

    alt: str
    photo: ImageAsset | None = None
    poster: str | None = None  # site path
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class MediaEmbed:
    """What the media stages made of one `MediaRef`: HTML plus structured data."""

    html: str
    video_object: Mapping[str, Any] | None = None
    image_url: str | None = None          # absolute, for og:image / NewsArticle.image
    # schema.org ImageObject of a credited or captioned photo (else the image_url is used)
    image_object: Mapping[str, Any] | None = None
    og_video: tuple[str, str, int, int] | None = None  # url, type, width, height
    video_seconds: float | None = None
    thumbnail: Thumbnail | None = None
