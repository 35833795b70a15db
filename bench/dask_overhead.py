"""What running the media stage on Dask costs per job, against this machine's pool.

Makes a few clips with ffmpeg (lavfi sources), starts a real cluster as separate
processes on 127.0.0.1 (`dask scheduler` and two `dask worker --nthreads 1 --resources
ENCODE=1`, with their nannies), then encodes the clips from an empty cache with the same
concurrency both ways: the local pool with `--jobs 2`, and Dask with two encode slots.
Both run the same commands (x264's threads are in the recipe, SVT-AV1's come from the
client), so the difference is Dask's: shipping sources and outputs, digests, scheduling.

Runs are interleaved (local, Dask, Dask, local, ...) so a change in the machine's load
hits both; each reports wall time and CPU seconds of the whole process tree (this
process, its ffmpeg, and every cluster process with the ffmpeg it ran), with the load
average. The summary is the median per-job overhead; the cluster's connect (once per
build) is shown apart.

    python bench/dask_overhead.py [--clips 4] [--seconds 10] [--size 1280x720] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from clips import make_clip, requests_for  # noqa: E402

from reelpress.core.project import ProjectPaths  # noqa: E402
from reelpress.media import VideoSettings, find_ffmpeg, plan_media, run_media_jobs  # noqa: E402
from reelpress.media.dask_session import DaskSession  # noqa: E402
from reelpress.media.executors import ExecutorChoice, ExecutorSettings  # noqa: E402
from reelpress.media.remote import versions_for  # noqa: E402

PARALLEL_JOBS = 2
IDLE_SECONDS = 10.0
DASK = str(Path(sys.executable).with_name("dask"))


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # CPU seconds of the whole tree (client, ffmpeg, cluster processes)
    jobs: int
    digests: dict[str, str]
    load: float  # 1-minute load average at the end


def make_clips(root: Path, exe: str, count: int, seconds: float, size: str) -> list[str]:
    return [make_clip(exe, root / "media" / f"clip{index}.mp4", size=size, seconds=seconds,
                      rate=30, frequency=300 + 40 * index) for index in range(count)]


class LocalCluster:
    """`dask scheduler` + workers as separate processes, so their CPU is measurable."""

    def __init__(self, root: Path, workers: int):
        self.root = root
        env = dict(os.environ, PYTHONPATH=str(REPO))
        env.pop("REELPRESS_DASK_SCHEDULER", None)
        info = root / "scheduler.json"
        self.processes = [subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(info)], cwd=root, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        while not (info.exists() and info.stat().st_size):
            time.sleep(0.05)
        self.address = json.loads(info.read_text())["address"]
        for index in range(workers):
            folder = root / f"worker{index}"
            folder.mkdir()
            self.processes.append(subprocess.Popen(
                [DASK, "worker", self.address, "--nthreads", "1", "--resources", "ENCODE=1",
                 "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(folder)],
                cwd=folder, env=dict(env, TMPDIR=str(folder)),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(self.address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=120)

    def cpu_seconds(self) -> float:
        """CPU of every cluster process so far, with the children each has reaped."""
        total = 0.0
        for process in self.processes:
            try:
                tree = [psutil.Process(process.pid)]
                tree += tree[0].children(recursive=True)
            except psutil.NoSuchProcess:
                continue
            for member in tree:
                try:
                    times = member.cpu_times()
                except psutil.NoSuchProcess:
                    continue
                total += times.user + times.system + times.children_user + times.children_system
        return total

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def own_cpu() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def encode(root: Path, refs: list[str], cluster: LocalCluster,
           remote: DaskSession | None) -> Run:
    """Plan and run from an empty cache."""
    shutil.rmtree(root / ".reelpress-cache", ignore_errors=True)
    tool = find_ffmpeg()
    requests = requests_for(root, refs)
    cpu_before = own_cpu() + cluster.cpu_seconds()
    started = time.perf_counter()
    plan = plan_media(requests, project=ProjectPaths.at(root), settings=VideoSettings(),
                      tool=tool)
    result = run_media_jobs(plan, max_workers=PARALLEL_JOBS, quiet=True, remote=remote)
    wall = time.perf_counter() - started
    cpu = own_cpu() + cluster.cpu_seconds() - cpu_before
    assert not result.failed, [d.format() for d in result.diagnostics]
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
               for path in plan.outputs.values() if path.suffix != ".vtt"}
    return Run(wall, cpu, len(plan.jobs), digests, os.getloadavg()[0])


def dask_run(root: Path, refs: list[str], cluster: LocalCluster) -> tuple[Run, float]:
    """One build's worth: connect (and ask the workers' versions), then encode."""
    session = DaskSession(ExecutorChoice(ExecutorSettings("dask"), cluster.address, "bench"))
    try:
        began = time.perf_counter()
        session.allowed_workers(versions_for(find_ffmpeg()), video=True)
        connect = time.perf_counter() - began
        return encode(root, refs, cluster, session), connect
    finally:
        session.close()


def percent(extra: float, base: float) -> str:
    return f"{extra / base * 100:+.1f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each clip")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--runs", type=int, default=3, help="pairs of builds, interleaved")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "project"
        (root / "content").mkdir(parents=True)
        (Path(folder) / "cluster").mkdir()
        refs = make_clips(root, find_ffmpeg().exe, args.clips, args.seconds, args.size)
        source_mb = sum((root / ref).stat().st_size for ref in refs) / 1e6
        cluster = LocalCluster(Path(folder) / "cluster", PARALLEL_JOBS)
        idle_before, idle_started = cluster.cpu_seconds(), time.perf_counter()
        time.sleep(IDLE_SECONDS)  # what the cluster's processes burn doing nothing
        idle_rate = (cluster.cpu_seconds() - idle_before) / (time.perf_counter() - idle_started)
        print(f"{args.clips} clips of {args.seconds:g} s {args.size} ({source_mb:.1f} MB), "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at start; local pool "
              f"--jobs {PARALLEL_JOBS} against Dask with {PARALLEL_JOBS} workers x ENCODE=1; the "
              f"idle cluster burns {idle_rate:.3f} CPU-s per second (in both columns)")
        walls, cpus, nets, connects = [], [], [], []
        try:
            for run in range(1, args.runs + 1):
                order = ("local", "dask") if run % 2 else ("dask", "local")
                made: dict[str, Run] = {}
                for which in order:
                    if which == "local":
                        made["local"] = encode(root, refs, cluster, None)
                    else:
                        made["dask"], connect = dask_run(root, refs, cluster)
                        connects.append(connect)
                local, remote = made["local"], made["dask"]
                same = "same bytes" if local.digests == remote.digests else "DIFFERENT BYTES"
                jobs = local.jobs
                wall_ms = (remote.wall - local.wall) / jobs * 1000
                cpu_ms = (remote.cpu - local.cpu) / jobs * 1000
                walls.append((wall_ms, (remote.wall - local.wall) / local.wall))
                cpus.append((cpu_ms, (remote.cpu - local.cpu) / local.cpu))
                # the same, less the idle ticking over the longer wall time of either run
                net = (remote.cpu - local.cpu) - idle_rate * (remote.wall - local.wall)
                nets.append((net / jobs * 1000, net / local.cpu))
                print(f"run {run} ({' then '.join(order)}), {jobs} jobs: local {local.wall:.2f} s "
                      f"wall, {local.cpu:.2f} CPU-s (load {local.load:.2f}); Dask "
                      f"{remote.wall:.2f} s wall, {remote.cpu:.2f} CPU-s (load "
                      f"{remote.load:.2f}; + {connect:.2f} s to connect); per job "
                      f"{wall_ms:+.0f} ms wall ({percent(remote.wall - local.wall, local.wall)}), "
                      f"{cpu_ms:+.0f} ms CPU ({percent(remote.cpu - local.cpu, local.cpu)}); "
                      f"{same}", flush=True)
        finally:
            cluster.stop()
        wall_ms, wall_share = (statistics.median(v) for v in zip(*walls, strict=True))
        cpu_ms, cpu_share = (statistics.median(v) for v in zip(*cpus, strict=True))
        net_ms, net_share = (statistics.median(v) for v in zip(*nets, strict=True))
        print(f"median Dask overhead per job: {wall_ms:+.0f} ms wall ({wall_share * 100:+.1f} %), "
              f"{cpu_ms:+.0f} ms CPU ({cpu_share * 100:+.1f} %), {net_ms:+.0f} ms CPU without "
              f"the idle cluster's ticking ({net_share * 100:+.1f} %); connect "
              f"{statistics.median(connects):.2f} s once per build; target: under 5 %; "
              f"load {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
