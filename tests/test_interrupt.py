"""Ctrl-C in the middle of a build: one message, exit 130, no traceback from any worker
process, and site/ exactly as the previous build left it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from child_process import start_interruptible, wait_for_file
from sitebuilder import BUILD_PY, REPO, snapshot

sys.path.insert(0, str(REPO / "bench"))
from corpus import write_corpus  # noqa: E402


def test_ctrl_c_during_a_build_leaves_the_previous_site(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_corpus(project, 120, seed=3)  # enough articles for the worker pool
    env = dict(os.environ, PYTHONPATH=str(REPO))
    build = [sys.executable, str(BUILD_PY), "--root", str(project), "--jobs", "2", "-q"]
    first = subprocess.run(build, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    before = snapshot(project / "site")
    release = tmp_path / "release"
    # The workers start, say so (release.held) and wait: the build is mid-way for sure.
    held = dict(env, REELPRESS_TEST_HOLD_WORKERS=str(release))
    running = start_interruptible([*build, "--force"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=held,
                                  start_new_session=True)
    try:
        wait_for_file(tmp_path / "release.held", running)
        os.killpg(running.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
        release.touch()
        _, stderr = running.communicate(timeout=120)
    finally:
        if running.poll() is None:
            os.killpg(running.pid, signal.SIGKILL)
    assert running.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip() == "interrupted; site/ left as it was"
    assert snapshot(project / "site") == before
    assert not list(project.glob(".site.staging-*"))
