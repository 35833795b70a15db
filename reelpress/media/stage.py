"""Between Markdown and templates: each page's media references become requests for
the photo and the video stage; both run, then each page gets its hero, body embeds and
social card from their frozen results."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reelpress.content.loader import SourcePage
from reelpress.core.diagnostics import Reporter
from reelpress.core.urls import UrlScheme
from reelpress.markup.engine import RenderedBody
from reelpress.media.executors import choose_executor
from reelpress.media.html import missing_html
from reelpress.media.photo_stage import PhotoResults, photo_requests, run_photos
from reelpress.media.platform_stage import platform_embed
from reelpress.media.records import MediaEmbed, MediaStages, StageRun
from reelpress.media.video_stage import VideoResults, run_videos, video_requests

if TYPE_CHECKING:
    from reelpress.media.dask_session import DaskSession

__all__ = ["MediaResults", "MediaStages", "embed_media"]


@dataclass(frozen=True)
class MediaResults:
    """Per page: the hero embed, the body embeds (by placeholder index), the social card;
    and what the stages did (one StageRun each)."""

    heroes: Mapping[str, MediaEmbed | None]
    bodies: Mapping[str, tuple[MediaEmbed, ...]]
    cards: Mapping[str, str | None]
    runs: tuple[StageRun, ...]

    def for_page(self, page: SourcePage) -> tuple[MediaEmbed | None, tuple[MediaEmbed, ...]]:
        return self.heroes.get(page.rel), self.bodies.get(page.rel, ())

    @property
    def explanations(self) -> tuple[str, ...]:
        """For `--explain`: why each video encoded in this build is what it is."""
        return tuple(note for run in self.runs for note in run.explanations)

    def social_image(self, page: SourcePage) -> str | None:
        return self.cards.get(page.rel)

    @property
    def outputs(self) -> dict[str, Path]:
        return {site_path: path for run in self.runs for site_path, path in run.outputs.items()}

    @property
    def processed(self) -> int:
        return sum(run.processed for run in self.runs)

    @property
    def cached(self) -> int:
        return sum(run.cached for run in self.runs)

    @property
    def sources(self) -> frozenset[str]:
        return frozenset().union(*(run.sources for run in self.runs))

    @property
    def tools(self) -> frozenset[str]:
        return frozenset().union(*(run.tools for run in self.runs))

    def prune(self) -> None:
        for run in self.runs:
            run.prune()


def _remote(stages: MediaStages) -> DaskSession | None:
    """A Dask session when site.toml, the environment or --scheduler ask for one ([media]
    executor); its module (asyncio, the cluster client) is imported only then."""
    if not choose_executor(stages.executor, stages.scheduler, os.environ).is_dask:
        return None
    from reelpress.media.dask_session import DaskSession
    return DaskSession.for_build(stages.executor, stages.scheduler)


def embed_media(pages: Sequence[SourcePage], bodies: Mapping[str, RenderedBody],
                stages: MediaStages, urls: UrlScheme, reporter: Reporter) -> MediaResults:
    """Plan and run every photo and video of the published pages, then make each page's
    hero and body embeds from the results."""
    remote = _remote(stages)
    try:
        photos = run_photos(photo_requests(pages, bodies, reporter), stages, reporter, remote)
        videos = run_videos(video_requests(pages, bodies, reporter), stages, reporter, remote)
    finally:
        if remote is not None:
            remote.close()
    heroes: dict[str, MediaEmbed | None] = {}
    embeds: dict[str, tuple[MediaEmbed, ...]] = {}
    cards: dict[str, str | None] = {}
    for page in pages:
        def link(site_path: str, page_path: str = page.url_path) -> str:
            return urls.link(site_path, page_path)

        cards[page.rel] = photos.card(page, urls)
        heroes[page.rel] = _hero(page, photos, videos, stages, link, urls)
        embeds[page.rel] = tuple(
            photos.embed(page, ref, link, urls, stages.body_sizes) if ref.kind == "image" else
            platform_embed(page, ref, photos.plan, link, urls, stages.body_sizes)
            if ref.kind == "platform" else
            videos.embed(page, ref.src, ref.alt, dict(ref.attrs), link, urls)
            or MediaEmbed(missing_html(ref.alt or ref.src))
            for ref in bodies[page.rel].media)
    return MediaResults(heroes, embeds, cards, (photos.run, videos.run))


def _hero(page: SourcePage, photos: PhotoResults, videos: VideoResults, stages: MediaStages,
          link, urls: UrlScheme) -> MediaEmbed | None:  # noqa: ANN001
    """The top of the article: the front matter's video (its poster, or the photo when
    there is one, stands for the article's image), else its photo."""
    photo = photos.hero(page, link, urls, stages.hero_sizes)
    if not page.meta.video:
        return photo
    credit = {"credit": page.meta.video_credit} if page.meta.video_credit else {}
    hero = videos.embed(page, page.meta.video, page.meta.video_caption or "", credit, link,
                        urls)
    if hero is not None and photo is not None:
        hero = dataclasses.replace(hero, image_url=photo.image_url)
    return hero
