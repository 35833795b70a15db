"""HTTP headers an object store serves with each file: Content-Type and Cache-Control.

Object stores serve the type they were told at upload, so it is set per file from
the same table the preview server uses (video, VTT, HLS, AVIF, WebP, JSON feeds).
A file whose name carries a content hash (`style.23ee9edee3.css`,
`clip.65c841103d.av1.mp4`) never changes under that name: browsers and CDNs may
keep it for a year. Everything else (HTML, feeds, the sitemap) gets a short max-age.
"""

from __future__ import annotations

import mimetypes
import re

from reelpress.commands.deploy.settings import DeploySettings

_HASH_PART = re.compile(r"^[0-9a-f]{8,}$")


def is_fingerprinted(rel: str) -> bool:
    """True when a middle part of the file name is a hex digest (8+ digits)."""
    if is_html(rel):
        return False
    parts = rel.rsplit("/", 1)[-1].split(".")
    return any(_HASH_PART.match(part) for part in parts[1:-1])


# What a site holds, typed for browsers; the platform's mimetypes table (which varies
# by OS and misses or misnames several of these) is only the fallback.
_BY_NAME = {"feed.json": "application/feed+json",
            "feed.xml": "application/atom+xml; charset=utf-8",
            "rss.xml": "application/rss+xml; charset=utf-8"}
_BY_SUFFIX = {
    "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
    "mjs": "text/javascript; charset=utf-8", "json": "application/json",
    "map": "application/json", "webmanifest": "application/manifest+json",
    "xml": "application/xml", "txt": "text/plain; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8", "srt": "application/x-subrip",
    "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "gif": "image/gif", "webp": "image/webp", "avif": "image/avif", "ico": "image/x-icon",
    "mp4": "video/mp4", "m4v": "video/mp4", "webm": "video/webm", "mov": "video/quicktime",
    "m4s": "video/iso.segment", "ts": "video/mp2t", "m3u8": "application/vnd.apple.mpegurl",
    "mpd": "application/dash+xml", "m4a": "audio/mp4", "mp3": "audio/mpeg",
    "ogg": "audio/ogg", "opus": "audio/ogg", "wav": "audio/wav", "woff": "font/woff",
    "woff2": "font/woff2", "ttf": "font/ttf", "otf": "font/otf", "pdf": "application/pdf",
    "wasm": "application/wasm",
}


def is_html(rel: str) -> bool:
    return rel.lower().endswith((".html", ".htm"))


def content_type(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1].lower()
    known = _BY_NAME.get(name) or _BY_SUFFIX.get(name.rsplit(".", 1)[-1] if "." in name else "")
    if known:
        return known
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    if guessed is None:
        return "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def cache_control(rel: str, settings: DeploySettings) -> str:
    return settings.immutable_cache_control if is_fingerprinted(rel) else settings.cache_control
