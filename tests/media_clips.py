"""Small real clips made with ffmpeg's lavfi sources, shared by media tests (and browser tests).

Kept tiny (320x240 or 640x360, 1-2 s) because testsrc2 is single-thread bound.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(*args: str) -> None:
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args],
        check=True,
        capture_output=True,
    )


def make_clip(
    path: Path,
    *,
    size: str = "320x240",
    duration: float = 1.0,
    rate: int = 25,
    audio: bool = True,
    vcodec: str = "libx264",
    pix_fmt: str = "yuv420p",
    extra: tuple[str, ...] = ("-preset", "ultrafast"),
    faststart: bool = False,
    noise: int = 0,
) -> Path:
    """A testsrc2 clip (moving pattern, never black) with an optional 440 Hz tone.

    On the bare pattern SVT-AV1 loses to x264 (about 1.5x the bytes); with `noise=10`
    (light grain) AV1 wins by about half: the two cases of "AV1 earns its bytes"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    grain = f",noise=alls={noise}:allf=t" if noise else ""
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={duration}{grain}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={duration}"]
    codecs = ["-c:v", vcodec, "-pix_fmt", pix_fmt, *extra]
    if audio:
        codecs += ["-c:a", "aac", "-b:a", "64k"]
    if faststart:
        codecs += ["-movflags", "+faststart"]
    run_ffmpeg(*inputs, *codecs, str(path))
    return path


def make_rotated(path: Path, source: Path, degrees: int = 90) -> Path:
    """A phone-style clip: stored landscape, display matrix says rotate (ffmpeg 6+ syntax)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg("-display_rotation", str(degrees), "-i", str(source), "-c", "copy", str(path))
    return path


def make_audio(path: Path, *, duration: float = 1.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg("-f", "lavfi", "-i", f"sine=frequency=330:duration={duration}", str(path))
    return path


def make_black_then_pattern(path: Path, *, black_seconds: float = 1.0) -> Path:
    """Black frames followed by the pattern: a poster picker must not choose black."""
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        "-f", "lavfi", "-i", f"color=black:size=320x240:rate=25:duration={black_seconds}",
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=0.6",
        "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path),
    )  # fmt: skip
    return path


def truncate(path: Path, source: Path, keep_fraction: float = 0.5) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep_fraction)])
    return path


def unsupported_codec(path: Path, source: Path) -> Path:
    """Rename the sample entry fourcc so no decoder matches ('avc1' -> 'zzzz')."""
    data = source.read_bytes()
    marker = data.find(b"avc1\x00\x00\x00\x00\x00\x00\x00\x01")
    assert marker > 0, "no avc1 sample entry found"
    path.write_bytes(data[:marker] + b"zzzz" + data[marker + 4 :])
    return path
