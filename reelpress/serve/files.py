"""How a request path becomes a file, a MIME type and a byte range: pure rules, no sockets.

Kept apart from the HTTP handler so the security and Range edge cases are tested as plain
functions, and the handler only sequences them.
"""

from __future__ import annotations

import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from reelpress.core.urls import normalize_base_path as normalize_base_path  # re-exported

_MIME_BY_SUFFIX = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".jsonld": "application/ld+json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
    ".m4s": "video/iso.segment",
    ".ts": "video/mp2t",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mpd": "application/dash+xml",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",  # Opus as written by ffmpeg's .opus muxer lives in an Ogg container
    ".wav": "audio/wav",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
}
_MIME_BY_NAME = {"feed.json": "application/feed+json"}


def mime_type(path: str | Path) -> str:
    """Content-Type for a served file; text types carry `charset=utf-8`."""
    path = Path(path)
    name = path.name.lower()
    if name in _MIME_BY_NAME:
        return _MIME_BY_NAME[name]
    known = _MIME_BY_SUFFIX.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(name, strict=False)
    if guessed is None:
        return "application/octet-stream"
    if guessed.startswith("text/"):
        return f"{guessed}; charset=utf-8"
    return guessed


def is_html(path: str | Path) -> bool:
    return Path(path).suffix.lower() in (".html", ".htm")


# --- Range -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ByteRange:
    """An inclusive byte range `first..last` of a file of `size` bytes."""

    first: int
    last: int
    size: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def content_range(self) -> str:
        return f"bytes {self.first}-{self.last}/{self.size}"


class Unsatisfiable:
    """A syntactically valid Range that selects no byte of the file (answer 416)."""

    def __repr__(self) -> str:
        return "UNSATISFIABLE"


UNSATISFIABLE = Unsatisfiable()
_RANGE_SPEC = re.compile(r"^\s*([0-9]*)\s*-\s*([0-9]*)\s*$")
# Beyond any file size; longer digit strings are not even converted (Python refuses
# int() of more than 4,300 digits, and a 5,000-digit Range must not cost a traceback).
_HUGE = 2**63


def _offset(text: str) -> int:
    return int(text) if len(text) <= 18 else _HUGE


def parse_range(header: str | None, size: int) -> ByteRange | Unsatisfiable | None:
    """Interpret a `Range` header (RFC 9110 §14) for a file of `size` bytes.

    Returns None to mean "send the whole file with 200": no header, a malformed one,
    another unit, or several ranges (a multipart/byteranges answer is allowed to be skipped,
    and browsers only ever ask for one range to seek or stream).
    """
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _RANGE_SPEC.match(spec)
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text:
        if not last_text:
            return None
        suffix = _offset(last_text)
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return ByteRange(max(0, size - suffix), size - 1, size)
    first = _offset(first_text)
    if last_text and _offset(last_text) < first:
        return None  # "5-2" is an invalid range-spec: ignore the header
    if first >= size:
        return UNSATISFIABLE
    last = min(_offset(last_text), size - 1) if last_text else size - 1
    return ByteRange(first, last, size)


# --- Request path -> file ------------------------------------------------------------


class RejectedPath(ValueError):
    """A request path that tries to leave the site or is not a plain URL path (answer 403)."""


def request_segments(target: str) -> tuple[list[str], bool]:
    """Split a raw request target into decoded path segments and "ends with a slash".

    Refuses what a static site never needs and traversal relies on: `..` or `.` segments
    (also percent-encoded), encoded `/` or `\\`, backslashes, NUL and invalid UTF-8.
    """
    if target.startswith(("http://", "https://")):
        target = urlsplit(target).path or "/"
    raw_path = target.split("?", 1)[0].split("#", 1)[0]
    if not raw_path.startswith("/"):
        raise RejectedPath("the request path must start with '/'")
    lowered = raw_path.lower()
    if "\\" in raw_path or "%2f" in lowered or "%5c" in lowered:
        raise RejectedPath("encoded slashes and backslashes are not served")
    try:
        decoded = unquote(raw_path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise RejectedPath("the path is not valid UTF-8") from exc
    if "\x00" in decoded or "\\" in decoded:
        raise RejectedPath("NUL or backslash in the path")
    segments = [segment for segment in decoded.split("/") if segment]
    if any(segment in (".", "..") for segment in segments):
        raise RejectedPath("'.' and '..' segments are not served")
    return segments, decoded.endswith("/")


def strip_base(segments: list[str], base_segments: list[str]) -> list[str] | None:
    """The segments below the served base path, or None when the request is outside it."""
    if segments[: len(base_segments)] != base_segments:
        return None
    return segments[len(base_segments) :]


def base_segments(base_path: str) -> list[str]:
    return [segment for segment in base_path.split("/") if segment]


def locate(site_dir: Path, segments: list[str]) -> Path | None:
    """The real path of `segments` under `site_dir`, or None when it does not exist or its
    real location (after symlinks) is outside the site directory.

    Resolved per request because every build moves new files into `site_dir`.
    """
    if any("\x00" in segment for segment in segments):
        return None  # no file has a NUL in its name (and os.path raises on one)
    real_root = os.path.realpath(site_dir)
    if not os.path.isdir(real_root):
        return None
    real = os.path.realpath(os.path.join(real_root, *segments))
    if real != real_root and not real.startswith(real_root + os.sep):
        return None
    if not os.path.exists(real):
        return None
    return Path(real)
