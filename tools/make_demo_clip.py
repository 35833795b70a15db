"""Make the placeholder demo clip `media/paris-rescue.mp4` and its English captions.

Not product code: run once by hand (`python tools/make_demo_clip.py [project_dir]`).
The clip is a lavfi test pattern with a quiet tone (no drawtext, so no font needed),
640x360, 9 s, H.264/AAC with moov first: small enough to commit (~ a few hundred KB).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg

DURATION_SECONDS = 9

CAPTIONS = """WEBVTT

NOTE Placeholder captions for the placeholder clip; replace both with the real footage.

00:00:00.000 --> 00:00:03.000
[Placeholder] This test pattern stands in for the Paris rescue footage.

00:00:03.000 --> 00:00:06.000
[Placeholder] Firefighters' video of the rescue will replace it.

00:00:06.000 --> 00:00:09.000
[Tone] A steady test tone plays.
"""


def make_demo(project: Path) -> tuple[Path, Path]:
    media = project / "media"
    media.mkdir(parents=True, exist_ok=True)
    clip, captions = media / "paris-rescue.mp4", media / "paris-rescue.en.vtt"
    args = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=24:duration={DURATION_SECONDS}",
        "-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=48000:duration={DURATION_SECONDS}",
        "-af", "volume=0.2",
        "-c:v", "libx264", "-preset", "veryslow", "-crf", "32", "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "48k",
        "-movflags", "+faststart", "-map_metadata", "-1", str(clip),
    ]  # fmt: skip
    subprocess.run(args, check=True)
    captions.write_text(CAPTIONS, encoding="utf-8")
    return clip, captions


if __name__ == "__main__":
    made = make_demo(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
    for path in made:
        print(f"{path} ({path.stat().st_size // 1024} KB)")
