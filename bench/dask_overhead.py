"""The media stage on this machine's pool against the same stage on Dask.

Makes a few clips with ffmpeg (lavfi sources), then encodes them twice from an empty
cache with the same concurrency: once with the local pool (2 jobs at a time), once on
a Dask LocalCluster of two worker processes (ENCODE=1 each) on 127.0.0.1, sources and
outputs going through the scheduler as bytes. Checks that both made the same bytes and
prints the wall times and Dask's overhead per job.

    python bench/dask_overhead.py [--clips 4] [--seconds 10] [--size 1280x720] [--runs 1]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from clips import make_clip, requests_for  # noqa: E402

from reelpress.core.project import ProjectPaths  # noqa: E402
from reelpress.media import VideoSettings, find_ffmpeg, plan_media, run_media_jobs  # noqa: E402
from reelpress.media.dask_session import DaskSession  # noqa: E402
from reelpress.media.executors import ExecutorChoice, ExecutorSettings  # noqa: E402
from reelpress.media.remote import versions_for  # noqa: E402

PARALLEL_JOBS = 2


def make_clips(root: Path, exe: str, count: int, seconds: float, size: str) -> list[str]:
    return [make_clip(exe, root / "media" / f"clip{index}.mp4", size=size, seconds=seconds,
                      rate=30, frequency=300 + 40 * index) for index in range(count)]


def encode(root: Path, refs: list[str], remote: DaskSession | None) -> tuple[float, int, dict]:
    """Plan and run from an empty cache; (wall seconds, jobs, output name -> sha256)."""
    shutil.rmtree(root / ".reelpress-cache", ignore_errors=True)
    tool = find_ffmpeg()
    requests = requests_for(root, refs)
    started = time.perf_counter()
    plan = plan_media(requests, project=ProjectPaths.at(root), settings=VideoSettings(),
                      tool=tool)
    result = run_media_jobs(plan, max_workers=PARALLEL_JOBS, quiet=True, remote=remote)
    wall = time.perf_counter() - started
    assert not result.failed, [d.format() for d in result.diagnostics]
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
               for path in plan.outputs.values() if path.suffix != ".vtt"}
    return wall, len(plan.jobs), digests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each clip")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as folder, LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None, resources={"ENCODE": 1}) as cluster:
        root = Path(folder)
        (root / "content").mkdir()
        refs = make_clips(root, find_ffmpeg().exe, args.clips, args.seconds, args.size)
        overheads = []
        for run in range(1, args.runs + 1):
            local, jobs, local_bytes = encode(root, refs, None)
            session = DaskSession(ExecutorChoice(ExecutorSettings("dask"),
                                                 cluster.scheduler_address, "bench"))
            try:
                began = time.perf_counter()  # once per build: connect, workers' versions
                session.allowed_workers(versions_for(find_ffmpeg()), video=True)
                connect = time.perf_counter() - began
                remote, _, remote_bytes = encode(root, refs, session)
            finally:
                session.close()
            same = "same bytes" if remote_bytes == local_bytes else "DIFFERENT BYTES"
            per_job = (remote - local) / jobs * 1000
            overheads.append((remote - local) / local * 100)
            print(f"run {run}: {jobs} jobs ({args.clips} clips of {args.seconds:g} s "
                  f"{args.size}); local pool {local:.2f} s, Dask (2 workers) {remote:.2f} s "
                  f"(+ {connect:.2f} s to connect, once per build): {per_job:+.0f} ms per job, "
                  f"{overheads[-1]:+.1f} %; {same}")
        print(f"median Dask overhead: {statistics.median(overheads):+.1f} % (target: under 5 %)")


if __name__ == "__main__":
    main()
