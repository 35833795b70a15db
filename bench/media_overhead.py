"""How much the media stage costs on top of the ffmpeg commands it runs.

Makes a few clips with ffmpeg (lavfi sources), runs the real stage once from an empty
cache with one job at a time, then runs every ffmpeg command the stage ran, alone, in
the same order. The difference is the stage's own overhead (planning, probing in Python,
progress parsing, renames, codec read-back). Prints a line per run and the median.

Then the cost of the HLS ladder of a long video: the same clip with and without the
ladder (one ffmpeg, `split` into every rung), per minute of video.

    python bench/media_overhead.py [--runs 3] [--seconds 4] [--ladder-seconds 60]
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

from clips import make_clip, requests_for  # noqa: E402

from reelpress.core.project import ProjectPaths  # noqa: E402
from reelpress.media import VideoSettings, find_ffmpeg, plan_media, run_media_jobs  # noqa: E402


def make_clips(root: Path, exe: str, seconds: float) -> list[str]:
    specs = {"landscape.mp4": "640x360", "portrait.mp4": "360x640", "small.mp4": "320x240"}
    return [make_clip(exe, root / "media" / name, size=size, seconds=seconds)
            for name, size in specs.items()]


def one_run(seconds: float) -> tuple[float, float, int]:
    tool = find_ffmpeg()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        refs = make_clips(root, tool.exe, seconds)
        (root / "content").mkdir()
        requests = requests_for(root, refs)
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


def ladder_cost(seconds: float, size: str) -> tuple[float, float, int]:
    """(wall seconds without the ladder, with it, rungs) for one clip; AV1 off, so the
    difference is the ladder alone."""
    tool = find_ffmpeg()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "content").mkdir()
        long_clip = make_clip(tool.exe, root / "media" / "long.mp4", size=size, seconds=seconds)
        request = requests_for(root, [long_clip])
        walls = []
        for hls in (False, True):
            settings = VideoSettings(av1=False, hls=hls, hls_min_seconds=seconds / 2)
            shutil.rmtree(root / ".reelpress-cache", ignore_errors=True)
            plan = plan_media(request, project=ProjectPaths.at(root), settings=settings,
                              tool=tool)
            started = time.perf_counter()
            result = run_media_jobs(plan, max_workers=1, quiet=True)
            walls.append(time.perf_counter() - started)
            assert not result.failed, result.diagnostics
        rungs = len(next(j for j in plan.jobs if j.kind == "hls").rungs)
        return walls[0], walls[1], rungs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each clip")
    parser.add_argument("--ladder-seconds", type=float, default=60.0,
                        help="length of the long clip for the HLS ladder (0: skip)")
    parser.add_argument("--ladder-size", default="1280x720")
    args = parser.parse_args()
    overheads = []
    for run in range(1, args.runs + 1):
        stage, commands, count = one_run(args.seconds)
        overhead = (stage - commands) / commands * 100
        overheads.append(overhead)
        print(f"run {run}: stage {stage:.2f} s, its {count} ffmpeg commands alone "
              f"{commands:.2f} s, overhead {overhead:+.1f} %")
    print(f"median overhead: {statistics.median(overheads):+.1f} % (target: under 5 %)")
    if args.ladder_seconds:
        without, with_ladder, rungs = ladder_cost(args.ladder_seconds, args.ladder_size)
        per_minute = (with_ladder - without) / args.ladder_seconds * 60
        print(f"HLS ladder ({rungs} rungs, {args.ladder_size} source, {args.ladder_seconds:g} s):"
              f" {without:.1f} s without, {with_ladder:.1f} s with; the ladder costs"
              f" {per_minute:.1f} s of encoding per minute of video")


if __name__ == "__main__":
    main()
