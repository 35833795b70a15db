"""Adapter for YouTube/Vimeo links in article bodies: the local poster goes through the
photo stage (`poster=media/x.jpg`, requested by `photo_stage`), then each link becomes a
click-to-load facade with a VideoObject. Kept apart from `stage` so that module only
dispatches."""

from __future__ import annotations

from collections.abc import Callable

from reelpress.content.loader import SourcePage
from reelpress.core.urls import UrlScheme
from reelpress.markup.embeds import platform_video
from reelpress.markup.engine import MediaRef
from reelpress.media.facade import facade_html, facade_video_object, link_html
from reelpress.media.html import picture_html
from reelpress.media.photo import plan as images
from reelpress.media.records import MediaEmbed, Thumbnail
from reelpress.structured.jsonld import iso


def platform_embed(page: SourcePage, ref: MediaRef, plan: images.ImagePlan,
                   link: Callable[[str], str], urls: UrlScheme, sizes: str) -> MediaEmbed:
    video = platform_video(ref.src)
    assert video is not None  # the Markdown stage only marks links it recognised
    if not ref.standalone:
        return MediaEmbed(link_html(video, ref.alt))
    poster_ref = ref.attr("poster")
    poster = plan.asset_for(page.source_dir, poster_ref) if poster_ref else None
    picture = picture_html(poster, "", link, sizes=sizes) if poster else None
    thumbnail_url = urls.absolute(poster.largest_fallback.path) if poster else None
    name = ref.alt or page.meta.title
    data = facade_video_object(
        video, name=name, description=page.meta.description or page.meta.summary or name,
        upload_date_iso=iso(page.meta.updated or page.meta.date), thumbnail_url=thumbnail_url)
    return MediaEmbed(facade_html(video, ref.alt, picture), video_object=data,
                      image_url=thumbnail_url,
                      thumbnail=Thumbnail(name, photo=poster) if poster else None)
