"""Find a usable ffmpeg and describe media files with it (ffprobe optional).

The imageio-ffmpeg wheel ships ffmpeg without ffprobe, so probing parses the stream
summary `ffmpeg -hide_banner -i FILE` prints on stderr; an ffprobe next to the
chosen ffmpeg is used (JSON) when it exists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

MIN_PATH_FFMPEG_MAJOR = 6  # older builds lack -display_rotation and have a slow SVT-AV1
PROBE_TIMEOUT_SECONDS = 30.0


class FFmpegNotFound(RuntimeError):
    """No usable ffmpeg: the message says which candidates were tried."""


class ProbeError(ValueError):
    """A file ffmpeg cannot use; `summary` is one line fit for a Diagnostic."""

    def __init__(self, summary: str):
        super().__init__(summary)
        self.summary = summary


@dataclass(frozen=True)
class FFmpegTool:
    """The ffmpeg a build uses; `version` is part of every cache key."""

    exe: str
    ffprobe: str | None
    version: str
    source: str  # "configured", "env REELPRESS_FFMPEG", "PATH", "imageio-ffmpeg"
    has_svtav1: bool
    has_libx264: bool = True
    has_libopus: bool = True

    def describe(self) -> str:
        """One line for `--version`."""
        extras = ["libsvtav1" if self.has_svtav1 else "no libsvtav1"]
        extras.append("ffprobe" if self.ffprobe else "no ffprobe")
        return f"ffmpeg {self.version} ({self.source}: {self.exe}; {', '.join(extras)})"


@dataclass(frozen=True)
class MediaInfo:
    """What a build needs to know about one file. width/height are the *display* size."""

    duration: float
    width: int
    height: int
    fps: float
    video_codec: str | None
    video_profile: str | None
    pix_fmt: str | None
    audio_codec: str | None
    has_audio: bool
    rotation: int  # degrees, as the container's display matrix says (0, 90, -90, 180)
    stored_width: int = 0
    stored_height: int = 0
    sar: tuple[int, int] = (1, 1)
    video_kbps: int = 0  # the video stream's average bitrate; 0 when the file does not say

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None


def _run_capture(args: list[str], timeout: float = PROBE_TIMEOUT_SECONDS) -> tuple[int, str, str]:
    proc = subprocess.run(
        args, capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout, check=False
    )
    return (
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def _inspect(exe: str, source: str) -> FFmpegTool | None:
    """Ask an ffmpeg binary its version and encoders; None when it does not run."""
    try:
        code, out, _ = _run_capture([exe, "-hide_banner", "-version"])
        if code != 0:
            return None
        _, encoders, _ = _run_capture([exe, "-hide_banner", "-encoders"])
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"ffmpeg version (\S+)", out)
    version = match.group(1) if match else "unknown"
    names = set(re.findall(r"^\s*[VAS.][A-Z.]{5}\s+(\S+)", encoders, flags=re.MULTILINE))
    ffprobe = _sibling_ffprobe(exe)
    return FFmpegTool(
        exe=exe,
        ffprobe=ffprobe,
        version=version,
        source=source,
        has_svtav1="libsvtav1" in names,
        has_libx264="libx264" in names,
        has_libopus="libopus" in names,
    )


def _sibling_ffprobe(exe: str) -> str | None:
    candidate = Path(exe).with_name("ffprobe")
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return None


def _major(version: str) -> int | None:
    match = re.match(r"n?(\d+)\.", version)
    return int(match.group(1)) if match else None


def _web_ready(tool: FFmpegTool) -> bool:
    major = _major(tool.version)
    new_enough = major is None or major >= MIN_PATH_FFMPEG_MAJOR  # git builds: trust them
    return new_enough and tool.has_libx264


def find_ffmpeg(
    configured: str | None = None, *, environ: dict[str, str] | None = None
) -> FFmpegTool:
    """The configured path, else $REELPRESS_FFMPEG, else a capable ffmpeg on PATH,
    else the imageio-ffmpeg wheel's binary. Raises FFmpegNotFound with what was tried."""
    env = os.environ if environ is None else environ
    tried: list[str] = []
    for path, source in (
        (configured, "configured"),
        (env.get("REELPRESS_FFMPEG"), "env REELPRESS_FFMPEG"),
    ):
        if path:
            tool = _inspect(path, source)
            if tool is None:
                raise FFmpegNotFound(f"{source} ffmpeg {path!r} does not run")
            return tool
    on_path = shutil.which("ffmpeg", path=env.get("PATH"))
    if on_path:
        tool = _inspect(on_path, "PATH")
        if tool is not None and _web_ready(tool):
            return tool
        tried.append(f"{on_path} (too old or without libx264)")
    try:
        import imageio_ffmpeg

        wheel_exe = imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        tried.append(f"imageio-ffmpeg ({exc})")
    else:
        tool = _inspect(wheel_exe, "imageio-ffmpeg")
        if tool is not None:
            return tool
        tried.append(f"{wheel_exe} (does not run)")
    raise FFmpegNotFound("no usable ffmpeg; tried " + "; ".join(tried or ["nothing"]))


