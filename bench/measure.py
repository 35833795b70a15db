"""Measure one command: wall time, CPU of the whole process tree, and peak memory.

CPU comes from `os.wait4`: on Linux the rusage it returns covers the child and
every descendant the child reaped (a process pool's workers included), which is
what `RUSAGE_CHILDREN` would add up to. Its `ru_maxrss` is the largest *single*
process, though, so the tree's total is sampled from /proc every 20 ms while the
command runs: RSS summed over the tree (counts pages shared by forked workers once
per process, an upper bound) and PSS summed (shared pages split between their
users, the fairer figure). Standard library only.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.02
MIB = 1024 * 1024


@dataclass(frozen=True)
class Measurement:
    """One run of one command."""

    wall_s: float
    cpu_s: float  # user + system of the whole tree
    peak_tree_rss_mib: float  # sampled sum of RSS over the process tree
    peak_tree_pss_mib: float  # sampled sum of PSS over the process tree
    max_process_rss_mib: float  # largest single process, from wait4
    peak_processes: int
    returncode: int
    output_tail: str  # last lines of stdout+stderr: failures, `--timings` tables


def _children(pid: int) -> list[int]:
    """Direct children, from every thread's `children` file (a thread may be the forker)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def process_tree(root_pid: int) -> list[int]:
    tree, queue = [], [root_pid]
    while queue:
        pid = queue.pop()
        tree.append(pid)
        queue.extend(_children(pid))
    return tree


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0


def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class _TreeSampler(threading.Thread):
    """Polls the tree's memory until told to stop; keeps the peaks only."""

    def __init__(self, root_pid: int) -> None:
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.done = threading.Event()
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_SECONDS)

    def sample(self) -> None:
        tree = process_tree(self.root_pid)
        self.peak_processes = max(self.peak_processes, len(tree))
        self.peak_rss = max(self.peak_rss, sum(_rss_bytes(pid) for pid in tree))
        self.peak_pss = max(self.peak_pss, sum(_pss_bytes(pid) for pid in tree))


def run_measured(command: list[str], cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> Measurement:
    """Run `command` to completion and measure it; never raises for a failing command."""
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"reelpress-bench-{os.getpid()}.log"
    with open(log_path, "w+b") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=subprocess.STDOUT)
        sampler = _TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        log.seek(0)
        tail = log.read().decode("utf-8", "replace").splitlines()[-40:]
    log_path.unlink(missing_ok=True)
    return Measurement(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        # a run shorter than one sampling period may be missed: never below the largest process
        peak_tree_rss_mib=max(sampler.peak_rss / MIB, usage.ru_maxrss / 1024),
        peak_tree_pss_mib=sampler.peak_pss / MIB,
        max_process_rss_mib=usage.ru_maxrss / 1024,  # Linux reports KiB
        peak_processes=sampler.peak_processes,
        returncode=process.returncode,
        output_tail="\n".join(tail),
    )


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, inode) of every file below `directory`: an atomic rewrite changes both."""
    files: dict[str, tuple[int, int]] = {}
    if not directory.is_dir():
        return files
    for folder, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(folder, name)
            stat = os.stat(path)
            files[os.path.relpath(path, directory)] = (stat.st_mtime_ns, stat.st_ino)
    return files


@dataclass(frozen=True)
class TreeChange:
    rewritten: int  # existing files whose mtime or inode changed
    added: int
    removed: int
    examples: tuple[str, ...]  # the touched paths, when there are few enough to list

    @property
    def touched(self) -> int:
        return self.rewritten + self.added + self.removed


def compare_snapshots(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]],
                      max_examples: int = 40) -> TreeChange:
    common = before.keys() & after.keys()
    rewritten = sorted(path for path in common if before[path] != after[path])
    added = sorted(after.keys() - before.keys())
    removed = sorted(before.keys() - after.keys())
    touched = [f"~{p}" for p in rewritten] + [f"+{p}" for p in added] + [f"-{p}" for p in removed]
    return TreeChange(len(rewritten), len(added), len(removed),
                      tuple(touched) if len(touched) <= max_examples else ())
