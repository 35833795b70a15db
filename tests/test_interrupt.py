"""Ctrl-C in the middle of a build: one message, exit 130, no traceback from any worker
process, and site/ exactly as the previous build left it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sitebuilder import BUILD_PY, REPO, snapshot

sys.path.insert(0, str(REPO / "bench"))
from corpus import write_corpus  # noqa: E402


def test_ctrl_c_during_a_build_leaves_the_previous_site(tmp_path: Path) -> None:
    write_corpus(tmp_path, 1200, seed=3)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    first = subprocess.run([sys.executable, str(BUILD_PY), "--root", str(tmp_path), "-q"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    before = snapshot(tmp_path / "site")
    build = subprocess.Popen(
        [sys.executable, str(BUILD_PY), "--root", str(tmp_path), "--force", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        start_new_session=True)
    time.sleep(1.5)
    assert build.poll() is None, "the build finished before it could be interrupted"
    os.killpg(build.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.strip() == "interrupted; site/ left as it was"
    assert snapshot(tmp_path / "site") == before
    assert not list(tmp_path.glob(".site.staging-*"))
