"""Records of the photo stage: settings in, a plan of named outputs, jobs for the pool.

Every record is frozen and picklable, so jobs can cross into worker processes and a
plan can be kept between builds of `serve` without anyone mutating it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reelpress.core.diagnostics import Diagnostic
from reelpress.core.media_names import MediaRequest
from reelpress.core.settings import ImageSettings as ImageSettings  # re-exported
from reelpress.media.photo.credits import PhotoCredit

# Bump when the processing below changes what a given recipe produces (new resampler,
# different colour handling...): every cached output is then made again.
IMAGE_STAGE_VERSION = 2  # 2: file names from the one output_stem (core/media_names)

# What the theme can override; this fits a single-column article up to 960 px.

# Formats we accept as sources. Anything else (even if Pillow can read it) is refused
# so a stray .psd or .ico does not end up on a news page by accident.
SOURCE_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF", "GIF", "TIFF")

MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg",
              "png": "image/png"}
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png"}


ImageRequest = MediaRequest  # one request record for photos and video


@dataclass(frozen=True)
class Rendition:
    """One output file of an asset, named before it exists."""

    format: str  # "avif" | "webp" | "jpeg" | "png"
    width: int
    height: int
    path: str  # site-relative, e.g. "media/paris-hero.3f9a1c2e.800.webp"

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]


@dataclass(frozen=True)
class ImageAsset:
    """Everything a template needs about one processed photo."""

    source: str  # project-relative source path
    width: int  # intrinsic size of the largest rendition, orientation applied
    height: int
    has_alpha: bool
    renditions: tuple[Rendition, ...]
    social_card: str | None = None  # site-relative 1200x630 JPEG, when asked for
    credit: PhotoCredit | None = None  # the photo's own IPTC/XMP credit, if any

    @property
    def fallback_format(self) -> str:
        return "png" if self.has_alpha else "jpeg"

    def renditions_of(self, fmt: str) -> tuple[Rendition, ...]:
        return tuple(r for r in self.renditions if r.format == fmt)

    @property
    def modern_formats(self) -> tuple[str, ...]:
        """Formats for <source> elements, best first (browsers take the first they can show)."""
        return tuple(f for f in ("avif", "webp") if self.renditions_of(f))

    @property
    def largest_fallback(self) -> Rendition:
        """The biggest JPEG/PNG: for JSON-LD `image` and the <img src> of old browsers."""
        return max(self.renditions_of(self.fallback_format), key=lambda r: r.width)


@dataclass(frozen=True)
class OutputSpec:
    """One file a job must write: what to encode and the cache file to write it to."""

    kind: str  # "rendition" | "card"
    format: str
    width: int
    height: int
    quality: int
    cache_path: Path
    speed: int = 0


@dataclass(frozen=True)
class ImageJob:
    """Decode one source once and write the outputs missing from the cache."""

    source: Path
    source_label: str  # project-relative, for messages
    source_digest: str  # sha256 of the bytes planned from; a change mid-build is reported
    article: str
    line: int | None
    display_size: tuple[int, int]  # planned size after EXIF orientation
    has_alpha: bool
    outputs: tuple[OutputSpec, ...]


@dataclass(frozen=True)
class ImagePlan:
    """Names of every output, known before any pixel is encoded."""

    assets: dict[tuple[str, str], ImageAsset]  # (article_dir, source_ref) -> asset
    jobs: tuple[ImageJob, ...]
    diagnostics: tuple[Diagnostic, ...]
    outputs: dict[str, Path]  # site-relative path -> cache file
    cache_dir: Path
    cached: int = 0  # outputs already present in the cache
    verified: frozenset[Path] = frozenset()  # cache files reused as they were recorded

    def asset_for(self, article_dir: Path | str, source_ref: str) -> ImageAsset | None:
        return self.assets.get(asset_key(article_dir, source_ref))


@dataclass(frozen=True)
class ImageRunResult:
    processed: int  # jobs (source images) decoded
    encoded: int  # output files written
    cached: int  # outputs reused from the cache
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    failed: tuple[str, ...] = ()  # project-relative sources that could not be processed


def asset_key(article_dir: Path | str, source_ref: str) -> tuple[str, str]:
    """Lookup key independent of how the caller spelled the directory."""
    return (str(Path(article_dir).resolve()), source_ref)
