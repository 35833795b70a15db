"""YouTube and Vimeo links written as images (`![caption](https://youtu.be/ID)`): which
video, and the privacy-friendly player address to load only when the reader clicks.

Pure string work: the IDs are checked against the platforms' alphabets, so nothing an
author writes can reach the iframe address except a validated ID and a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                  "youtube-nocookie.com", "www.youtube-nocookie.com"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_PATH = re.compile(r"^/(?:shorts|embed|live|v)/([A-Za-z0-9_-]{11})/?$")
_VIMEO_PATH = re.compile(r"^/(?:video/|channels/[\w-]+/|groups/[\w-]+/videos/)?(\d{6,12})"
                         r"(?:/([0-9a-f]{6,20}))?/?$")
_TIME = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


@dataclass(frozen=True)
class PlatformVideo:
    platform: str  # "youtube" | "vimeo"
    video_id: str
    start: int = 0  # seconds, from ?t= / #t=
    unlisted_hash: str = ""  # Vimeo's private-link hash

    @property
    def name(self) -> str:
        return {"youtube": "YouTube", "vimeo": "Vimeo"}[self.platform]

    @property
    def watch_url(self) -> str:
        """The platform's own page: the `<noscript>` link and the facade's fallback."""
        if self.platform == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}" + (
                f"&t={self.start}s" if self.start else "")
        path = f"{self.video_id}/{self.unlisted_hash}" if self.unlisted_hash else self.video_id
        return f"https://vimeo.com/{path}" + (f"#t={self.start}s" if self.start else "")

    @property
    def embed_url(self) -> str:
        """The player, loaded on click: youtube-nocookie (no cookies until playback) or
        Vimeo with `dnt=1` (no tracking cookies)."""
        if self.platform == "youtube":
            start = f"&start={self.start}" if self.start else ""
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}?autoplay=1{start}"
        secret = f"&h={self.unlisted_hash}" if self.unlisted_hash else ""
        start = f"#t={self.start}s" if self.start else ""
        return f"https://player.vimeo.com/video/{self.video_id}?autoplay=1&dnt=1{secret}{start}"


def _seconds(raw: str | None) -> int:
    match = _TIME.match((raw or "").strip())
    if not raw or not match:
        return 0
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def platform_video(src: str) -> PlatformVideo | None:
    """The YouTube (watch, youtu.be, Shorts, embed, live) or Vimeo video a URL names."""
    try:
        parts = urlsplit(src.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    fragment = parse_qs(parts.fragment)
    start = _seconds((query.get("t") or query.get("start") or fragment.get("t") or [""])[0])
    if host == "youtu.be":
        video_id = parts.path.strip("/")
        return PlatformVideo("youtube", video_id, start) if _YOUTUBE_ID.match(video_id) else None
    if host in _YOUTUBE_HOSTS:
        if parts.path in ("/watch", "/watch/"):
            video_id = (query.get("v") or [""])[0]
            return PlatformVideo("youtube", video_id, start) if _YOUTUBE_ID.match(video_id) \
                else None
        match = _YOUTUBE_PATH.match(parts.path)
        return PlatformVideo("youtube", match.group(1), start) if match else None
    if host in _VIMEO_HOSTS:
        match = _VIMEO_PATH.match(parts.path)
        if not match:
            return None
        unlisted = match.group(2) or (query.get("h") or [""])[0]
        unlisted = unlisted if re.fullmatch(r"[0-9a-f]{6,20}", unlisted) else ""
        return PlatformVideo("vimeo", match.group(1), start, unlisted)
    return None
