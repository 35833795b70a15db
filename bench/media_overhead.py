"""How much the media stage costs on top of the ffmpeg commands it runs.

Makes a few clips with ffmpeg (lavfi sources), runs the real stage once from an empty
cache with one job at a time, then runs every ffmpeg command the stage ran, alone, in
the same order. The difference is the stage's own overhead (planning, probing in Python,
progress parsing, renames, codec read-back). Prints a line per run and the median.

    python bench/media_overhead.py [--runs 3] [--seconds 4]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reelpress.core.project import ProjectPaths  # noqa: E402
from reelpress.media import (  # noqa: E402
    MediaRequest,
    VideoSettings,
    find_ffmpeg,
    plan_media,
    run_media_jobs,
)


def make_clips(root: Path, exe: str, seconds: float) -> list[str]:
    media = root / "media"
    media.mkdir(parents=True)
    specs = {"landscape.mp4": "640x360", "portrait.mp4": "360x640", "small.mp4": "320x240"}
    for name, size in specs.items():
        subprocess.run([exe, "-v", "error", "-f", "lavfi", "-i",
                        f"testsrc2=size={size}:rate=25:duration={seconds}", "-f", "lavfi", "-i",
                        f"sine=frequency=440:duration={seconds}", "-c:v", "libx264",
                        "-pix_fmt", "yuv444p", "-preset", "ultrafast", "-c:a", "aac",
                        str(media / name)], check=True)
    return [f"media/{name}" for name in specs]


def one_run(seconds: float) -> tuple[float, float, int]:
    tool = find_ffmpeg()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        refs = make_clips(root, tool.exe, seconds)
        (root / "content").mkdir()
        requests = [MediaRequest(ref, "content/a.md", root / "content", 1) for ref in refs]
        started = time.perf_counter()
        plan = plan_media(requests, project=ProjectPaths.at(root), settings=VideoSettings(),
                          tool=tool)
        result = run_media_jobs(plan, max_workers=1, quiet=True)
        stage = time.perf_counter() - started
        assert not result.failed, result.diagnostics
        shutil.rmtree(root / ".reelpress-cache")
        (root / "replay").mkdir()
        commands = 0.0
        for args in result.commands:
            replay = [a.replace(str(root / ".reelpress-cache"), str(root / "replay"))
                      for a in args]
            for arg in replay:  # outputs go to fresh files in replay/
                if arg.startswith(str(root / "replay")):
                    Path(arg).parent.mkdir(parents=True, exist_ok=True)
            began = time.perf_counter()
            subprocess.run(replay, check=False, capture_output=True)
            commands += time.perf_counter() - began
        return stage, commands, len(result.commands)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each clip")
    args = parser.parse_args()
    overheads = []
    for run in range(1, args.runs + 1):
        stage, commands, count = one_run(args.seconds)
        overhead = (stage - commands) / commands * 100
        overheads.append(overhead)
        print(f"run {run}: stage {stage:.2f} s, its {count} ffmpeg commands alone "
              f"{commands:.2f} s, overhead {overhead:+.1f} %")
    print(f"median overhead: {statistics.median(overheads):+.1f} % (target: under 5 %)")


if __name__ == "__main__":
    main()
