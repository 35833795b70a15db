"""Clips and media requests for the media benchmarks.

The clips are lavfi test patterns with a tone, encoded as H.264 in yuv444p: not
web-safe, so the media stage always encodes them for real instead of remuxing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from reelpress.media import MediaRequest


def make_clip(exe: str, path: Path, *, size: str, seconds: float, rate: int = 25,
              frequency: int = 440) -> str:
    """Write the clip at `path` (its folder is made); its reference from a project at
    `path.parent.parent`, such as `media/clip.mp4`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([exe, "-v", "error", "-f", "lavfi", "-i",
                    f"testsrc2=size={size}:rate={rate}:duration={seconds}", "-f", "lavfi", "-i",
                    f"sine=frequency={frequency}:duration={seconds}", "-c:v", "libx264",
                    "-pix_fmt", "yuv444p", "-preset", "ultrafast", "-c:a", "aac", str(path)],
                   check=True)
    return f"{path.parent.name}/{path.name}"


def requests_for(root: Path, refs: list[str]) -> list[MediaRequest]:
    """The references as one article of the project at `root` makes them."""
    return [MediaRequest(ref, "content/a.md", root / "content", 1) for ref in refs]
