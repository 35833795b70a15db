"""A real Dask cluster for tests: `dask scheduler` and `dask worker` as separate processes
on 127.0.0.1, each worker in its own empty folder (cwd, TMPDIR and local directory), with
an audit log of what it opened (tests/dask_audit_preload.py). Everything is stopped by
`Cluster.stop` (a fixture finalizer); the scheduler also ends itself when idle, and
workers end themselves when the scheduler is gone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DASK = str(Path(sys.executable).with_name("dask"))
PRELOAD = str(Path(__file__).with_name("dask_audit_preload.py"))
START_TIMEOUT = 60.0


def wait_for(condition: Callable[[], object], what: str, timeout: float = START_TIMEOUT,
              process: subprocess.Popen | None = None) -> object:
    """Poll `condition` until it is truthy (an event we wait for, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}")
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def finished_mp4s(folder: Path) -> list[Path]:
    """Partial (`.part-`) MP4 outputs under `folder` that ffmpeg nevertheless finished: a
    finished MP4 has its index (moov box); one whose ffmpeg was killed has none."""
    return [path for path in folder.rglob("*.part-*")
            if path.is_file() and b"moov" in path.read_bytes()]


def ffmpeg_pids(folder: Path) -> list[int]:
    """ffmpeg processes working on files in `folder` (a worker's temporary jobs)."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            if proc.name.isdigit() and b"ffmpeg" in Path(os.fsdecode(argv[0])).name.encode() \
                    and any(str(folder).encode() in arg for arg in argv):
                found.append(int(proc.name))
    return found


@dataclass
class Worker:
    name: str
    folder: Path
    process: subprocess.Popen
    audit: Path
    address: str = ""

    def events(self) -> list[str]:
        return self.audit.read_text(encoding="utf-8").splitlines() if self.audit.exists() else []

    def commands(self) -> list[str]:
        return [e.split("\t", 1)[1] for e in self.events() if e.startswith("subprocess.Popen")]

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer would. Its ffmpeg die with it (the parent
        death signal the runner asks for); tests check that, `reap` is only a safety net."""
        self.process.kill()
        self.process.wait(timeout=30)

    def reap(self) -> None:
        """Stop any ffmpeg still working in this worker's folder, so none outlives a test."""
        for pid in ffmpeg_pids(self.folder):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@dataclass
class Cluster:
    root: Path
    scheduler: subprocess.Popen | None = None
    address: str = ""
    workers: list[Worker] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
        env.pop("REELPRESS_DASK_SCHEDULER", None)
        env.update(extra)
        return env

    def start_scheduler(self) -> str:
        folder = self.root / "scheduler"
        folder.mkdir(parents=True)
        info = folder / "scheduler.json"
        self.scheduler = subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(info), "--idle-timeout", "600s"],
            cwd=folder, env=self.env(), stdout=subprocess.DEVNULL,
            stderr=(folder / "log").open("wb"))
        wait_for(lambda: info.exists() and info.stat().st_size, "the scheduler file",
                 process=self.scheduler)
        self.address = json.loads(info.read_text())["address"]
        return self.address

    def start_worker(self, name: str, *, resources: str = "ENCODE=1", **env: str) -> Worker:
        folder = self.root / name
        folder.mkdir(parents=True)
        audit = folder / "audit.log"
        command = [DASK, "worker", self.address, "--name", name, "--no-nanny", "--nthreads", "2",
                   "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(folder),
                   "--death-timeout", "30s", "--preload", PRELOAD]
        if resources:
            command += ["--resources", resources]
        process = subprocess.Popen(
            command, cwd=folder, stdout=subprocess.DEVNULL, stderr=(folder / "log").open("wb"),
            env=self.env(TMPDIR=str(folder), REELPRESS_AUDIT_LOG=str(audit), **env))
        worker = Worker(name, folder, process, audit)
        self.workers.append(worker)
        return worker

    def wait_for_workers(self) -> None:
        """Until the scheduler knows every started worker; learns their addresses."""
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(len(self.workers), timeout=START_TIMEOUT)
            names = {info["name"]: address for address, info in
                     client.scheduler_info(n_workers=-1)["workers"].items()}
        for worker in self.workers:
            worker.address = names[worker.name]

    def stop_scheduler(self) -> None:
        if self.scheduler is not None and self.scheduler.poll() is None:
            self.scheduler.kill()
            self.scheduler.wait(timeout=30)

    def stop(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.kill()
            worker.reap()
        self.stop_scheduler()
