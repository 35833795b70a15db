"""Cache behaviour across builds: names from content, re-encode on recipe change, prune,
a failed job costs only its own video, progress output."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
from pathlib import Path

import pytest
from media_clips import make_clip

from reelpress.core.project import ProjectPaths
from reelpress.media import (
    MediaRequest,
    VideoSettings,
    find_ffmpeg,
    media_cache_dir,
    plan_media,
    prune,
    run_media_jobs,
)

ARTICLE = "content/story.md"


@pytest.fixture(scope="module")
def tool():
    return find_ffmpeg()


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    make_clip(root / "media" / "clip.mp4", size="320x240", duration=1.0, audio=False,
              vcodec="mpeg4", extra=())  # fmt: skip
    make_clip(root / "media" / "other.mp4", size="320x240", duration=0.5, audio=False,
              vcodec="mpeg4", extra=())  # fmt: skip
    return ProjectPaths.at(root)


def requests(project, *names):
    content = project.content_dir
    return [MediaRequest(f"media/{n}", ARTICLE, content, i) for i, n in enumerate(names)]


def kinds(result) -> list[str]:
    """Which encoders the commands run used (sampling frames for posters excluded)."""
    found = []
    for args in result.commands:
        if "libx264" in args:
            found.append("h264")
        elif "libsvtav1" in args:
            found.append("av1")
        elif "libwebp" in args:
            found.append("poster")
    return sorted(found)


def test_changed_recipe_reencodes_only_what_it_affects_and_prune_removes_stale(site, tool):
    base = VideoSettings(av1=False)
    plan = plan_media(requests(site, "clip.mp4"), project=site, settings=base, tool=tool)
    first = run_media_jobs(plan, quiet=True)
    assert kinds(first) == ["h264", "poster"]
    h264_before = plan.assets["media/clip.mp4"].download

    changed = dataclasses.replace(base, crf=30)
    plan2 = plan_media(requests(site, "clip.mp4"), project=site, settings=changed, tool=tool)
    assert plan2.assets["media/clip.mp4"].download != h264_before  # URL changes with the recipe
    second = run_media_jobs(plan2, quiet=True)
    assert kinds(second) == ["h264"]  # the poster does not depend on crf: still cached
    assert second.cached == 2  # webp + jpeg

    cache = media_cache_dir(site)
    stale = cache / h264_before.split("/")[-1]
    assert stale.is_file()
    removed = prune(cache, set(plan2.outputs))
    assert removed == [stale]
    assert all(path.is_file() for path in plan2.outputs.values())
    assert (cache / "probe").is_dir()  # probe cache survives pruning


def test_changed_source_bytes_change_the_names(site, tool):
    settings = VideoSettings(av1=False)
    plan = plan_media(requests(site, "clip.mp4"), project=site, settings=settings, tool=tool)
    shutil.copy(site.root / "media" / "other.mp4", site.root / "media" / "clip.mp4")
    plan2 = plan_media(requests(site, "clip.mp4"), project=site, settings=settings, tool=tool)
    assert set(plan.outputs).isdisjoint(plan2.outputs)
    assert plan2.assets["media/clip.mp4"].duration == pytest.approx(0.5, abs=0.05)


def test_force_reruns_everything(site, tool):
    settings = VideoSettings(av1=False)
    plan = plan_media(requests(site, "other.mp4"), project=site, settings=settings, tool=tool)
    run_media_jobs(plan, quiet=True)
    plan2 = plan_media(requests(site, "other.mp4"), project=site, settings=settings, tool=tool)
    assert plan2.jobs == ()
    assert kinds(run_media_jobs(plan2, quiet=True, force=True)) == ["h264", "poster"]


def test_a_failed_job_is_an_error_for_that_video_only(site, tool):
    settings = VideoSettings(av1=False)
    plan = plan_media(requests(site, "clip.mp4", "other.mp4"), project=site, settings=settings,
                      tool=tool)  # fmt: skip
    (site.root / "media" / "clip.mp4").unlink()  # gone between plan and run
    result = run_media_jobs(plan, quiet=True)
    assert result.failed == {"media/clip.mp4"}
    errors = [d for d in result.diagnostics if d.is_error]
    assert len(errors) == 1 and errors[0].path == ARTICLE and errors[0].line == 0
    assert "media/clip.mp4" in errors[0].message and "No such file" in errors[0].message
    other = plan.assets["media/other.mp4"]
    assert plan.outputs[other.download].is_file()
    assert not plan.outputs[plan.assets["media/clip.mp4"].download].exists()
    assert other.download in result.outputs
    assert plan.assets["media/clip.mp4"].download not in result.outputs


def test_progress_log_lines_when_not_a_terminal_and_silent_when_quiet(site, tool):
    settings = VideoSettings(av1=False)
    plan = plan_media(requests(site, "other.mp4"), project=site, settings=settings, tool=tool)
    log = io.StringIO()
    run_media_jobs(plan, stream=log)
    lines = log.getvalue().splitlines()
    progress = [line for line in lines if line.startswith("media: [")]
    assert len(progress) == len(plan.jobs) == 2
    assert progress[-1].startswith("media: [2/2] media/other.mp4") and "100% overall" in (
        progress[-1])
    # then why the video is what it is (the build log's answer to "why re-encoded?")
    assert lines[-1] == ("media: media/other.mp4: re-encoded: mpeg4 is not H.264; capped at"
                         " the 240p budget of 1000 kb/s")
    plan2 = plan_media(requests(site, "other.mp4"), project=site,
                       settings=dataclasses.replace(settings, crf=31), tool=tool)  # fmt: skip
    quiet = io.StringIO()
    run_media_jobs(plan2, stream=quiet, quiet=True)
    assert quiet.getvalue() == ""


def test_missing_svtav1_skips_av1_with_one_warning(site, tool):
    no_av1 = dataclasses.replace(tool, has_svtav1=False)
    plan = plan_media(requests(site, "clip.mp4", "other.mp4"), project=site,
                      settings=VideoSettings(), tool=no_av1)  # fmt: skip
    warnings = [d for d in plan.diagnostics if "libsvtav1" in d.message]
    assert len(warnings) == 1 and not warnings[0].is_error
    assert all(len(a.sources) == 1 for a in plan.assets.values())
    assert not any(job.kind == "av1" for job in plan.jobs)


def test_jobs_are_picklable_and_run_in_a_process_pool(site, tool):
    import pickle
    from concurrent.futures import ProcessPoolExecutor

    settings = VideoSettings(av1=False)
    plan = plan_media(requests(site, "other.mp4"), project=site, settings=settings, tool=tool)
    assert pickle.loads(pickle.dumps(plan.jobs)) == plan.jobs
    with ProcessPoolExecutor(max_workers=1) as pool:
        result = run_media_jobs(plan, quiet=True, executor=pool, max_workers=1)
    assert kinds(result) == ["h264", "poster"]
    assert all(path.is_file() for path in plan.outputs.values())


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_progress_redraws_one_status_line(site, tool):
    settings = VideoSettings(av1=False)
    plan = plan_media(requests(site, "clip.mp4"), project=site, settings=settings, tool=tool)
    screen = FakeTerminal()
    run_media_jobs(plan, stream=screen)
    text, _, why = screen.getvalue().partition("\nmedia: media/clip.mp4: re-encoded")
    assert why and re.search(r"media: 2/2 jobs in [\d.]+ s$", text) and "\n" not in text
    assert "\r\x1b[K" in text and "media 2/2 100%" in text


def test_x264_threads_name_the_h264_output_and_svt_av1_threads_change_no_byte(
        tmp_path: Path) -> None:
    """x264's bytes depend on its thread count, so it is part of the recipe (a pool of
    another size, another machine or a Dask worker makes the same file under a name);
    SVT-AV1's do not, so its thread count follows the pool."""
    from reelpress.media.video.jobs import execute_job

    root = tmp_path / "project"
    make_clip(root / "media/clip.mp4", size="320x240", pix_fmt="yuv444p")
    tool = find_ffmpeg()
    request = [MediaRequest("media/clip.mp4", "content/a.md", root / "content", 1)]

    def made(settings: VideoSettings, kind: str, threads: int) -> tuple[str, bytes]:
        plan = plan_media(request, project=ProjectPaths.at(root), settings=settings, tool=tool,
                          cache_dir=tmp_path / f"cache-{kind}-{settings.x264_threads}-{threads}")
        job = next(job for job in plan.jobs if job.kind == kind)
        assert execute_job(job, tool, threads).error is None
        return job.outputs[0].name, job.outputs[0].read_bytes()

    one = made(VideoSettings(x264_threads=1), "h264", threads=2)
    two = made(VideoSettings(x264_threads=2), "h264", threads=1)
    assert one[1] != two[1]  # the fact: other bytes ...
    assert one[0] != two[0]  # ... so another name
    assert made(VideoSettings(x264_threads=2), "h264", threads=2) == two  # the pool's: no part
    if tool.has_svtav1:
        assert made(VideoSettings(), "av1", threads=1) == made(VideoSettings(), "av1", threads=2)
