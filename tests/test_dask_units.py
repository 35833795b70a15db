"""The Dask executor without a cluster: [media] settings, where the scheduler address
comes from, the checks on bytes coming back from workers, the worker-side batch run for
real (ffmpeg on a lavfi clip, in this process), and the light default install."""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from media_clips import make_clip
from sitebuilder import REPO, article, site_toml, write_site

from reelpress.core.config import validate_config
from reelpress.core.project import ProjectPaths
from reelpress.media import MediaRequest, VideoSettings, find_ffmpeg, plan_media
from reelpress.media.executors import ExecutorSettings, choose_executor
from reelpress.media.remote import (
    ProducedFile,
    SourcePayload,
    TransferError,
    VideoBatch,
    read_payload,
    run_video_batch,
    store_files,
    versions_for,
)
from reelpress.media.video.jobs import execute_job


def config_with(media_table: str):
    text = site_toml() + media_table
    import tomllib

    return validate_config(tomllib.loads(text), text, "site.toml")


def test_media_table_maps_onto_the_executor_settings() -> None:
    config, problems = config_with('\n[media]\nexecutor = "dask"\nscheduler = "tcp://h:8786"\n'
                                   'transfer = "shared"\nmax_transfer_mb = 64\nretries = 0\n')
    assert config is not None and not problems
    assert config.media == ExecutorSettings("dask", "tcp://h:8786", "shared", 64.0, retries=0)


def test_media_table_mistakes_are_reported_at_their_line() -> None:
    config, problems = config_with('\n[media]\nexecutor = "ray"\nshceduler = "x"\n')
    assert config is None
    lines = [d.format() for d in problems]
    assert any(line.startswith("site.toml:") and "[media] executor: 'local' (this machine) "
               "or 'dask'" in line for line in lines), lines
    assert any("[media] unknown key 'shceduler'" in line and "did you mean 'scheduler'" in line
               for line in lines), lines


def test_the_scheduler_address_comes_from_the_flag_then_the_environment_then_the_table() -> None:
    dask = ExecutorSettings("dask", "tcp://from-toml:8786")
    env = {"REELPRESS_DASK_SCHEDULER": "tcp://from-env:8786"}
    assert choose_executor(dask, "tcp://flag:1", env).scheduler == "tcp://flag:1"
    assert choose_executor(dask, None, env).origin == "REELPRESS_DASK_SCHEDULER"
    assert choose_executor(dask, None, {}).scheduler == "tcp://from-toml:8786"
    local = ExecutorSettings()
    assert not choose_executor(local, None, env).is_dask  # the variable alone does not switch
    assert choose_executor(local, "tcp://flag:1", {}).is_dask  # the flag does


def test_returned_bytes_are_checked_before_anything_is_written(tmp_path: Path) -> None:
    good = ProducedFile("a.1234.mp4", b"video bytes", hashlib.sha256(b"video bytes").hexdigest())
    damaged = dataclasses.replace(good, name="b.5678.mp4", data=b"video bytez")
    allowed = {"a.1234.mp4": tmp_path / "a.1234.mp4", "b.5678.mp4": tmp_path / "b.5678.mp4"}
    with pytest.raises(TransferError, match="b.5678.mp4 arrived damaged"):
        store_files((good, damaged), allowed)
    assert not list(tmp_path.iterdir())  # not even the good one
    with pytest.raises(TransferError, match="which no job asked for"):
        store_files((dataclasses.replace(good, name="../../etc/x"),), allowed)
    store_files((good,), allowed)
    assert (tmp_path / "a.1234.mp4").read_bytes() == b"video bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["a.1234.mp4"]  # no temp file left


def test_an_hls_ladder_comes_back_as_its_folder_then_its_master(tmp_path: Path) -> None:
    def produced(name: str, data: bytes) -> ProducedFile:
        return ProducedFile(name, data, hashlib.sha256(data).hexdigest())

    allowed = {"v.abc.m3u8": tmp_path / "v.abc.m3u8"}
    for escape in ("v.abc.hls/../x", "v.abc.hls/a/b", "other.hls/0.m4s", "v.abc.hls/"):
        with pytest.raises(TransferError, match="which no job asked for"):
            store_files((produced(escape, b"x"),), allowed)
    store_files((produced("v.abc.hls/0_000.m4s", b"seg"), produced("v.abc.hls/0.m3u8", b"pl"),
                 produced("v.abc.m3u8", b"master")), allowed)
    assert sorted(p.name for p in (tmp_path / "v.abc.hls").iterdir()) == ["0.m3u8", "0_000.m4s"]
    assert (tmp_path / "v.abc.m3u8").read_bytes() == b"master"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.abc.hls", "v.abc.m3u8"]


