"""The ffmpeg runner: progress, timeout and Ctrl-C kill the child, outputs appear atomically."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from media_clips import FFMPEG

from reelpress.media.video.runner import (
    TEMP_MARKER,
    CommandFailed,
    ProcessRegistry,
    atomic_outputs,
    run_command,
)


def endless_encode(out: Path) -> list[str]:
    """An encode with no end (lavfi without duration), reporting progress on stdout."""
    return [
        FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
        "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10",
        "-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4",
        "-progress", "pipe:1", "-nostats", "-y", str(out),
    ]  # fmt: skip


def processes_writing(path: Path) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if str(path).encode() in cmdline and "State:\tZ" not in status:
            found.append(int(pid))
    return found


def test_progress_is_reported_and_outputs_renamed_on_success(tmp_path):
    final = tmp_path / "cache" / "clip.mp4"
    seen: list[float] = []
    with atomic_outputs((final,)) as (temp,):
        args = [
            FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error",
            "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1",
            "-c:v", "libx264", "-preset", "ultrafast", "-progress", "pipe:1", "-nostats",
            "-y", str(temp),
        ]  # fmt: skip
        run_command(args, timeout=60, on_progress=seen.append)
        assert temp.name.startswith(".clip.part-") and temp.suffix == ".mp4"
    assert final.is_file() and final.stat().st_size > 0
    assert seen and seen[-1] == pytest.approx(1.0, abs=0.15)
    assert [p.name for p in final.parent.iterdir()] == ["clip.mp4"]


def test_timeout_kills_ffmpeg_and_leaves_no_partial_output(tmp_path):
    final = tmp_path / "slow.mp4"
    with pytest.raises(CommandFailed) as caught, atomic_outputs((final,)) as (temp,):
        run_command(endless_encode(temp), timeout=1.5)
    assert "did not finish within" in caught.value.summary
    assert processes_writing(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_kills_ffmpeg_and_cleans_up(tmp_path):
    final = tmp_path / "interrupted.mp4"

    def interrupt(seconds_done: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), atomic_outputs((final,)) as (temp,):
        run_command(endless_encode(temp), timeout=60, on_progress=interrupt)
    assert processes_writing(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_registry_kill_all_stops_running_children(tmp_path):
    import threading

    registry = ProcessRegistry()
    errors: list[str] = []
    started = threading.Event()

    def work() -> None:
        try:
            run_command(endless_encode(tmp_path / "a.mp4"), timeout=60, registry=registry,
                        on_progress=lambda s: started.set())  # fmt: skip
        except CommandFailed as exc:
            errors.append(exc.summary)

    worker = threading.Thread(target=work)
    worker.start()
    assert started.wait(30)
    registry.kill_all()
    worker.join(30)
    assert not worker.is_alive() and errors == ["cancelled"]
    assert processes_writing(tmp_path) == []


def test_failure_summary_is_one_line(tmp_path):
    args = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error",
            "-i", str(tmp_path / "nope.mp4"), "-y", str(tmp_path / "out.mp4")]  # fmt: skip
    with pytest.raises(CommandFailed) as caught:
        run_command(args, timeout=30)
    assert "No such file or directory" in caught.value.summary
    assert "\n" not in caught.value.summary


BUILD_SCRIPT = """
import sys
from pathlib import Path
from reelpress.media import MediaRequest, VideoSettings, find_ffmpeg, plan_media, run_media_jobs
from reelpress.core.project import ProjectPaths
root = Path(sys.argv[1])
plan = plan_media([MediaRequest("media/long.mp4", "content/a.md", root / "content", 1)],
                  project=ProjectPaths.at(root), tool=find_ffmpeg(),
                  settings=VideoSettings(preset="placebo", av1=False))
run_media_jobs(plan, quiet=True, max_workers=1)
"""


def test_ctrl_c_during_a_build_kills_ffmpeg_and_leaves_no_partial_files(tmp_path):
    import signal
    import subprocess
    import sys

    from child_process import start_interruptible, wait_for
    from media_clips import make_clip

    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    make_clip(root / "media" / "long.mp4", size="640x360", duration=6.0, audio=False,
              vcodec="mpeg4", extra=())  # fmt: skip
    cache = root / ".reelpress-cache" / "media"
    build = start_interruptible(
        [sys.executable, "-c", BUILD_SCRIPT, str(root)],
        cwd=Path(__file__).resolve().parent.parent, stderr=subprocess.PIPE,
    )
    try:
        # The event: the encode's temporary .mp4 has its first bytes, so ffmpeg is mid-encode.
        wait_for(lambda: partial_encodes(cache), build, "the encode started")
        build.send_signal(signal.SIGINT)
        _, stderr = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode != 0 and b"KeyboardInterrupt" in stderr, stderr
    assert processes_writing(cache) == []
    assert [p.name for p in cache.iterdir() if ".part-" in p.name] == []


def partial_encodes(cache: Path) -> bool:
    """Whether an encode's temporary .mp4 in the cache has its first bytes."""
    for path in cache.rglob(f"*{TEMP_MARKER}*.mp4") if cache.is_dir() else []:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size > 0:
                return True
    return False
