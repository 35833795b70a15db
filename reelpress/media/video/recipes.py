"""What to make from a source: settings, output size, remux-or-encode, codecs strings.

Pure functions of (MediaInfo, VideoSettings), so the plan knows every output's
size and `<source type>` before ffmpeg runs; the run then reads the real codecs
string back from each output (see mp4box) in case the encoder chose otherwise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from reelpress.media.video.ffmpeg import MediaInfo

# Bump when a change to commands or naming must invalidate every cached output.
STAGE_VERSION = "media-2"  # 2: VBV caps, probe bitrate, HLS ladders

AAC_CODEC = "mp4a.40.2"  # AAC-LC, what ffmpeg's native aac encoder writes
OPUS_CODEC = "opus"


@dataclass(frozen=True)
class VideoSettings:
    """The `[video]` table of site.toml, flat so it maps field by field.

    `max_height` caps the *short* side of the displayed picture (720 = 720p for a
    landscape clip and 720x1280 for a portrait one); nothing is ever upscaled.
    """

    max_height: int = 720
    max_fps: int = 60
    crf: int = 23
    preset: str = "veryfast"  # libx264 preset; medium costs ~60% more CPU for ~12% less size
    audio_bitrate_k: int = 128
    remux: bool = True  # copy web-safe H.264/AAC sources instead of re-encoding
    av1: bool = True
    av1_crf: int = 35
    av1_preset: int = 10
    av1_audio: str = "aac"  # "aac" or "opus" inside the AV1 MP4
    opus_bitrate_k: int = 96
    poster_quality: int = 82
    poster_candidates: int = 5
    strip_metadata: bool = True  # drop GPS/device tags from phone footage
    timeout_factor: float = 10.0  # seconds of wall time allowed per second of media
    timeout_min_seconds: float = 120.0
    # The bitrate budget (video kb/s) by the short side of the picture: a source above it
    # is re-encoded, and every encode is capped to it (-maxrate, -bufsize = 2x).
    max_kbps_360: int = 1000
    max_kbps_540: int = 2000
    max_kbps_720: int = 3500
    max_kbps_1080: int = 6000
    av1_min_saving: float = 0.15  # AV1 is published only when this much smaller than H.264
    allow_damaged: bool = False  # publish what decodes of a truncated source (a warning)
    hls: bool = True
    hls_min_seconds: float = 60.0  # longer videos also get an adaptive (HLS) ladder
    hls_heights: tuple[int, ...] = (360, 540, 720)
    hls_segment_seconds: int = 6

    def problems(self) -> list[str]:
        """Values that cannot work, as `field: what is wrong` (for the config stage to report)."""
        found = []
        if self.max_height < 16 or self.max_height % 2:
            found.append("max_height: use an even number of pixels, at least 16 (e.g. 720)")
        if not 0 <= self.crf <= 51:
            found.append("crf: libx264 takes 0-51 (23 is the default, lower is better)")
        if not 0 <= self.av1_crf <= 63:
            found.append("av1_crf: SVT-AV1 takes 0-63 (35 is the default)")
        if not 0 <= self.av1_preset <= 13:
            found.append("av1_preset: SVT-AV1 presets are 0-13 (10 is the default)")
        presets = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
                   "slower", "veryslow")  # fmt: skip
        if self.preset not in presets:
            found.append(f"preset: one of {', '.join(presets)}")
        if self.av1_audio not in ("aac", "opus"):
            found.append("av1_audio: 'aac' or 'opus'")
        if not 1 <= self.poster_quality <= 100:
            found.append("poster_quality: 1-100")
        if self.max_fps < 1 or self.poster_candidates < 1 or self.audio_bitrate_k < 8:
            found.append("max_fps, poster_candidates and audio_bitrate_k must be positive")
        for name, kbps in self.budget():
            if kbps < 50:
                found.append(f"max_kbps_{name}: at least 50 kb/s (the default is "
                             f"{getattr(VideoSettings, f'max_kbps_{name}')})")
        if not 0 <= self.av1_min_saving < 1:
            found.append("av1_min_saving: a fraction from 0 to 0.99 (0.15 = 15 % smaller)")
        if not self.hls_heights or any(h < 16 or h % 2 for h in self.hls_heights):
            found.append("hls_heights: even heights of at least 16, e.g. [360, 540, 720]")
        if not 1 <= self.hls_segment_seconds <= 30:
            found.append("hls_segment_seconds: 1-30 (6 is the default)")
        return found

    def budget(self) -> tuple[tuple[int, int], ...]:
        """(short side, video kb/s) rungs of the bitrate budget, smallest first."""
        return ((360, self.max_kbps_360), (540, self.max_kbps_540),
                (720, self.max_kbps_720), (1080, self.max_kbps_1080))

    def output_fields(self, kind: str) -> dict[str, object]:
        """The settings that change output `kind`: only these go into its cache key."""
        picked = {
            "remux": ("remux", "strip_metadata", "allow_damaged"),
            "h264": (
                "allow_damaged",
                "max_height",
                "max_fps",
                "crf",
                "preset",
                "audio_bitrate_k",
                "remux",
                "strip_metadata",
            ),
            "av1": (
                "max_height",
                "max_fps",
                "av1_crf",
                "av1_preset",
                "av1_audio",
                "audio_bitrate_k",
                "opus_bitrate_k",
                "strip_metadata",
            ),
            "hls": ("crf", "preset", "audio_bitrate_k", "max_fps", "hls_segment_seconds",
                    "strip_metadata"),
            "poster": ("max_height", "poster_quality", "poster_candidates"),
            "m4a": ("audio_bitrate_k", "strip_metadata", "allow_damaged"),
            "opus": ("opus_bitrate_k", "strip_metadata"),
        }[kind]
        values = asdict(self)
        return {name: values[name] for name in picked}


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
