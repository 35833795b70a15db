"""The media stage: video and audio through ffmpeg (photos live in `images`).

Plan, then run:
    tool = find_ffmpeg(config.ffmpeg)
    plan = plan_media(requests, project=project, settings=VideoSettings(...), tool=tool)
    ... render pages with plan.asset_for(article_dir, ref) and video_html / video_object ...
    result = run_media_jobs(plan)
    prune(media_cache_dir(project), set(plan.outputs))
"""

from __future__ import annotations

from pathlib import Path

from reelpress.core.project import ProjectPaths
from reelpress.media.cache import prune
from reelpress.media.html import audio_html, iso_duration, media_html, video_html, video_object
from reelpress.media.video.ffmpeg import (
    FFmpegLocator,
    FFmpegNotFound,
    FFmpegTool,
    MediaInfo,
    ProbeError,
    find_ffmpeg,
)
from reelpress.media.video.jobs import MediaRunResult, run_media_jobs
from reelpress.media.video.plan import (
    Asset,
    AudioAsset,
    CaptionTrack,
    MediaJob,
    MediaPlan,
    MediaRequest,
    Rendition,
    VideoAsset,
    plan_media,
)
from reelpress.media.video.recipes import STAGE_VERSION, VideoSettings


def media_cache_dir(project: ProjectPaths) -> Path:
    """Where video/audio outputs are cached (photos use a sibling `images/`)."""
    return project.cache_dir / "media"


__all__ = [
    "STAGE_VERSION",
    "Asset",
    "AudioAsset",
    "CaptionTrack",
    "FFmpegLocator",
    "FFmpegNotFound",
    "FFmpegTool",
    "MediaInfo",
    "MediaJob",
    "MediaPlan",
    "MediaRequest",
    "MediaRunResult",
    "ProbeError",
    "Rendition",
    "VideoAsset",
    "VideoSettings",
    "audio_html",
    "find_ffmpeg",
    "iso_duration",
    "media_cache_dir",
    "media_html",
    "plan_media",
    "prune",
    "run_media_jobs",
    "video_html",
    "video_object",
]
