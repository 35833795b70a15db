"""The media stage on a real Dask cluster when things go wrong: a worker killed while it
encodes, the scheduler gone (before and during a build), Ctrl-C on the client.

Each test waits for an event (the worker's audit log showing that ffmpeg started),
never for a fixed time. The clip is encoded with x264's `slower` preset so an encode
lasts seconds, long enough to be interrupted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from child_process import start_interruptible
from dask_cluster import Cluster, ffmpeg_pids, finished_mp4s, wait_for
from media_clips import make_clip
from sitebuilder import BUILD_PY, REPO, article, assert_no_traceback, run_cli, site_toml, snapshot
from sitebuilder import write_site as write_files

pytest.importorskip("distributed")

CLIP_SECONDS = 2.0  # at x264's `slower`, an encode of a second or more: time to kill it
SETTINGS = ('\n[video]\npreset = "{preset}"\nav1 = false\n'
            '\n[media]\nexecutor = "dask"\nconnect_timeout = 3\n')


def slow_site(root: Path, clip: Path, preset: str = "slower") -> Path:
    write_files(root, {"content/slow.md": article("Slow", "2025-06-01", "A long take.",
                                                  video="media/slow.mp4")},
                site_toml=site_toml() + SETTINGS.format(preset=preset))
    (root / "media").mkdir()
    (root / "media/slow.mp4").write_bytes(clip.read_bytes())
    return root


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clip") / "slow.mp4", size="640x360",
                     duration=CLIP_SECONDS, pix_fmt="yuv444p")


@pytest.fixture
def cluster(tmp_path: Path):
    cluster = Cluster(tmp_path / "cluster")
    try:
        cluster.start_scheduler()
        cluster.start_worker("w1")
        cluster.start_worker("w2")
        cluster.wait_for_workers()
        yield cluster
    finally:
        cluster.stop()


def start_build(root: Path, scheduler: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    # SIGINT at its default in the child: a suite run in the background inherits it ignored
    return start_interruptible([sys.executable, str(BUILD_PY), "build", "--root", str(root),
                                "--scheduler", scheduler, *args], cwd=REPO, env=env,
                               text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)


def encoding_worker(cluster: Cluster, build: subprocess.Popen):
    """The worker whose audit log shows x264 running on its copy of the clip."""
    def find():
        return next((w for w in cluster.workers
                     if any("libx264" in c and "reelpress-job-" in c for c in w.commands())),
                    None)
    return wait_for(find, "an encode to start on a worker", process=build)


def test_a_worker_killed_mid_encode_has_its_job_retried_on_the_other(
        tmp_path: Path, clip: Path, cluster: Cluster) -> None:
    root = slow_site(tmp_path / "site", clip)
    build = start_build(root, cluster.address)
    victim = encoding_worker(cluster, build)
    victim.kill()
    # its ffmpeg died with it (killed, not left to finish an encode nobody will collect)
    wait_for(lambda: not ffmpeg_pids(victim.folder), "the killed worker's ffmpeg to end")
    assert not finished_mp4s(victim.folder)
    stdout, stderr = build.communicate(timeout=120)
    assert build.returncode == 0, stderr
    assert "Traceback" not in stderr
    survivor = next(w for w in cluster.workers if w is not victim)
    mp4 = next(p for p in (root / "site/media").glob("slow.*.mp4"))
    # the same output (its content-addressed name) was being made by both workers
    for worker in (victim, survivor):
        assert any(f".{mp4.stem}.part-" in c for c in worker.commands()), worker.name
    assert f"(h264) done on {survivor.address}" in stderr
    probe = subprocess.run([sys.executable, "-c", "import sys; from reelpress.media.video."
                            "ffmpeg import find_ffmpeg, probe; print(probe(find_ffmpeg(), "
                            "__import__('pathlib').Path(sys.argv[1])).duration)", str(mp4)],
                           capture_output=True, text=True, env=dict(os.environ,
                                                                    PYTHONPATH=str(REPO)))
    assert abs(float(probe.stdout) - CLIP_SECONDS) < 0.2, probe.stderr


def test_a_build_whose_workers_all_die_fails_instead_of_waiting_forever(
        tmp_path: Path, clip: Path, cluster: Cluster) -> None:
    root = slow_site(tmp_path / "site", clip)
    build = start_build(root, cluster.address)
    encoding_worker(cluster, build)
    for worker in cluster.workers:
        worker.kill()
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 1
    assert "Traceback" not in stderr, stderr
    assert f"--scheduler: every usable Dask worker at {cluster.address} left during the " \
        "build (start workers and build again)" in stderr
    assert not (root / "site").exists()


def test_a_stopped_scheduler_is_a_clear_error_within_seconds(
        tmp_path: Path, clip: Path, cluster: Cluster) -> None:
    root = slow_site(tmp_path / "site", clip)
    address = cluster.address
    cluster.stop()
    done = run_cli(root, "build", "--scheduler", address, timeout=60)
    assert done.returncode == 1
    assert_no_traceback(done)
    assert f"--scheduler: cannot reach the Dask scheduler at {address}" in done.stderr
    assert "start it with `dask scheduler`" in done.stderr
    assert not (root / "site").exists()


def test_the_scheduler_lost_during_a_build_fails_it_cleanly(
        tmp_path: Path, clip: Path, cluster: Cluster) -> None:
    root = slow_site(tmp_path / "site", clip)
    build = start_build(root, cluster.address)
    encoding_worker(cluster, build)
    cluster.stop_scheduler()
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 1
    assert "Traceback" not in stderr, stderr
    assert f"lost the connection to the Dask scheduler at {cluster.address}" in stderr
    assert not (root / "site").exists()


def test_ctrl_c_cancels_the_cluster_jobs_and_leaves_site_and_cache(
        tmp_path: Path, clip: Path) -> None:
    """The second build's encode is held (its ffmpeg waits for a file that never comes),
    so Ctrl-C always lands while it runs, however fast the machine is."""
    gate = tmp_path / "gate"
    gate.mkdir()
    release = tmp_path / "never"
    wrapper = gated_ffmpeg(gate, release, when="*veryslow*")
    cluster = Cluster(tmp_path / "cluster")
    try:
        cluster.start_scheduler()
        cluster.start_worker("w1", REELPRESS_FFMPEG=str(wrapper))
        cluster.start_worker("w2", REELPRESS_FFMPEG=str(wrapper))
        cluster.wait_for_workers()
        _interrupt_a_held_encode(tmp_path, clip, cluster, wrapper)
    finally:
        release.touch()
        cluster.stop()


def _running(program: Path) -> list[int]:
    """Processes running `program` (a shell script: its argv names it)."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and os.fsencode(program) in (
                    proc / "cmdline").read_bytes().split(b"\0"):
                found.append(int(proc.name))
    return found