@dataclass
class FFmpegLocator:
    """Explicit per-process cache of discovery (no module global): hold one per build session."""

    _found: dict[str | None, FFmpegTool] = field(default_factory=dict)

    def get(self, configured: str | None = None) -> FFmpegTool:
        if configured not in self._found:
            self._found[configured] = find_ffmpeg(configured)
        return self._found[configured]


# --- probing ---------------------------------------------------------------------------------

_PREFIX = re.compile(r"^\[[^\]]*@ 0x[0-9a-f]+\]\s*")
_NOISE = (
    "At least one output file must be specified",
    "Error opening input files",
    "Error opening input file ",
    "Consider increasing the value",
    "detected only with low score",
)


def summarize_stderr(stderr: str, limit: int = 2) -> str:
    """Reduce ffmpeg's complaint to one line: the distinct specific messages, in order."""
    picked: list[str] = []
    for raw in stderr.splitlines():
        line = _PREFIX.sub("", raw.strip()).rstrip(".")
        line = re.sub(r"^Error opening input:\s*", "", line)
        if not line or line.startswith(("Input #", "Stream #", "Metadata", "Duration")):
            continue
        if any(noise in line for noise in _NOISE) or line in picked:
            continue
        if raw.startswith(" "):  # indented lines are the stream summary, not complaints
            continue
        picked.append(line)
    return "; ".join(picked[:limit]) or "ffmpeg could not read the file"


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _rate(token: str) -> float:
    number = token.rstrip("k")
    return float(number) * (1000 if token.endswith("k") else 1)


def parse_ffmpeg_info(stderr: str) -> MediaInfo:
    """Parse the stream summary of `ffmpeg -i`; raises ProbeError for unusable files."""
    if "Input #" not in stderr:
        raise ProbeError(summarize_stderr(stderr))
    duration = 0.0
    match = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", stderr)
    if match:
        hours, minutes, seconds = match.groups()
        duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    total = re.search(r"Duration: .*?, bitrate: (\d+) kb/s", stderr)
    total_kbps = int(total.group(1)) if total else 0
    video: dict[str, object] | None = None
    audio_codec: str | None = None
    rotation = 0
    in_video = False
    for line in stderr.splitlines():
        stream = re.match(r"\s*Stream #\d+:\d+.*?: (Video|Audio|Subtitle|Data): (.*)", line)
        if stream:
            kind, rest = stream.groups()
            in_video = False
            if kind == "Audio" and audio_codec is None:
                audio_codec = rest.split()[0].rstrip(",")
            elif kind == "Video" and video is None and "(attached pic)" not in rest:
                video = _parse_video(rest)
                in_video = True
            continue
        rot = re.search(r"(?:displaymatrix|Display Matrix): rotation of (-?[\d.]+) degrees", line)
        if rot and in_video:
            rotation = round(float(rot.group(1)))
    if video is None and audio_codec is None:
        raise ProbeError("no video or audio stream found")
    if video is not None and video["codec"] == "none":
        raise ProbeError(f"unsupported video codec {video.get('fourcc') or 'unknown'!s}")
    if video is not None and not video["kbps"]:
        video["kbps"] = total_kbps  # MKV/WebM often name only the container's rate
    return _info(duration, video, audio_codec, rotation)


def _parse_video(rest: str) -> dict[str, object]:
    fields = _split_top(rest)
    head = fields[0]
    codec = head.split()[0]
    groups = re.findall(r"\(([^()]*)\)", head)
    fourcc = next((g.split(" / ")[0] for g in groups if " / 0x" in g), None)
    named = [g for g in groups if " / 0x" not in g]
    profile = named[-1] if named else None
    pix_fmt = fields[1].split("(")[0].strip() if len(fields) > 1 else None
    width = height = 0
    sar = (1, 1)
    fps = 0.0
    kbps = 0
    for part in fields[1:]:
        rate_match = re.match(r"(\d+) kb/s", part)
        if rate_match:
            kbps = int(rate_match.group(1))
        size = re.match(r"(\d+)x(\d+)", part)
        if size and not width:
            width, height = int(size.group(1)), int(size.group(2))
        sar_match = re.search(r"SAR (\d+):(\d+)", part)
        if sar_match and int(sar_match.group(1)) and int(sar_match.group(2)):
            sar = (int(sar_match.group(1)), int(sar_match.group(2)))
        rate = re.match(r"([\d.]+k?) fps", part)
        if rate:
            fps = _rate(rate.group(1))
    if not fps:
        tbr = re.search(r"([\d.]+k?) tbr", rest)
        fps = _rate(tbr.group(1)) if tbr else 0.0
    return {
        "codec": codec,
        "fourcc": fourcc,
        "profile": profile,
        "pix_fmt": None if pix_fmt == "none" else pix_fmt,
        "width": width,
        "height": height,
        "sar": sar,
        "fps": fps,
        "kbps": kbps,
    }


