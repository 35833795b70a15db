"""The media stage on a real Dask cluster: `dask scheduler` and two `dask worker`
processes on 127.0.0.1 (plus one with a different ffmpeg, which must be refused).

What "the workers never opened a path inside the project" rests on: each worker runs
in its own empty folder (cwd, TMPDIR, local directory) with an audit hook
(tests/dask_audit_preload.py) that logs every file the worker process opens, lists,
renames or removes and every command it starts. ffmpeg, a separate program, is not seen
by the hook, but the files it reads and writes are exactly the paths in its argument
list, which the hook logs. The test checks that no logged path lies in the project
(while the same log does show the encodes, on the worker's own copies of the sources).
"""

from __future__ import annotations

import hashlib
import shutil
import stat
from pathlib import Path

import pytest
from dask_cluster import Cluster
from images_fixtures import landscape_photo, save_jpeg
from media_clips import FFMPEG, make_audio, make_clip
from sitebuilder import article, assert_no_traceback, run_cli, site_toml, write_site

pytest.importorskip("distributed")  # the [dask] extra is part of the test extra

SITE = site_toml() + "\n[video]\nhls_min_seconds = 0.5\n"  # 1 s clips get an HLS ladder too
# not what these tests check, and a suite on a loaded machine can take longer than 5 s
PATIENT = "connect_timeout = 30\n"
BODY = ("Street scenes.\n\n![Clip B](media/clip-b.mp4)\n\n![The tone](media/tone.wav)\n\n"
        "![A red and blue photo](media/photo.jpg)\n")


def make_site(root: Path, media: Path, media_table: str = "") -> Path:
    write_site(root, {"content/street.md": article(
        "Street", "2025-06-01", BODY, video="media/clip-a.mp4", image="media/photo.jpg",
        image_alt="A red and blue photo")}, site_toml=SITE + media_table)
    shutil.copytree(media, root / "media")
    return root


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("media")
    make_clip(folder / "clip-a.mp4", pix_fmt="yuv444p")  # not web-safe: a real H.264 encode
    make_clip(folder / "clip-b.mp4", audio=False)  # web-safe: a remux
    (folder / "clip-a.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nTraffic\n")
    make_audio(folder / "tone.wav")
    save_jpeg(landscape_photo((640, 400)), folder / "photo.jpg")
    return folder


