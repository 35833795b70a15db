"""The schemas of site.toml's stage tables ([video], [images], [check], [search], [media]):
plain frozen records that config validates and the stages read, so the config layer
needs no stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


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
    # x264's bytes depend on its thread count (SVT-AV1's do not): a fixed part of the
    # recipe, so an output is the same on any machine, pool size or Dask worker.
    x264_threads: int = 2
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
        if not 1 <= self.x264_threads <= 16:
            found.append("x264_threads: 1-16 (part of the H.264 recipe; 2 is the default)")
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
                "x264_threads",
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
            "hls": ("crf", "preset", "x264_threads", "audio_bitrate_k", "max_fps",
                    "hls_segment_seconds", "strip_metadata"),
            "poster": ("max_height", "poster_quality", "poster_candidates"),
            "m4a": ("audio_bitrate_k", "strip_metadata", "allow_damaged"),
            "opus": ("opus_bitrate_k", "strip_metadata"),
        }[kind]
        values = asdict(self)
        return {name: values[name] for name in picked}


@dataclass(frozen=True)
class ImageSettings:
    """The `[images]` table of site.toml; flat plain-typed fields so config maps it by name."""

    widths: tuple[int, ...] = (480, 800, 1200, 1600)
    avif: bool = True
    webp: bool = True
    jpeg_quality: int = 82
    webp_quality: int = 80
    avif_quality: int = 60
    # libavif speed 0 (slowest, smallest) .. 10; 7 is about 6x faster than 6 for ~3% size.
    avif_speed: int = 7
    card_width: int = 1200
    card_height: int = 630
    card_quality: int = 85
    output_dir: str = "media"

    def problems(self) -> tuple[tuple[str, str], ...]:
        """(field, message) for each value that cannot work; empty when all is fine."""
        found: list[tuple[str, str]] = []
        if not self.widths:
            found.append(("widths", "needs at least one width, e.g. [480, 800, 1200]"))
        for width in self.widths:
            if not isinstance(width, int) or isinstance(width, bool) or not 16 <= width <= 8192:
                found.append(("widths", f"{width!r} is not a width between 16 and 8192"))
        for name in ("jpeg_quality", "webp_quality", "avif_quality", "card_quality"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
                found.append((name, f"expected a whole number from 1 to 100, got {value!r}"))
        if not isinstance(self.avif_speed, int) or not 0 <= self.avif_speed <= 10:
            found.append(("avif_speed", f"expected 0..10, got {self.avif_speed!r}"))
        for name in ("card_width", "card_height"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 16 <= value <= 4096:
                found.append((name, f"expected a size in pixels (16..4096), got {value!r}"))
        out = self.output_dir
        if not out or out.startswith("/") or ".." in out.split("/") or "\\" in out:
            found.append(("output_dir", f"expected a relative folder such as 'media', got {out!r}"))
        return tuple(found)

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class CheckSettings:
    """The `[check]` table of site.toml."""

    page_weight_kb: int = 800  # first-load bytes of one page (HTML + CSS + JS + images)
    structured_data: bool = True

    def problems(self) -> list[str]:
        return ["page_weight_kb: at least 10"] if self.page_weight_kb < 10 else []


@dataclass(frozen=True)
class SearchSettings:
    """`[search]` of site.toml."""

    enabled: bool = True
    command: str | None = None  # the pagefind executable; default: the wheel's, then PATH

    def problems(self) -> list[str]:
        return []


@dataclass(frozen=True)
class ExecutorSettings:
    """The `[media]` table of site.toml: where media jobs run (media/executors.py)."""

    executor: str = "local"  # "local": this machine's pool; "dask": a Dask cluster
    scheduler: str = ""  # tcp://host:8786; REELPRESS_DASK_SCHEDULER and --scheduler win
    transfer: str = "bytes"  # "bytes": sources travel with the job; "shared": same paths (NFS)
    max_transfer_mb: float = 2048.0  # a larger source is refused rather than sent
    resource: str = "ENCODE"  # each job holds one unit of this worker resource ("" = none)
    retries: int = 2  # extra tries of a job whose worker raised (a dead worker always retries)
    connect_timeout: float = 5.0  # seconds to reach the scheduler and see a worker

    def problems(self) -> list[str]:
        found = []
        if self.executor not in ("local", "dask"):
            found.append("executor: 'local' (this machine) or 'dask' (a Dask cluster)")
        if self.transfer not in ("bytes", "shared"):
            found.append("transfer: 'bytes' (send sources to workers) or 'shared' (every "
                         "worker sees the project at the same path)")
        if self.max_transfer_mb <= 0:
            found.append("max_transfer_mb: a positive number of megabytes")
        if self.retries < 0:
            found.append("retries: 0 or more")
        if self.connect_timeout <= 0:
            found.append("connect_timeout: a positive number of seconds")
        return found
