"""ffmpeg argument lists, built with ffmpeg-python and never passed through a shell.

Every function is pure: paths in, `list[str]` out, so tests can assert flags
without running anything. Paths are absolute, so a file named `-x.mp4` is never
read as an option.
"""

from __future__ import annotations

from pathlib import Path

import ffmpeg

from reelpress.media.video.ffmpeg import MediaInfo
from reelpress.media.video.recipes import VideoSettings, output_fps

# -progress pipe:1 gives machine-readable key=value progress on stdout;
# -nostats keeps stderr for real complaints only.
_GLOBAL = ("-hide_banner", "-nostdin", "-loglevel", "error", "-progress", "pipe:1", "-nostats")


def _finish(stream: ffmpeg.nodes.OutputStream, exe: str) -> list[str]:
    return list(stream.global_args(*_GLOBAL).overwrite_output().compile(cmd=exe))


def _metadata(settings: VideoSettings) -> dict[str, object]:
    # Phone footage carries GPS position and device tags: a newsroom should not publish them.
    return {"map_metadata": -1, "map_chapters": -1} if settings.strip_metadata else {}


def _vbv(kbps: int) -> dict[str, object]:
    # CRF with a VBV cap: quality-driven, but never more than the budget over any 2 s
    # window, so a noisy scene cannot spike past what a phone on 4G sustains.
    return {"maxrate": f"{kbps}k", "bufsize": f"{2 * kbps}k"} if kbps else {}


def _scaled_video(source: ffmpeg.nodes.FilterableStream, size: tuple[int, int], fps: float | None):
    # ffmpeg auto-rotates while decoding, so `size` is the display size; setsar=1 squares pixels.
    video = source.video.filter("scale", size[0], size[1]).filter("setsar", "1")
    if fps:
        video = video.filter("fps", fps)
    return video


def _aac(settings: VideoSettings) -> dict[str, object]:
    return {"acodec": "aac", "b:a": f"{settings.audio_bitrate_k}k"}


def _encode_command(exe: str, src: Path, out: Path, info: MediaInfo, settings: VideoSettings,
                    size: tuple[int, int], codec: dict[str, object],
                    audio: dict[str, object]) -> list[str]:
    """A scaled, square-pixel 4:2:0 MP4 with moov first (+faststart), so playback starts
    at once; `codec` is the video encoder's options, `audio` the audio track's if any."""
    source = ffmpeg.input(str(src))
    video = _scaled_video(source, size, output_fps(info, settings))
    streams = [video] + ([source["a:0"]] if info.has_audio else [])
    output = ffmpeg.output(
        *streams,
        str(out),
        format="mp4",
        **codec,
        pix_fmt="yuv420p",
        movflags="+faststart",
        **(audio if info.has_audio else {}),
        **_metadata(settings),
    )
    return _finish(output, exe)


def h264_command(
    exe: str,
    src: Path,
    out: Path,
    info: MediaInfo,
    settings: VideoSettings,
    size: tuple[int, int],
    kbps: int = 0,
) -> list[str]:
    """H.264 High 4:2:0 8-bit + AAC; x264's thread count comes from the recipe, since its
    output bytes depend on it."""
    codec = {"vcodec": "libx264", "preset": settings.preset, "crf": settings.crf,
             **_vbv(kbps), "profile:v": "high", "threads": settings.x264_threads}
    return _encode_command(exe, src, out, info, settings, size, codec, _aac(settings))


def remux_command(
    exe: str, src: Path, out: Path, info: MediaInfo, settings: VideoSettings
) -> list[str]:
    """Copy the streams into a faststart MP4: about 280x realtime, no quality loss."""
    source = ffmpeg.input(str(src))
    streams = [source["v:0"]] + ([source["a:0"]] if info.has_audio else [])
    output = ffmpeg.output(
        *streams, str(out), format="mp4", c="copy", movflags="+faststart", **_metadata(settings)
    )
    return _finish(output, exe)


def av1_command(
    exe: str,
    src: Path,
    out: Path,
    info: MediaInfo,
    settings: VideoSettings,
    size: tuple[int, int],
    threads: int,
    kbps: int = 0,
) -> list[str]:
    """SVT-AV1 in MP4: often smaller than H.264 at similar quality (published only if so)."""
    codec = {"vcodec": "libsvtav1", "preset": settings.av1_preset, "crf": settings.av1_crf,
             **_vbv(kbps),  # SVT-AV1 turns CRF + maxrate into its "capped CRF" mode
             "threads": threads, "svtav1-params": f"lp={threads}"}
    opus: dict[str, object] = {"acodec": "libopus", "b:a": f"{settings.opus_bitrate_k}k"}
    audio = opus if settings.av1_audio == "opus" else _aac(settings)
    return _encode_command(exe, src, out, info, settings, size, codec, audio)


def audio_command(exe: str, src: Path, out: Path, kind: str, settings: VideoSettings) -> list[str]:
    """AAC in .m4a (kind 'm4a') or Opus in WebM (kind 'opus'); cover art dropped."""
    source = ffmpeg.input(str(src))
    if kind == "m4a":
        options: dict[str, object] = {"format": "mp4", **_aac(settings), "movflags": "+faststart"}
    else:
        # bitexact: the Matroska muxer otherwise writes random UIDs, so two runs (or two
        # machines) would make different bytes under the same content-addressed name
        options = {"format": "webm", "acodec": "libopus", "b:a": f"{settings.opus_bitrate_k}k",
                   "fflags": "+bitexact"}
    output = ffmpeg.output(source["a:0"], str(out), **options, **_metadata(settings))
    return _finish(output, exe)


def frame_sample_command(exe: str, src: Path, at: float, size: tuple[int, int]) -> list[str]:
    """One small grey frame at `at` seconds as raw bytes on stdout, to score poster candidates."""
    source = ffmpeg.input(str(src), ss=f"{at:.3f}")
    output = (
        source.video.filter("scale", size[0], size[1])
        .filter("format", "gray")
        .output("pipe:1", format="rawvideo", vframes=1)
    )
    return list(
        output.global_args("-hide_banner", "-nostdin", "-loglevel", "error").compile(cmd=exe)
    )


def poster_command(
    exe: str,
    src: Path,
    webp_out: Path,
    jpeg_out: Path,
    at: float,
    size: tuple[int, int],
    quality: int,
) -> list[str]:
    """The frame at `at` as WebP and JPEG at the video's output size, in one decode."""
    # -ss before -i seeks by keyframe index, then decodes to the exact time: fast and exact.
    source = ffmpeg.input(str(src), ss=f"{at:.3f}")
    frame = source.video.filter("scale", size[0], size[1]).filter("setsar", "1").split()
    jpeg_q = max(2, min(31, round(31 - quality * 29 / 100)))  # mjpeg qscale: 2 best .. 31 worst
    webp = frame[0].output(
        str(webp_out), format="webp", vcodec="libwebp", quality=quality, vframes=1
    )
    jpeg = frame[1].output(
        str(jpeg_out),
        format="image2",
        vcodec="mjpeg",
        pix_fmt="yuvj420p",
        **{"q:v": jpeg_q},
        vframes=1,
        update=1,
    )
    return _finish(ffmpeg.merge_outputs(webp, jpeg), exe)