def _info(
    duration: float, video: dict[str, object] | None, audio_codec: str | None, rotation: int
) -> MediaInfo:
    if video is None:
        return MediaInfo(duration, 0, 0, 0.0, None, None, None, audio_codec, True, 0)
    stored_w, stored_h = int(video["width"]), int(video["height"])  # type: ignore[call-overload]
    sar = video["sar"]
    assert isinstance(sar, tuple)
    display_w = round(stored_w * sar[0] / sar[1]) if sar != (1, 1) else stored_w
    width, height = (stored_h, display_w) if abs(rotation) % 180 == 90 else (display_w, stored_h)
    return MediaInfo(
        duration=duration,
        width=width,
        height=height,
        fps=float(video["fps"]),  # type: ignore[arg-type]
        video_codec=str(video["codec"]),
        video_profile=video["profile"],  # type: ignore[arg-type]
        pix_fmt=video["pix_fmt"],  # type: ignore[arg-type]
        audio_codec=audio_codec,
        has_audio=audio_codec is not None,
        rotation=rotation,
        stored_width=stored_w,
        stored_height=stored_h,
        sar=sar,
        video_kbps=int(video.get("kbps") or 0),  # type: ignore[call-overload]
    )


def parse_ffprobe_json(text: str) -> MediaInfo:
    """Same record from `ffprobe -print_format json -show_format -show_streams`."""
    data = json.loads(text)
    streams = data.get("streams", [])
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    duration = float(data.get("format", {}).get("duration") or 0.0)
    audio_codec = audios[0].get("codec_name") if audios else None
    if not videos:
        if audio_codec is None:
            raise ProbeError("no video or audio stream found")
        return _info(duration, None, audio_codec, 0)
    stream = videos[0]
    if not stream.get("codec_name"):
        raise ProbeError(f"unsupported video codec {stream.get('codec_tag_string', 'unknown')}")
    rotation = 0
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            rotation = round(float(side["rotation"]))
    num, _, den = str(stream.get("avg_frame_rate") or stream.get("r_frame_rate", "0/1")).partition(
        "/"
    )
    fps = float(num) / float(den or 1) if float(den or 1) else 0.0
    sar_text = str(stream.get("sample_aspect_ratio", "1:1"))
    sar_num, _, sar_den = sar_text.partition(":")
    sar = (
        (int(sar_num), int(sar_den))
        if sar_num.isdigit() and int(sar_num) and sar_den.isdigit() and int(sar_den)
        else (1, 1)
    )
    video = {
        "codec": stream["codec_name"],
        "profile": stream.get("profile"),
        "pix_fmt": stream.get("pix_fmt"),
        "width": int(stream.get("width", 0)),
        "height": int(stream.get("height", 0)),
        "sar": sar,
        "fps": fps,
        "kbps": int(stream.get("bit_rate") or data.get("format", {}).get("bit_rate") or 0) // 1000,
    }
    return _info(duration, video, audio_codec, rotation)


def probe(tool: FFmpegTool, path: Path) -> MediaInfo:
    """Describe `path`; a missing, empty, corrupt or unsupported file raises ProbeError."""
    if not path.is_file():
        raise ProbeError("file not found")
    if path.stat().st_size == 0:
        raise ProbeError("file is empty (0 bytes)")
    try:
        if tool.ffprobe:
            code, out, err = _run_capture(
                [
                    tool.ffprobe,
                    "-v",
                    "error",
                    "-print_format",
                    "json",
                    "-show_format",
                    "-show_streams",
                    str(path),
                ]
            )
            if code != 0:
                raise ProbeError(summarize_stderr(err))
            return parse_ffprobe_json(out)
        _, _, err = _run_capture([tool.exe, "-hide_banner", "-nostdin", "-i", str(path)])
    except subprocess.TimeoutExpired as exc:
        raise ProbeError("ffmpeg took too long to read the file") from exc
    return parse_ffmpeg_info(err)
