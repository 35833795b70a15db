"""A privacy-safe YouTube/Vimeo embed: a local poster (or the theme's neutral placeholder)
and a play button; the platform's iframe is created by the theme script only when the
reader clicks, so no request leaves the site before that. A `<noscript>` link remains.
"""

from __future__ import annotations

from markupsafe import escape

from reelpress.markup.embeds import PlatformVideo


def facade_html(video: PlatformVideo, caption: str, poster_html: str | None) -> str:
    """`<figure>` with a `<button>` facade; `poster_html` is a local `<picture>` or None."""
    label = caption.strip() or f"{video.name} video"
    inner = poster_html or '<span class="reelpress-facade__placeholder"></span>'
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption.strip() else ""
    return "\n".join(part for part in (
        f'<figure class="reelpress-embed reelpress-embed--{video.platform}">',
        f'<button type="button" class="reelpress-facade" data-embed-src="{escape(video.embed_url)}"'
        f' data-embed-title="{escape(label)}"'
        f' aria-label="{escape(f"Play: {label} (loads {video.name})")}">',
        inner,
        '<span class="reelpress-facade__play" aria-hidden="true"></span>',
        "</button>",
        f'<noscript><a href="{escape(video.watch_url)}">Watch &#8220;{escape(label)}&#8221;'
        f" on {video.name}</a></noscript>",
        caption_html,
        "</figure>",
    ) if part)


def link_html(video: PlatformVideo, caption: str) -> str:
    """Inside a sentence a figure cannot go: a plain link to the platform's page."""
    return f'<a href="{escape(video.watch_url)}">{escape(caption.strip() or video.watch_url)}</a>'


def facade_video_object(video: PlatformVideo, *, name: str, description: str,
                        upload_date_iso: str, thumbnail_url: str | None) -> dict[str, object]:
    """VideoObject for the platform video: `embedUrl` is the player, never the page."""
    data: dict[str, object] = {
        "@type": "VideoObject",
        "name": name,
        "description": description or name,
        "uploadDate": upload_date_iso,
        "embedUrl": video.embed_url.replace("?autoplay=1&", "?").replace("?autoplay=1", ""),
        "url": video.watch_url,
    }
    if thumbnail_url:
        data["thumbnailUrl"] = [thumbnail_url]
    return data
