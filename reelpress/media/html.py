"""The one HTML module of the media stages: `<picture>` and `<figure>` of photos,
`<figure><video>`, `<audio>`, listing thumbnails, the placeholder of a missing file,
and the structured data that goes with them (ImageObject, VideoObject).

Every value that came from an author or a file name is escaped; URLs go through the
integrator's `url_for`, which knows the site's base path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from markupsafe import escape

from reelpress.media.photo.model import MIME_TYPES, ImageAsset, Rendition
from reelpress.media.records import DEFAULT_SIZES, Thumbnail
from reelpress.media.video.chapters import Chapter, stamp
from reelpress.media.video.hls import HLS_MIME
from reelpress.media.video.plan import Asset, AudioAsset, CaptionTrack, VideoAsset
from reelpress.structured.jsonld import image_object

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


def _chapter_list(chapters: tuple[Chapter, ...], href: str) -> str:
    """Links that seek the player (theme script); without script they open the MP4 there."""
    if not chapters:
        return ""
    items = "".join(
        f'<li><a href="{escape(href)}#t={ch.start:g}" data-seek="{ch.start:g}">'
        f"<span class=\"reelpress-chapters__time\">{stamp(ch.start)}</span> {escape(ch.title)}"
        "</a></li>" for ch in chapters)
    return f'<ol class="reelpress-chapters" aria-label="Chapters">{items}</ol>'


def _figure(kind: str, element_attrs: list[str], asset: Asset, caption: str,
            url_for: Callable[[str], str], attrs: Mapping[str, str], fallback: str) -> str:
    """The figure both video and audio share: sources (the adaptive stream first, then
    the smallest file first, with the author's start time as a media fragment), caption
    and chapter tracks, a download fallback, the chapter list, the caption."""
    if caption.strip():
        element_attrs = [*element_attrs, f'aria-label="{escape(caption)}"']
    fragment = _start_fragment(attrs)
    lines = [_figure_open(kind, attrs), f"<{kind} {' '.join(element_attrs)}>"]
    video = asset if isinstance(asset, VideoAsset) else None
    if video is not None and video.hls:
        # Safari and Chromium 142+ play HLS natively; Firefox skips it for the MP4s below
        lines.append(f'<source src="{escape(url_for(video.hls) + fragment)}"'
                     f' type="{HLS_MIME}">')
    lines += [
        f'<source src="{escape(url_for(r.site_path) + fragment)}" type="{escape(r.mime)}">'
        for r in asset.sources
    ]
    lines += _tracks(asset.tracks, url_for)
    if video is not None and video.chapters_track:
        lines.append(f'<track kind="chapters" src="{escape(url_for(video.chapters_track))}"'
                     ' label="Chapters">')
    lines.append(fallback.format(href=escape(url_for(asset.download))))
    lines.append(f"</{kind}>")
    if video is not None:
        lines.append(_chapter_list(video.chapters, url_for(asset.download)))
    lines += [_caption(caption, attrs.get("credit"), kind), "</figure>"]
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
    page_url: str = "",
) -> dict[str, object]:
    """schema.org VideoObject (no @context: it is meant to sit inside the page's graph);
    chapters become `hasPart` Clips whose `url` is the page at that time (key moments)."""
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
    if asset.chapters and page_url:
        data["hasPart"] = [
            {"@type": "Clip", "name": ch.title, "startOffset": int(ch.start),
             "endOffset": max(int(ch.start) + 1, round(ch.end)),
             "url": f"{page_url}#t={int(ch.start)}"}
            for ch in asset.chapters
        ]
    return data


__all__ = ["audio_html", "iso_duration", "media_html", "video_html", "video_object"]


# --- photos ---------------------------------------------------------------------------

def picture_html(
    asset: ImageAsset,
    alt: str | None,
    url_for: Callable[[str], str],
    *,
    sizes: str = DEFAULT_SIZES,
    hero: bool = False,
    title: str | None = None,
    css_class: str | None = None,
) -> str:
    """`<picture>` with one `<source>` per modern format and a JPEG/PNG `<img>`.

    width/height are the intrinsic size so the browser reserves the box before loading
    (no layout shift); the hero loads eagerly with high priority because it is the
    largest contentful paint, every other photo lazily.
    """
    parts = ["<picture>"]
    for fmt in asset.modern_formats:
        parts.append(
            f'<source type="{MIME_TYPES[fmt]}" '
            f'srcset="{_srcset(asset.renditions_of(fmt), url_for)}" sizes="{escape(sizes)}">'
        )
    fallback = asset.largest_fallback
    attributes = [
        ("src", str(escape(url_for(fallback.path)))),
        ("srcset", _srcset(asset.renditions_of(asset.fallback_format), url_for)),
        ("sizes", str(escape(sizes))),
        ("width", str(asset.width)),
        ("height", str(asset.height)),
        ("alt", str(escape(alt or ""))),
    ]
    if title:
        attributes.append(("title", str(escape(title))))
    if css_class:
        attributes.append(("class", str(escape(css_class))))
    if hero:
        attributes += [("loading", "eager"), ("fetchpriority", "high")]
    else:
        attributes.append(("loading", "lazy"))
    attributes.append(("decoding", "async"))
    parts.append("<img " + " ".join(f'{name}="{value}"' for name, value in attributes) + ">")
    parts.append("</picture>")
    return "".join(parts)


def caption_html(caption: str | None, credit: str | None, *, credit_label: str = "Photo"
                 ) -> str:
    """`<figcaption>` with the caption and the credit, or '' when there is neither. The
    alt text is never repeated here: a screen reader would read it twice."""
    parts = []
    if caption and caption.strip():
        parts.append(f'<span class="caption">{escape(caption.strip())}</span>')
    if credit and credit.strip():
        parts.append(f'<span class="credit">{escape(credit_label)}: '
                     f'{escape(credit.strip())}</span>')
    return f"<figcaption>{' '.join(parts)}</figcaption>" if parts else ""


def figure_html(inner: str, caption: str | None, credit: str | None,
                css_class: str = "photo") -> str:
    return f'<figure class="{escape(css_class)}">{inner}{caption_html(caption, credit)}</figure>'


def photo_object(url: str, asset: ImageAsset, caption: str | None, credit: str | None
                 ) -> dict[str, object] | None:
    """ImageObject JSON-LD of a captioned or credited photo (None: a plain URL will do).
    The author's credit wins; the photo's own IPTC/XMP fill in creator and copyright."""
    own = asset.credit
    if not (caption or credit or own):
        return None
    return image_object(url, caption=caption or (own.caption if own else None), credit=credit,
                        creator=own.creator if own else None,
                        copyright_notice=own.copyright if own else None)


def _srcset(renditions: tuple[Rendition, ...], url_for: Callable[[str], str]) -> str:
    ordered = sorted(renditions, key=lambda r: r.width)
    return str(escape(", ".join(f"{url_for(r.path)} {r.width}w" for r in ordered)))


def thumbnail_html(thumb: Thumbnail | None, link: Callable[[str], str], *, lead: bool,
                   sizes: str) -> str | None:
    """An article's picture on listings: its photo's `<picture>`, else its video poster."""
    if thumb is None:
        return None
    if thumb.photo is not None:
        return picture_html(thumb.photo, thumb.alt, link, sizes=sizes, hero=lead)
    if thumb.poster is None:
        return None
    return (f'<img src="{escape(link(thumb.poster))}" width="{thumb.width}" '
            f'height="{thumb.height}" alt="{escape(thumb.alt)}" '
            f'loading="{"eager" if lead else "lazy"}" decoding="async">')


def missing_html(label: str) -> str:
    """Stands where a media file could not be used (its error fails the build)."""
    return f'<span class="media-missing">{escape(label)}</span>'