def fake_ffmpeg(folder: Path) -> Path:
    """A real ffmpeg that says it is another version: what a worker with a different
    ffmpeg build looks like to reelpress."""
    script = folder / "ffmpeg"
    script.write_text(f'#!/bin/sh\nif [ "$2" = "-version" ] || [ "$1" = "-version" ]; then\n'
                      f'  echo "ffmpeg version 0.0-other Copyright"; exit 0\nfi\n'
                      f'exec "{FFMPEG}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("cluster")
    cluster = Cluster(root)
    try:
        cluster.start_scheduler()
        cluster.start_worker("w1")
        cluster.start_worker("w2")
        other = root / "other-ffmpeg"
        other.mkdir()
        cluster.start_worker("odd", REELPRESS_FFMPEG=str(fake_ffmpeg(other)))
        cluster.wait_for_workers()
        yield cluster
    finally:
        cluster.stop()


def site_files(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_a_build_on_two_workers_makes_the_local_bytes_without_touching_the_project(
        tmp_path: Path, media: Path, cluster: Cluster) -> None:
    local = make_site(tmp_path / "local", media)
    assert run_cli(local, "build", "-q").returncode == 0
    remote = make_site(tmp_path / "remote", media,
                       f'\n[media]\nexecutor = "dask"\nscheduler = "{cluster.address}"\n'
                       f'{PATIENT}')
    shared_before = {w.name: len(w.events()) for w in cluster.workers}

    done = run_cli(remote, "build")
    assert done.returncode == 0, done.stderr
    assert_no_traceback(done)
    assert site_files(remote / "site") == site_files(local / "site")
    media_files = [name for name in site_files(remote / "site") if name.startswith("media/")]
    assert any(name.endswith(".av1.mp4") for name in media_files)
    assert any(name.endswith(".m4s") for name in media_files)  # HLS segments came back too

    w1, w2, odd = cluster.workers
    # progress names the worker that made each output; both took part
    for worker in (w1, w2):
        assert f"done on {worker.address}" in done.stderr
    # the worker with another ffmpeg was refused, named, and ran no ffmpeg job
    assert f"Dask worker {odd.address} refused: it has ffmpeg 0.0-other" in done.stderr
    assert not [c for c in odd.commands()[:] if "reelpress-job-" in c and "libx264" in c]

    project = str(remote.resolve())
    encodes = []
    for worker in cluster.workers:
        events = worker.events()[shared_before[worker.name]:]
        assert not [e for e in events if project in e], f"{worker.name} touched the project"
        encodes += [e for e in events if e.startswith("subprocess.Popen") and
                    f"-i {worker.folder}" in e and "reelpress-job-" in e]
    # positive control: the hook was live and saw the encodes, on the workers' own copies
    assert any("libx264" in e for e in encodes) and any("libsvtav1" in e for e in encodes)
    # ... and Pillow decoding the photo from a worker's own copy
    assert any(e.startswith("open\t") and "reelpress-job-" in e and "/source/photo.jpg" in e
               for w in cluster.workers for e in w.events())
    for worker in cluster.workers:  # temporary job folders are gone
        assert not list(worker.folder.glob("reelpress-job-*"))

    # a second build (an article edited, so the media stage runs) runs no job anywhere
    before = {w.name: len(w.commands()) for w in cluster.workers}
    (remote / "content/street.md").write_text(
        (remote / "content/street.md").read_text().replace("Street scenes.", "Street scenes!"))
    again = run_cli(remote, "build")
    assert again.returncode == 0, again.stderr
    assert "media files (0 processed," in again.stdout
    assert {w.name: len(w.commands()) for w in cluster.workers} == before


def test_a_source_over_the_transfer_cap_is_a_clear_error_with_the_fix(
        tmp_path: Path, media: Path, cluster: Cluster) -> None:
    root = make_site(tmp_path / "capped", media, '\n[media]\nmax_transfer_mb = 0.01\n')
    done = run_cli(root, "build", "--scheduler", cluster.address)
    assert done.returncode == 1
    assert_no_traceback(done)
    size = (root / "media/clip-a.mp4").stat().st_size / 1e6
    assert f"media/clip-a.mp4 is {size:,.2f} MB, over max_transfer_mb = 0.01 for sending to " \
        "Dask workers: raise max_transfer_mb in [media], or mount the project at the same " \
        "path on every worker and set transfer = 'shared'" in done.stderr
    assert not (root / "site").exists()


def test_shared_transfer_reads_the_project_in_place(
        tmp_path: Path, media: Path, cluster: Cluster) -> None:
    """Here every worker does see the project at the same path (one machine)."""
    root = make_site(tmp_path / "shared", media, '\n[media]\ntransfer = "shared"\n' + PATIENT)
    env_before = {w.name: len(w.events()) for w in cluster.workers}
    done = run_cli(root, "build", "--scheduler", cluster.address)
    assert done.returncode == 0, done.stderr
    reference = make_site(tmp_path / "reference", media)
    assert run_cli(reference, "build", "-q").returncode == 0
    assert site_files(root / "site") == site_files(reference / "site")
    project = str(root.resolve())
    touched = [e for w in cluster.workers for e in w.events()[env_before[w.name]:]
               if project in e]
    assert any(e.startswith("subprocess.Popen") for e in touched)  # ffmpeg -i <project>/media


def test_an_environment_variable_names_the_scheduler(
        tmp_path: Path, media: Path, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site(tmp_path / "env", media,
                     '\n[media]\nexecutor = "dask"\nscheduler = "tcp://127.0.0.1:9"\n')
    monkeypatch.setenv("REELPRESS_DASK_SCHEDULER", cluster.address)
    done = run_cli(root, "build")
    assert done.returncode == 0, done.stderr
    assert "done on tcp://127.0.0.1:" in done.stderr
