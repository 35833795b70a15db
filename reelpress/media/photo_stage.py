"""The photo stage of a build, shaped like the video stage: requests from pages (hero,
body, YouTube/Vimeo posters), one plan and one run, returned as a frozen record that
makes the `<picture>`/`<figure>` and ImageObject of each reference."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reelpress.content.loader import SourcePage
from reelpress.core.diagnostics import Reporter, error
from reelpress.core.media_names import media_kind
from reelpress.core.urls import UrlScheme
from reelpress.markup.engine import MediaRef, RenderedBody
from reelpress.media.html import figure_html, missing_html, photo_object, picture_html
from reelpress.media.photo import plan as images
from reelpress.media.records import MediaEmbed, MediaRequest, MediaStages, StageRun, Thumbnail

if TYPE_CHECKING:  # imported only with Dask: asyncio and the cluster client
    from reelpress.media.dask_session import DaskSession


@dataclass(frozen=True)
class PhotoResults:
    """Every photo of the build, by the reference that named it."""

    run: StageRun
    plan: images.ImagePlan

    def hero(self, page: SourcePage, link: Callable[[str], str], urls: UrlScheme,
             sizes: str) -> MediaEmbed | None:
        """The front matter's photo, eager and high priority (the largest paint)."""
        meta = page.meta
        photo = self.plan.asset_for(page.source_dir, meta.image) if meta.image else None
        if photo is None:
            return None
        url = urls.absolute(photo.largest_fallback.path)
        picture = picture_html(photo, meta.image_alt, link, hero=True, sizes=sizes)
        credit = meta.image_credit or (photo.credit.line if photo.credit else None)
        return MediaEmbed(html=figure_html(picture, meta.image_caption, credit), image_url=url,
                          image_object=photo_object(url, photo, meta.image_caption, credit),
                          thumbnail=Thumbnail(meta.image_alt or "", photo=photo))

    def card(self, page: SourcePage, urls: UrlScheme) -> str | None:
        """The absolute URL of the page's social card (og:image), if it has one."""
        photo = self.plan.asset_for(page.source_dir, page.meta.image) if page.meta.image \
            else None
        return urls.absolute(photo.social_card) if photo and photo.social_card else None

    def embed(self, page: SourcePage, ref: MediaRef, link: Callable[[str], str],
              urls: UrlScheme, sizes: str) -> MediaEmbed:
        asset = self.plan.asset_for(page.source_dir, ref.src)
        if asset is None:  # its error is already reported; the build will fail
            return MediaEmbed(missing_html(ref.alt or ref.src))
        # standalone: the Markdown title is the caption, `{credit=...}` the credit (the alt
        # text stays alt text only); inline in a sentence there is no room for a caption
        caption = ref.attr("title") if ref.standalone else None
        credit = ref.attr("credit") or (asset.credit.line if asset.credit else None)
        picture = picture_html(asset, ref.alt, link, sizes=sizes,
                               title=None if ref.standalone else ref.attr("title"))
        html = figure_html(picture, caption, credit) if ref.standalone else picture
        url = urls.absolute(asset.largest_fallback.path)
        return MediaEmbed(html, image_url=url,
                          image_object=photo_object(url, asset, caption, credit),
                          thumbnail=Thumbnail(ref.alt, photo=asset))


def photo_requests(pages: Sequence[SourcePage], bodies: Mapping[str, RenderedBody],
                   reporter: Reporter) -> list[MediaRequest]:
    """The front matter's `image:` (it makes the social card), the body's photos, and the
    local posters of YouTube/Vimeo links."""
    requests: list[MediaRequest] = []
    for page in pages:
        meta = page.meta
        if meta.image and media_kind(meta.image) == "image":
            requests.append(MediaRequest(meta.image, page.rel, page.source_dir,
                                         meta.image_line, meta.image_alt, social_card=True))
        elif meta.image:
            reporter.add(error(page.rel, meta.image_line,
                               f"image: {meta.image!r} is not a local photo",
                               "use a .jpg/.png/.webp file under media/, or video: for video"))
        for ref in bodies[page.rel].media:
            if ref.kind == "image":
                requests.append(MediaRequest(ref.src, page.rel, page.source_dir, ref.line,
                                             ref.alt or None))
            elif ref.kind == "platform" and (poster := ref.attr("poster")):
                requests.append(MediaRequest(poster, page.rel, page.source_dir, ref.line))
    return requests


def run_photos(requests: Sequence[MediaRequest], stages: MediaStages, reporter: Reporter,
               remote: DaskSession | None = None) -> PhotoResults:
    """Plan every request, then encode the renditions the cache is missing (on the Dask
    cluster of `remote`, when there is one)."""
    plan = images.plan_images(requests, project=stages.paths, settings=stages.image_settings)
    reporter.extend(plan.diagnostics)
    if plan.jobs:
        result = images.run_image_jobs(plan, max_workers=stages.jobs) if remote is None \
            else remote.run_image_jobs(plan)
        reporter.extend(result.diagnostics)
    sources = frozenset(asset.source for asset in plan.assets.values())
    made = {job.source_label for job in plan.jobs} & sources
    run = StageRun(dict(plan.outputs), processed=len(made), cached=len(sources - made),
                   sources=sources,
                   cache_dir=plan.cache_dir,
                   keep=frozenset(path.name for path in plan.outputs.values()))
    return PhotoResults(run, plan)