def test_a_payload_over_the_cap_is_refused_with_the_given_words(tmp_path: Path) -> None:
    source = tmp_path / "big.mp4"
    source.write_bytes(b"x" * 2048)
    with pytest.raises(TransferError, match="2048 bytes is too many"):
        read_payload(source, None, shared=False, limit_bytes=1024,
                     too_big=lambda size: f"{size} bytes is too many")
    payload = read_payload(source, None, shared=False, limit_bytes=4096, too_big=str)
    assert payload.data == source.read_bytes()
    with pytest.raises(TransferError, match="changed during the build"):
        read_payload(source, "0" * 64, shared=False, limit_bytes=4096, too_big=str)
    shared = read_payload(source, None, shared=True, limit_bytes=1, too_big=str)
    assert shared.data is None and shared.shared_path == str(source)


def test_a_worker_batch_makes_the_same_bytes_as_a_local_job_from_bytes_alone(
        tmp_path: Path) -> None:
    root = tmp_path / "project"
    clip = make_clip(root / "media/clip.mp4", pix_fmt="yuv444p")
    tool = find_ffmpeg()
    plan = plan_media([MediaRequest("media/clip.mp4", "content/a.md", root / "content", 1)],
                      project=ProjectPaths.at(root), settings=VideoSettings(av1=False), tool=tool)
    jobs = tuple(job for job in plan.jobs if job.kind in ("h264", "poster"))
    data = clip.read_bytes()
    payload = SourcePayload("clip.mp4", hashlib.sha256(data).hexdigest(), data)
    batch = VideoBatch(jobs, threads=2)
    clip.unlink()  # the batch carries the bytes: the source path is not needed any more
    result = run_video_batch(payload, batch)
    assert [r.error for r in result.reports] == [None, None]
    assert sorted(f.name for f in result.files) == sorted(o.name for j in jobs for o in j.outputs)
    clip.write_bytes(data)  # back, for the local run
    for job in jobs:
        assert execute_job(job, tool, 2).error is None
    for produced in result.files:
        assert produced.data == (plan.cache_dir / produced.name).read_bytes(), produced.name
        assert produced.sha256 == hashlib.sha256(produced.data).hexdigest()


def test_a_damaged_transfer_is_refused_on_the_worker() -> None:
    payload = SourcePayload("clip.mp4", "0" * 64, b"not what was planned")
    with pytest.raises(TransferError, match="arrived damaged"):
        run_video_batch(payload, VideoBatch((), threads=1))


def test_worker_versions_name_what_differs() -> None:
    ours = versions_for(find_ffmpeg())
    theirs = dataclasses.replace(ours, ffmpeg="5.1.6",
                                 codecs=tuple((k, "0" if k == "pillow" else v)
                                              for k, v in ours.codecs))
    words = theirs.differences(ours, video=True)
    assert f"ffmpeg 5.1.6 (this machine: {ours.ffmpeg})" in words
    assert any(w.startswith("pillow 0 (this machine: ") for w in words)
    assert theirs.differences(ours, video=False) == [w for w in words if "ffmpeg" not in w]
    assert ours.differences(ours, video=True) == []


def test_the_default_install_never_imports_distributed(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"content/a.md": article("A", "2025-01-01")})
    code = ("import sys; from reelpress.pipeline import build_site, BuildOptions; "
            f"r = build_site(BuildOptions(root={str(root)!r})); "
            "print(r.ok, 'distributed' in sys.modules, 'dask' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.stdout.split() == ["True", "False", "False"], done.stderr


def test_asking_for_dask_without_the_extra_names_it(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker/distributed"  # an import of distributed that fails
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('not installed')\n")
    root = tmp_path / "site"
    make_clip(root / "media/clip.mp4")
    write_site(root, {"content/a.md": article("A", "2025-01-01", video="media/clip.mp4")},
               site_toml=site_toml() + '\n[media]\nexecutor = "dask"\nscheduler = "tcp://h:1"\n')
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root)],
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": f"{blocker.parent}:{REPO}", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "site.toml: running media jobs on Dask needs the 'dask' extra of reelpress, which " \
        "is not installed (pip install 'reelpress[dask]' (it brings distributed))" in done.stderr
