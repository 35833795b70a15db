"""HTTP headers an object store serves with each file: Content-Type and Cache-Control.

Object stores serve the type they were told at upload, so it is set per file from
the same table the preview server uses (video, VTT, HLS, AVIF, WebP, JSON feeds).
A file whose name carries a content hash (`style.23ee9edee3.css`,
`clip.65c841103d.av1.mp4`) never changes under that name: browsers and CDNs may
keep it for a year. Everything else (HTML, feeds, the sitemap) gets a short max-age.
"""

from __future__ import annotations

import re

from reelpress.commands.deploy.settings import DeploySettings
from reelpress.serve.files import is_html, mime_type

_HASH_PART = re.compile(r"^[0-9a-f]{8,}$")


def is_fingerprinted(rel: str) -> bool:
    """True when a middle part of the file name is a hex digest (8+ digits)."""
    if is_html(rel):
        return False
    parts = rel.rsplit("/", 1)[-1].split(".")
    return any(_HASH_PART.match(part) for part in parts[1:-1])


# Feeds get their own types (the preview serves them as plain XML, which is fine locally).
_FEED_TYPES = {"feed.xml": "application/atom+xml; charset=utf-8",
               "rss.xml": "application/rss+xml; charset=utf-8"}


def content_type(rel: str) -> str:
    return _FEED_TYPES.get(rel.rsplit("/", 1)[-1], "") or mime_type(rel)


def cache_control(rel: str, settings: DeploySettings) -> str:
    return settings.immutable_cache_control if is_fingerprinted(rel) else settings.cache_control
