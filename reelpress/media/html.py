"""Markup and structured data for planned media: `<figure><video>`, `<audio>`, VideoObject.

Every value that came from an author or a file name is escaped; URLs go through the
integrator's `url_for`, which knows the site's base path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from markupsafe import escape

from reelpress.media.photo.html import caption_html
from reelpress.media.video.plan import Asset, AudioAsset, CaptionTrack, VideoAsset

_TRUE = {"", "true", "yes", "1", "on"}
_FLAGS = ("loop", "muted", "autoplay")


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration, whole seconds (at least 1): 93.4 -> 'PT1M33S'."""
    total = max(1, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{secs}S" if secs or text == "PT" else "")


def _flag(attrs: Mapping[str, str], name: str) -> bool:
    return name in attrs and str(attrs[name]).strip().lower() in _TRUE | {name}


def _start_fragment(attrs: Mapping[str, str]) -> str:
    """`start=2` or `start=1:05` becomes a media fragment `#t=2` / `#t=65`."""
    raw = str(attrs.get("start", "")).strip()
    if not raw:
        return ""
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        return f"#t={raw}"
    match = re.fullmatch(r"(?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?)", raw)
    if match:
        hours, minutes, secs = match.groups()
        total = int(hours or 0) * 3600 + int(minutes) * 60 + float(secs)
        return f"#t={total:g}"
    return ""


def _figure_open(kind: str, attrs: Mapping[str, str]) -> str:
    classes = " ".join(["reelpress-" + kind, *str(attrs.get("class", "")).split()])
    element_id = f' id="{escape(attrs["id"])}"' if attrs.get("id") else ""
    return f'<figure class="{escape(classes)}"{element_id}>'


def _tracks(tracks: tuple[CaptionTrack, ...], url_for: Callable[[str], str]) -> list[str]:
    return [
        f'<track kind="captions" src="{escape(url_for(t.site_path))}" srclang="{escape(t.lang)}"'
        f' label="{escape(t.label)}"{" default" if t.default else ""}>'
        for t in tracks
    ]


def _caption(caption: str, credit: str | None = None, kind: str = "video") -> str:
    return caption_html(caption, credit, credit_label="Video" if kind == "video" else "Audio")


def _figure(kind: str, element_attrs: list[str], asset: Asset, caption: str,
            url_for: Callable[[str], str], attrs: Mapping[str, str], fallback: str) -> str:
    """The figure both video and audio share: sources (best first, with the author's
    start time as a media fragment), caption tracks, a download fallback, the caption."""
    if caption.strip():
        element_attrs = [*element_attrs, f'aria-label="{escape(caption)}"']
    fragment = _start_fragment(attrs)
    lines = [_figure_open(kind, attrs), f"<{kind} {' '.join(element_attrs)}>"]
    lines += [
        f'<source src="{escape(url_for(r.site_path) + fragment)}" type="{escape(r.mime)}">'
        for r in asset.sources
    ]
    lines += _tracks(asset.tracks, url_for)
    lines.append(fallback.format(href=escape(url_for(asset.download))))
    lines += [f"</{kind}>", _caption(caption, attrs.get("credit"), kind), "</figure>"]
    return "\n".join(line for line in lines if line)


def video_html(
    asset: VideoAsset,
    caption: str,
    url_for: Callable[[str], str],
    attrs: Mapping[str, str] | None = None,
) -> str:
    """A `<figure>` with a `<video>`: AV1 then H.264 sources, caption tracks, a download link."""
    attrs = attrs or {}
    video_attrs = [
        "controls",
        'preload="metadata"',
        "playsinline",
        f'width="{asset.width}"',
        f'height="{asset.height}"',
        f'poster="{escape(url_for(asset.poster_webp))}"',
    ]
    flags = {name for name in _FLAGS if _flag(attrs, name)}
    if "autoplay" in flags:
        flags.add("muted")  # browsers only autoplay muted video
    video_attrs += [name for name in _FLAGS if name in flags]
    return _figure("video", video_attrs, asset, caption, url_for, attrs,
                   '<p>Your browser cannot play this video. <a href="{href}" download>'
                   "Download the video (MP4)</a>.</p>")


def audio_html(
    asset: AudioAsset,
    caption: str,
    url_for: Callable[[str], str],
    attrs: Mapping[str, str] | None = None,
) -> str:
    """A `<figure>` with an `<audio>`: Opus then AAC, caption tracks, a download link."""
    attrs = attrs or {}
    audio_attrs = ["controls", 'preload="metadata"']
    audio_attrs += [name for name in ("loop", "muted", "autoplay") if _flag(attrs, name)]
    return _figure("audio", audio_attrs, asset, caption, url_for, attrs,
                   '<p><a href="{href}" download>Download the audio (M4A)</a>.</p>')


def media_html(
    asset: Asset,
    caption: str,
    url_for: Callable[[str], str],
    attrs: Mapping[str, str] | None = None,
) -> str:
    """`video_html` or `audio_html`, whichever fits the asset (a .mp4 may hold only audio)."""
    if isinstance(asset, VideoAsset):
        return video_html(asset, caption, url_for, attrs)
    return audio_html(asset, caption, url_for, attrs)


def video_object(
    asset: VideoAsset,
    *,
    name: str,
    description: str,
    upload_date_iso: str,
    url_for_absolute: Callable[[str], str],
) -> dict[str, object]:
    """schema.org VideoObject (no @context: it is meant to sit inside the page's graph)."""
    data: dict[str, object] = {
        "@type": "VideoObject",
        "name": name,
        "description": description or name,
        "thumbnailUrl": [
            url_for_absolute(asset.poster_jpeg),
            url_for_absolute(asset.poster_webp),
        ],
        "uploadDate": upload_date_iso,
        "duration": iso_duration(asset.duration),
        "contentUrl": url_for_absolute(asset.download),
        "encodingFormat": "video/mp4",
        "width": asset.width,
        "height": asset.height,
    }
    if asset.transcript:
        data["transcript"] = asset.transcript
    return data


__all__ = ["audio_html", "iso_duration", "media_html", "video_html", "video_object"]
