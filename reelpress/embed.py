"""Between Markdown and templates: turn each page's media references into requests for
the photo and video stages, run them, and hand back HTML + structured data per page."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import escape

from .config import SiteConfig
from .content.loader import SourcePage
from .diagnostics import Reporter, error
from .markup.engine import MediaRef, RenderedBody, media_kind
from .media import images
from .model import MediaEmbed, Thumbnail
from .options import BuildOptions
from .output import SiteWriter
from .project import ProjectPaths
from .theme import Theme
from .urls import UrlScheme
from .video_embeds import VideoStage


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

    @classmethod
    def for_build(cls, paths: ProjectPaths, config: SiteConfig, options: BuildOptions,
                  theme: Theme) -> MediaStages:
        return cls(paths, config.images, VideoStage.for_build(paths, config, options),
                   force=options.force, jobs=options.jobs, quiet=options.quiet,
                   body_sizes=theme.sizes_for("body"), hero_sizes=theme.sizes_for("hero"))


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

    def for_page(self, page: SourcePage) -> tuple[MediaEmbed | None, tuple[MediaEmbed, ...]]:
        return self.heroes.get(page.rel), self.bodies.get(page.rel, ())

    def social_image(self, page: SourcePage) -> str | None:
        return self.cards.get(page.rel)

    def publish(self, writer: SiteWriter) -> None:
        for site_path, cached_file in sorted(self.outputs.items()):
            writer.add_file(site_path, cached_file, immutable=True)

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
    """Plan and run every photo and video of the published pages."""
    results = MediaResults(video=stages.video)
    image_requests: list[images.ImageRequest] = []
    for page in pages:
        meta = page.meta
        if meta.image:
            kind = media_kind(meta.image)
            if kind == "image":
                image_requests.append(_image_request(page, meta.image, meta.image_line,
                                                     meta.image_alt, True))
            else:
                reporter.add(error(page.rel, meta.image_line,
                                   f"image: {meta.image!r} is not a local photo",
                                   "use a .jpg/.png/.webp file under media/, or video: for video"))
        for ref in bodies[page.rel].media:
            if ref.kind == "image":
                image_requests.append(_image_request(page, ref.src, ref.line, ref.alt or None,
                                                     False))
    plan = images.plan_images(image_requests, project=stages.paths,
                              settings=stages.image_settings)
    reporter.extend(plan.diagnostics)
    if plan.jobs:
        run = images.run_image_jobs(plan, max_workers=stages.jobs)
        reporter.extend(run.diagnostics)
        results.processed += run.processed
    results.cached += _cached_images(plan)
    results.outputs.update(plan.outputs)
    results.keep_images = set(plan.outputs.values())
    results.image_cache = plan.cache_dir

    video = stages.video
    video.run(pages, bodies, reporter)

    for page in pages:
        meta = page.meta
        page_link = _linker(urls, page.url_path)
        hero: MediaEmbed | None = None
        if meta.video:
            hero = video.embed(page, meta.video, meta.video_caption or "", {}, page_link, urls)
        elif meta.image:
            asset = plan.assets.get((str(page.source_dir), meta.image))
            if asset is not None:
                hero = MediaEmbed(
                    html=_figure(images.picture_html(asset, meta.image_alt, page_link, hero=True,
                                                     sizes=stages.hero_sizes),
                                 None),
                    image_url=urls.absolute(asset.largest_fallback.path),
                    thumbnail=Thumbnail(meta.image_alt or "", photo=asset))
        if meta.image:
            asset = plan.assets.get((str(page.source_dir), meta.image))
            if asset is not None and asset.social_card:
                results.cards[page.rel] = urls.absolute(asset.social_card)
            if hero is not None and hero.image_url is None and asset is not None:
                hero = dataclasses.replace(hero,
                                           image_url=urls.absolute(asset.largest_fallback.path))
        results.heroes[page.rel] = hero
        embeds: list[MediaEmbed] = []
        for ref in bodies[page.rel].media:
            if ref.kind == "image":
                asset = plan.assets.get((str(page.source_dir), ref.src))
                embeds.append(_photo_embed(asset, ref, page_link, urls, stages.body_sizes))
            else:
                embed = video.embed(page, ref.src, ref.alt, dict(ref.attrs), page_link, urls)
                embeds.append(embed or MediaEmbed(_missing(ref)))
        results.bodies[page.rel] = tuple(embeds)
    results.processed += video.encoded
    results.cached += video.cached
    results.outputs.update(video.outputs)
    return results


def _cached_images(plan: images.ImagePlan) -> int:
    scheduled = {job.source_label for job in plan.jobs}
    return sum(1 for asset in plan.assets.values() if asset.source not in scheduled)


def _linker(urls: UrlScheme, page_path: str):  # noqa: ANN202
    return lambda site_path: urls.link(site_path, page_path)


def _figure(inner: str, caption: str | None) -> str:
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="photo">{inner}{caption_html}</figure>'


def _photo_embed(asset: images.ImageAsset | None, ref: MediaRef, page_link, urls: UrlScheme,
                 sizes: str) -> MediaEmbed:  # noqa: ANN001
    if asset is None:  # its error is already reported; the build will fail
        return MediaEmbed(_missing(ref))
    picture = images.picture_html(asset, ref.alt, page_link, title=ref.attr("title"),
                                  sizes=sizes)
    html = _figure(picture, ref.alt) if ref.standalone else picture
    return MediaEmbed(html, image_url=urls.absolute(asset.largest_fallback.path),
                      thumbnail=Thumbnail(ref.alt, photo=asset))


def _missing(ref: MediaRef) -> str:
    return f'<span class="media-missing">{escape(ref.alt or ref.src)}</span>'