def _interrupt_a_held_encode(tmp_path: Path, clip: Path, cluster: Cluster,
                             wrapper: Path) -> None:
    root = slow_site(tmp_path / "site", clip, preset="ultrafast")
    first = run_cli(root, "build", "--scheduler", cluster.address, "-q")
    assert first.returncode == 0, first.stderr
    site_before = snapshot(root / "site")
    cache = root / ".reelpress-cache/media"
    cache_before = sorted(p.name for p in cache.iterdir() if p.is_file())
    config = (root / "site.toml").read_text()
    (root / "site.toml").write_text(config.replace('preset = "ultrafast"', 'preset = "veryslow"'))
    runs_before = {w.name: len(w.commands()) for w in cluster.workers}
    events_before = {w.name: len(w.events()) for w in cluster.workers}

    build = start_build(root, cluster.address, "-q")

    def new_encode():
        return any(len(w.commands()) > runs_before[w.name] and "veryslow" in w.commands()[-1]
                   for w in cluster.workers)

    wait_for(new_encode, "the new encode to start", process=build)
    os.killpg(build.pid, signal.SIGINT)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 130
    assert stderr.strip() == "interrupted; site/ left as it was", stderr
    assert snapshot(root / "site") == site_before
    assert sorted(p.name for p in cache.iterdir() if p.is_file()) == cache_before
    # the worker's ffmpeg was stopped (the cancel Event) and its partial output deleted,
    # not left to finish: a finished encode renames its .part- file first
    def discarded() -> list[str]:
        events = [e.split("\t", 1) for w in cluster.workers
                  for e in w.events()[events_before[w.name]:]]
        renamed = {args.split(" ")[0] for event, args in events if event == "os.rename"}
        return [args for event, args in events if event == "os.remove" and ".part-" in args
                and "reelpress-job-" in args and args.split(" ")[0] not in renamed]

    wait_for(discarded, "the cancelled encode's partial output to be deleted")
    wait_for(lambda: not _running(wrapper) and not any(ffmpeg_pids(w.folder)
                                                       for w in cluster.workers),
             "the workers' ffmpeg to exit")


