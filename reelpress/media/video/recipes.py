"""What to make from a source: settings, output size, remux-or-encode, codecs strings.

Pure functions of (MediaInfo, VideoSettings), so the plan knows every output's
size and `<source type>` before ffmpeg runs; the run then reads the real codecs
string back from each output (see mp4box) in case the encoder chose otherwise.
"""

from __future__ import annotations

import math

from reelpress.core.settings import VideoSettings as VideoSettings  # re-exported
from reelpress.media.video.ffmpeg import MediaInfo

# Bump when a change to commands or naming must invalidate every cached output.
STAGE_VERSION = "media-3"  # 2: VBV caps, probe bitrate, HLS ladders; 3: output_stem names

AAC_CODEC = "mp4a.40.2"  # AAC-LC, what ffmpeg's native aac encoder writes
OPUS_CODEC = "opus"


def _even(value: float) -> int:
    return max(2, int(value) // 2 * 2)


def output_size(info: MediaInfo, max_short_side: int) -> tuple[int, int]:
    """Display size capped on the short side, both sides even, never upscaled."""
    width, height = info.width, info.height
    short = min(width, height)
    if short > max_short_side:
        factor = max_short_side / short
        width, height = round(width * factor), round(height * factor)
    return _even(width), _even(height)


def output_fps(info: MediaInfo, settings: VideoSettings) -> float | None:
    """A frame rate to force when the source exceeds the cap, else None (keep it)."""
    return float(settings.max_fps) if info.fps > settings.max_fps else None


# (level_idc, max macroblocks/s, max frame size in MBs, max DPB in MBs): H.264 Table A-1
_H264_LEVELS = (
    (10, 1485, 99, 396),
    (11, 3000, 396, 900),
    (12, 6000, 396, 2376),
    (13, 11880, 396, 2376),
    (20, 11880, 396, 2376),
    (21, 19800, 792, 4752),
    (22, 20250, 1620, 8100),
    (30, 40500, 1620, 8100),
    (31, 108000, 3600, 18000),
    (32, 216000, 5120, 20480),
    (40, 245760, 8192, 32768),
    (41, 245760, 8192, 32768),
    (42, 522240, 8704, 34816),
    (50, 589824, 22080, 110400),
    (51, 983040, 36864, 184320),
    (52, 2073600, 36864, 184320),
    (60, 4177920, 139264, 696320),
    (61, 8355840, 139264, 696320),
    (62, 16711680, 139264, 696320),
)


def h264_level(width: int, height: int, fps: float, ref_frames: int = 4) -> int:
    """The lowest level libx264 would pick for this size and rate (its auto-level rule)."""
    mb_w, mb_h = math.ceil(width / 16), math.ceil(height / 16)
    frame_mbs = mb_w * mb_h
    for level, max_mbps, max_fs, max_dpb in _H264_LEVELS:
        side_limit = math.sqrt(max_fs * 8)
        if (
            frame_mbs <= max_fs
            and mb_w <= side_limit
            and mb_h <= side_limit
            and frame_mbs * fps <= max_mbps
            and frame_mbs * ref_frames <= max_dpb
        ):
            return level
    return 62


def predicted_h264_codec(width: int, height: int, fps: float) -> str:
    """`avc1.64xxLL` for High profile (constraint flags 0), as libx264 writes it."""
    return f"avc1.6400{h264_level(width, height, fps or 30.0):02X}"


# (seq_level_idx, max picture size, max width, max height, max display rate): AV1 Annex A
_AV1_LEVELS = (
    (0, 147456, 2048, 1152, 4423680),
    (1, 278784, 2816, 1584, 8363520),
    (4, 665856, 4352, 2448, 19975680),
    (5, 1065024, 5504, 3096, 31950720),
    (8, 2359296, 6144, 3456, 70778880),
    (9, 2359296, 6144, 3456, 141557760),
    (12, 8912896, 8192, 4352, 267386880),
    (13, 8912896, 8192, 4352, 534773760),
    (14, 8912896, 8192, 4352, 1069547520),
    (16, 35651584, 16384, 8704, 1069547520),
)


def predicted_av1_codec(width: int, height: int, fps: float) -> str:
    """`av01.0.LLM.08`: Main profile, Main tier, 8-bit, lowest level that fits."""
    pixels = width * height
    for level, max_pic, max_w, max_h, max_rate in _AV1_LEVELS:
        if (
            pixels <= max_pic
            and width <= max_w
            and height <= max_h
            and pixels * (fps or 30) <= max_rate
        ):
            return f"av01.0.{level:02d}M.08"
    return "av01.0.31M.08"


def mime_type(container: str, video_codec: str | None, audio_codec: str | None) -> str:
    """`video/mp4; codecs="avc1.64001F, mp4a.40.2"`."""
    codecs = ", ".join(c for c in (video_codec, audio_codec) if c)
    return f'{container}; codecs="{codecs}"' if codecs else container
