"""Between Markdown and templates: turn each page's media references into requests for
the photo and video stages, run them, and hand back HTML + structured data per page."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import escape

from reelpress.content.loader import SourcePage
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Reporter, error
from reelpress.core.media_names import media_kind
from reelpress.core.options import BuildOptions
from reelpress.core.project import ProjectPaths
from reelpress.core.urls import UrlScheme
from reelpress.markup.engine import MediaRef, RenderedBody
from reelpress.media.dask_session import DaskSession
from reelpress.media.photo import plan as images
from reelpress.media.photo.html import figure_html, photo_object
from reelpress.media.platform_stage import platform_embed, platform_poster_requests
from reelpress.media.records import MediaEmbed, Thumbnail
from reelpress.media.video_stage import VideoStage


@dataclass(frozen=True)
class MediaStages:
    """Settings and caches of the media stages for one build."""

    paths: ProjectPaths
    image_settings: images.ImageSettings
    video: VideoStage
    force: bool = False
    jobs: int | None = None
    quiet: bool = False
    body_sizes: str = "100vw"
    hero_sizes: str = "100vw"
    remote: DaskSession | None = None  # [media] executor = "dask"

    @classmethod
    def for_build(cls, paths: ProjectPaths, config: SiteConfig, options: BuildOptions,
                  sizes: Callable[[str], str]) -> MediaStages:
        """`sizes(role)`: how wide the theme shows a body or hero image."""
        remote = DaskSession.for_build(config.media, options.scheduler)
        return cls(paths, config.images, VideoStage.for_build(paths, config, options, remote),
                   force=options.force, jobs=options.jobs, quiet=options.quiet,
                   body_sizes=sizes("body"), hero_sizes=sizes("hero"), remote=remote)


@dataclass
class MediaResults:
    """Per page: the hero embed, the body embeds (by placeholder index), the social card."""

    heroes: dict[str, MediaEmbed | None] = field(default_factory=dict)
    bodies: dict[str, tuple[MediaEmbed, ...]] = field(default_factory=dict)
    cards: dict[str, str | None] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)
    processed: int = 0
    cached: int = 0
    keep_images: set[Path] = field(default_factory=set)
    image_cache: Path | None = None
    video: VideoStage | None = None
    sources: set[str] = field(default_factory=set)  # project-relative files read
    tools: set[str] = field(default_factory=set)    # binaries used (ffmpeg)

    def for_page(self, page: SourcePage) -> tuple[MediaEmbed | None, tuple[MediaEmbed, ...]]:
        return self.heroes.get(page.rel), self.bodies.get(page.rel, ())

    @property
    def explanations(self) -> tuple[str, ...]:
        """For `--explain`: why each video encoded in this build is what it is."""
        return self.video.explanations if self.video is not None else ()

    def social_image(self, page: SourcePage) -> str | None:
        return self.cards.get(page.rel)

    def prune(self) -> None:
        if self.image_cache is not None:
            images.prune(self.image_cache, self.keep_images)
        if self.video is not None:
            self.video.prune()


def _image_request(page: SourcePage, src: str, line: int | None, alt: str | None,
                   card: bool) -> images.ImageRequest:
    return images.ImageRequest(source_ref=src, article=page.rel, article_dir=page.source_dir,
                               line=line, alt=alt, social_card=card)


def embed_media(pages: Sequence[SourcePage], bodies: dict[str, RenderedBody],
                stages: MediaStages, urls: UrlScheme, reporter: Reporter) -> MediaResults:
    """Plan and run every photo and video of the published pages, then make each page's
    hero and body embeds from the results."""
    results = MediaResults(video=stages.video)
    try:
        plan = _run_photos(pages, bodies, stages, results, reporter)
        video = stages.video
        video.run(pages, bodies, reporter)
    finally:
        if stages.remote is not None:
            stages.remote.close()
    results.processed += video.encoded
    results.cached += video.cached
    results.outputs.update(video.outputs)
    if video.plan_result is not None:
        results.sources.update(video.plan_result.assets)
        results.tools.add(video.plan_result.tool.exe)
    for page in pages:
        link = _linker(urls, page.url_path)
        photo = plan.asset_for(page.source_dir, page.meta.image) if page.meta.image else None
        if photo is not None and photo.social_card:
            results.cards[page.rel] = urls.absolute(photo.social_card)
        results.heroes[page.rel] = _hero(page, photo, stages, link, urls)
        results.bodies[page.rel] = tuple(
            _photo_embed(plan.asset_for(page.source_dir, ref.src), ref, link, urls,
                         stages.body_sizes) if ref.kind == "image" else
            platform_embed(page, ref, plan, link, urls, stages.body_sizes)
            if ref.kind == "platform" else
            video.embed(page, ref.src, ref.alt, dict(ref.attrs), link, urls)
            or MediaEmbed(_missing(ref))
            for ref in bodies[page.rel].media)
    return results


def _run_photos(pages: Sequence[SourcePage], bodies: dict[str, RenderedBody],
                stages: MediaStages, results: MediaResults, reporter: Reporter
                ) -> images.ImagePlan:
    requests: list[images.ImageRequest] = []
    for page in pages:
        meta = page.meta
        if meta.image and media_kind(meta.image) == "image":
            requests.append(_image_request(page, meta.image, meta.image_line, meta.image_alt,
                                           True))
        elif meta.image:
            reporter.add(error(page.rel, meta.image_line,
                               f"image: {meta.image!r} is not a local photo",
                               "use a .jpg/.png/.webp file under media/, or video: for video"))
        requests.extend(_image_request(page, ref.src, ref.line, ref.alt or None, False)
                        for ref in bodies[page.rel].media if ref.kind == "image")
        requests.extend(platform_poster_requests(page, bodies[page.rel].media))
    plan = images.plan_images(requests, project=stages.paths, settings=stages.image_settings)
    reporter.extend(plan.diagnostics)
    if plan.jobs:
        run = images.run_image_jobs(plan, max_workers=stages.jobs) if stages.remote is None \
            else stages.remote.run_image_jobs(plan)
        reporter.extend(run.diagnostics)
        results.processed += run.processed
    results.cached += _cached_images(plan)
    results.outputs.update(plan.outputs)
    results.keep_images = set(plan.outputs.values())
    results.sources.update(asset.source for asset in plan.assets.values())
    results.image_cache = plan.cache_dir
    return plan


def _hero(page: SourcePage, photo: images.ImageAsset | None, stages: MediaStages,
          link, urls: UrlScheme) -> MediaEmbed | None:  # noqa: ANN001
    """The top of the article: the front matter's video (its poster, or the photo when
    there is one, stands for the article's image), else its photo."""
    meta = page.meta
    photo_url = urls.absolute(photo.largest_fallback.path) if photo is not None else None
    if meta.video:
        hero = stages.video.embed(page, meta.video, meta.video_caption or "", {}, link, urls)
        if hero is not None and photo_url is not None:
            hero = dataclasses.replace(hero, image_url=photo_url)
        return hero
    if photo is None or photo_url is None:
        return None
    picture = images.picture_html(photo, meta.image_alt, link, hero=True,
                                  sizes=stages.hero_sizes)
    credit = meta.image_credit or (photo.credit.line if photo.credit else None)
    return MediaEmbed(html=figure_html(picture, meta.image_caption, credit),
                      image_url=photo_url,
                      image_object=photo_object(photo_url, photo, meta.image_caption, credit),
                      thumbnail=Thumbnail(meta.image_alt or "", photo=photo))


