"""What the media stages hand to rendering: per reference, HTML plus structured data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reelpress.media.photo.model import ImageAsset


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
