"""The bitrate budget: how many kb/s a picture of a given size may cost a reader, and the
remux-or-encode decision with its reason in words (for the build log and `--explain`).

A web-safe source is copied only when it also fits the budget: an 8 Mb/s 720p phone clip
is web-safe, but a phone on 4G cannot sustain it.
"""

from __future__ import annotations

from dataclasses import dataclass

from reelpress.media.video.ffmpeg import MediaInfo
from reelpress.media.video.recipes import VideoSettings

_REMUX_PROFILES = {"Baseline", "Constrained Baseline", "Main", "High"}


@dataclass(frozen=True)
class EncodeDecision:
    """Remux or re-encode one source, the cap an encode gets, and why, in one line."""

    remux: bool
    kbps: int  # the video budget for the output size (the -maxrate of an encode)
    reason: str


def budget_kbps(settings: VideoSettings, width: int, height: int) -> int:
    """The budget of the smallest rung at least as tall as the picture's short side;
    above the largest rung, that rung's budget scaled by the pixel count."""
    short = min(width, height)
    rungs = settings.budget()
    for rung, kbps in rungs:
        if short <= rung:
            return kbps
    rung, kbps = rungs[-1]
    return round(kbps * (short / rung) ** 2)


def rung_name(width: int, height: int) -> str:
    return f"{min(width, height)}p"


def _not_web_safe(info: MediaInfo, settings: VideoSettings) -> str | None:
    """The first reason a source cannot be copied as is, or None when it can."""
    checks = (
        (not settings.remux, "remux = false in [video]"),
        (info.video_codec != "h264", f"{info.video_codec} is not H.264"),
        (info.video_profile not in _REMUX_PROFILES,
         f"H.264 profile {info.video_profile} does not play everywhere"),
        (info.pix_fmt not in ("yuv420p", "yuvj420p"),
         f"pixel format {info.pix_fmt} is not 8-bit 4:2:0"),
        (info.audio_codec not in (None, "aac"), f"audio {info.audio_codec} is not AAC"),
        (info.rotation % 360 != 0, f"rotated {info.rotation} degrees"),
        (info.sar != (1, 1), f"non-square pixels (SAR {info.sar[0]}:{info.sar[1]})"),
        (min(info.width, info.height) > settings.max_height,
         f"{info.width}x{info.height} is above max_height {settings.max_height}"),
        (info.width % 2 != 0 or info.height % 2 != 0, f"odd size {info.width}x{info.height}"),
        (info.fps > settings.max_fps, f"{info.fps:g} fps is above max_fps {settings.max_fps}"),
    )
    return next((why for failed, why in checks if failed), None)


def decide(info: MediaInfo, settings: VideoSettings, size: tuple[int, int]) -> EncodeDecision:
    """Remux only a web-safe source within the budget of its size; else encode capped."""
    kbps = budget_kbps(settings, *size)
    budget = f"the {rung_name(*size)} budget of {kbps} kb/s"
    unsafe = _not_web_safe(info, settings)
    if unsafe:
        return EncodeDecision(False, kbps, f"re-encoded: {unsafe}; capped at {budget}")
    if not info.video_kbps:
        return EncodeDecision(False, kbps,
                              f"re-encoded: its bitrate is unknown; capped at {budget}")
    if info.video_kbps > kbps:
        return EncodeDecision(
            False, kbps, f"re-encoded: {info.video_kbps} kb/s is over {budget}")
    return EncodeDecision(
        True, kbps, f"remuxed: web-safe H.264 at {info.video_kbps} kb/s, within {budget}")


def can_remux(info: MediaInfo, settings: VideoSettings) -> bool:
    """Already web-safe (8-bit 4:2:0 H.264 + AAC or silent, even, upright) and in budget."""
    size = (info.width, info.height)
    return decide(info, settings, size).remux