def _cached_images(plan: images.ImagePlan) -> int:
    scheduled = {job.source_label for job in plan.jobs}
    return sum(1 for asset in plan.assets.values() if asset.source not in scheduled)


def _linker(urls: UrlScheme, page_path: str):  # noqa: ANN202
    return lambda site_path: urls.link(site_path, page_path)


def _photo_embed(asset: images.ImageAsset | None, ref: MediaRef, page_link, urls: UrlScheme,
                 sizes: str) -> MediaEmbed:  # noqa: ANN001
    if asset is None:  # its error is already reported; the build will fail
        return MediaEmbed(_missing(ref))
    # standalone: the Markdown title is the caption, `{credit=...}` the credit (the alt
    # text stays alt text only); inline in a sentence there is no room for a caption
    caption = ref.attr("title") if ref.standalone else None
    credit = ref.attr("credit") or (asset.credit.line if asset.credit else None)
    picture = images.picture_html(asset, ref.alt, page_link, sizes=sizes,
                                  title=None if ref.standalone else ref.attr("title"))
    html = figure_html(picture, caption, credit) if ref.standalone else picture
    url = urls.absolute(asset.largest_fallback.path)
    return MediaEmbed(html, image_url=url, image_object=photo_object(url, asset, caption, credit),
                      thumbnail=Thumbnail(ref.alt, photo=asset))


def _missing(ref: MediaRef) -> str:
    return f'<span class="media-missing">{escape(ref.alt or ref.src)}</span>'
