"""A build killed with -9 while ffmpeg encodes takes its ffmpeg with it: the runner asks
Linux for a parent death signal, so no encode runs on for nobody (ffmpeg is started in
its own session, which keeps the terminal's Ctrl-C away from it but also from a kill
of the build's process group)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dask_cluster import ffmpeg_pids, finished_mp4s, wait_for
from media_clips import make_clip
from sitebuilder import BUILD_PY, REPO, article, site_toml, write_site

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="PR_SET_PDEATHSIG is Linux's")


def test_a_build_killed_mid_encode_leaves_no_ffmpeg_running(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"content/slow.md": article(
        "Slow", "2025-06-01", "A long take.", video="media/slow.mp4")},
        site_toml=site_toml() + '\n[video]\npreset = "veryslow"\nav1 = false\n')
    make_clip(root / "media/slow.mp4", size="640x360", duration=3.0, pix_fmt="yuv444p")
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    build = subprocess.Popen([sys.executable, str(BUILD_PY), "build", "--root", str(root)],
                             cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    cache = root / ".reelpress-cache/media"
    try:
        def encoding() -> bool:  # x264 running, and its partial output on disk
            return bool(ffmpeg_pids(root)) and any(cache.glob(".slow.*.part-*.mp4"))

        wait_for(encoding, "x264 to start on the clip", process=build)
    finally:
        build.kill()
        build.wait(timeout=30)
    wait_for(lambda: not ffmpeg_pids(root), "the killed build's ffmpeg to end")
    partial = list(cache.glob("*.part-*"))
    assert partial  # the encode was cut off: its temporary output is still there ...
    assert not finished_mp4s(cache)  # ... unfinished (no MP4 index): ffmpeg was killed
    assert not list(cache.glob("slow.*.mp4"))