def gated_ffmpeg(folder: Path, release: Path, when: str = "*libx264*") -> Path:
    """The real ffmpeg, except that a command matching `when` (an x264 encode) waits until
    `release` exists: a worker kept busy for exactly as long as the test needs."""
    from media_clips import FFMPEG

    script = folder / "ffmpeg"
    script.write_text(f'#!/bin/sh\ncase "$*" in {when})\n'
                      f'  while [ ! -e "{release}" ]; do sleep 0.02; done;;\nesac\n'
                      f'exec "{FFMPEG}" "$@"\n')
    script.chmod(0o755)
    return script


def test_a_worker_that_joins_mid_build_takes_the_waiting_work(tmp_path: Path) -> None:
    root = tmp_path / "site"
    write_files(root, {"content/two.md": article("Two", "2025-06-01",
                                                  "Second take:\n\n![B](media/b.mp4)\n",
                                                  video="media/a.mp4")},
                site_toml=site_toml() + SETTINGS.format(preset="ultrafast"))
    for name in ("a", "b"):
        make_clip(root / f"media/{name}.mp4", pix_fmt="yuv444p")
    cluster = Cluster(tmp_path / "cluster")
    release = tmp_path / "release"
    gate = tmp_path / "gate"
    gate.mkdir()
    try:
        cluster.start_scheduler()
        first = cluster.start_worker("w1", REELPRESS_FFMPEG=str(gated_ffmpeg(gate, release)))
        cluster.wait_for_workers()
        build = start_build(root, cluster.address)
        encoding_worker(cluster, build)  # w1 is busy with one video; the other one waits
        late = cluster.start_worker("w2")
        cluster.wait_for_workers()

        def late_encodes() -> bool:
            return any("libx264" in c and "reelpress-job-" in c for c in late.commands())

        wait_for(late_encodes, "the worker that joined to encode the waiting video",
                 process=build)
        release.touch()
        _, stderr = build.communicate(timeout=120)
    finally:
        release.touch()
        cluster.stop()
    assert build.returncode == 0, stderr
    assert f"(h264) done on {late.address}" in stderr
    assert f"(h264) done on {first.address}" in stderr


def test_a_job_held_for_a_worker_that_died_goes_to_one_that_joined(
        tmp_path: Path, clip: Path) -> None:
    """Dask holds a job restricted to workers that have all left for ever: the build
    sends it again to the worker that joined in the meantime."""
    root = slow_site(tmp_path / "site", clip, preset="ultrafast")
    cluster = Cluster(tmp_path / "cluster")
    gate = tmp_path / "gate"
    gate.mkdir()
    try:
        cluster.start_scheduler()
        first = cluster.start_worker("w1", REELPRESS_FFMPEG=str(
            gated_ffmpeg(gate, tmp_path / "never")))
        cluster.wait_for_workers()
        build = start_build(root, cluster.address)
        encoding_worker(cluster, build)  # the only video's job is on w1, which never ends it
        late = cluster.start_worker("w2")
        cluster.wait_for_workers()
        first.kill()
        _, stderr = build.communicate(timeout=120)
    finally:
        cluster.stop()
    assert build.returncode == 0, stderr
    assert f"(h264) done on {late.address}" in stderr


def test_a_scheduler_address_where_something_else_answers_is_a_clear_error(
        tmp_path: Path, clip: Path) -> None:
    """A web server (or the dashboard's port) answers with bytes a Dask comm reads as a
    huge frame: a clear error, not a MemoryError's traceback."""
    import socketserver
    import threading

    class Garbage(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    root = slow_site(tmp_path / "site", clip)
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Garbage) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
        try:
            done = run_cli(root, "build", "--scheduler", address, timeout=60)
        finally:
            server.shutdown()
    assert done.returncode == 1
    assert_no_traceback(done)
    assert "Exception ignored" not in done.stderr
    assert f"--scheduler: cannot reach the Dask scheduler at {address}: what answers there " \
        "is not a Dask scheduler (is it the dashboard's port?)" in done.stderr
    assert not (root / "site").exists()
