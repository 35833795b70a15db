"""Pure recipe decisions and ffmpeg argument lists, plus the MP4 box reader on real files."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from media_clips import make_clip, run_ffmpeg

from reelpress.media.html import iso_duration
from reelpress.media.video.budget import can_remux
from reelpress.media.video.commands import (
    av1_command,
    h264_command,
    poster_command,
    remux_command,
)
from reelpress.media.video.ffmpeg import MediaInfo
from reelpress.media.video.jobs import plan_workers
from reelpress.media.video.mp4box import av1_codec_string, top_level_atoms, video_codec_string
from reelpress.media.video.recipes import (
    VideoSettings,
    h264_level,
    mime_type,
    output_size,
    predicted_av1_codec,
    predicted_h264_codec,
)


def info(**changes) -> MediaInfo:
    base = MediaInfo(
        duration=2.0, width=1280, height=720, fps=30.0, video_codec="h264",
        video_profile="High", pix_fmt="yuv420p", audio_codec="aac", has_audio=True, rotation=0,
        stored_width=1280, stored_height=720, video_kbps=2000,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("width", "height", "cap", "expected"),
    [
        (1920, 1080, 720, (1280, 720)),  # landscape: short side is the height
        (1080, 1920, 720, (720, 1280)),  # portrait: cap the short side, not the height
        (321, 241, 720, (320, 240)),  # odd sizes go even, down not up
        (640, 360, 720, (640, 360)),  # never upscale
        (3840, 1606, 720, (1722, 720)),  # scope ratio keeps its shape
    ],
)
def test_output_size(width, height, cap, expected):
    assert output_size(info(width=width, height=height), cap) == expected


def test_remux_only_when_already_web_safe():
    settings = VideoSettings()
    assert can_remux(info(), settings)
    assert can_remux(info(audio_codec=None, has_audio=False), settings)
    assert not can_remux(info(), dataclasses.replace(settings, remux=False))
    assert not can_remux(info(pix_fmt="yuv420p10le", video_profile="High 10"), settings)
    assert not can_remux(info(pix_fmt="yuv444p", video_profile="High 4:4:4 Predictive"), settings)
    assert not can_remux(info(rotation=90, width=720, height=1280), settings)
    assert not can_remux(info(width=1920, height=1080), settings)
    assert not can_remux(info(audio_codec="mp3"), settings)
    assert not can_remux(info(video_codec="hevc", video_profile="Main"), settings)
    assert not can_remux(info(width=321, height=241), settings)


def test_codec_strings_match_the_published_examples():
    assert predicted_h264_codec(1280, 720, 30) == "avc1.64001F"  # level 3.1
    assert h264_level(1920, 1080, 30) == 40
    assert h264_level(320, 240, 25) == 13
    assert predicted_av1_codec(1280, 720, 30) == "av01.0.05M.08"
    assert predicted_av1_codec(1920, 1080, 30) == "av01.0.08M.08"
    assert av1_codec_string(bytes([0x81, 0x05, 0x0C, 0x00])) == "av01.0.05M.08"
    assert mime_type("video/mp4", "avc1.64001F", "mp4a.40.2") == (
        'video/mp4; codecs="avc1.64001F, mp4a.40.2"'
    )


def test_only_relevant_fields_enter_an_outputs_key():
    base, changed = VideoSettings(), VideoSettings(av1_crf=40)
    assert base.output_fields("h264") == changed.output_fields("h264")
    assert base.output_fields("av1") != changed.output_fields("av1")


def test_h264_command_flags_and_argument_list_without_shell():
    src, out = Path("/m/a b;'c\".mov"), Path("/cache/x.mp4")
    args = h264_command("ffmpeg", src, out, info(width=1920, height=1080), VideoSettings(),
                        (1280, 720))  # fmt: skip
    assert args[0] == "ffmpeg" and str(src) in args and args[-1] == "-y"
    flags = dict(zip(args, args[1:], strict=False))
    assert flags["-vcodec"] == "libx264" and flags["-profile:v"] == "high"
    assert flags["-pix_fmt"] == "yuv420p" and flags["-movflags"] == "+faststart"
    assert flags["-acodec"] == "aac" and flags["-threads"] == "2"
    assert flags["-progress"] == "pipe:1" and flags["-map_metadata"] == "-1"
    assert "scale=1280:720" in flags["-filter_complex"]


def test_silent_source_maps_no_audio_and_fps_cap_applies():
    args = h264_command("ffmpeg", Path("/a.mp4"), Path("/b.mp4"),
                        info(has_audio=False, audio_codec=None, fps=120.0), VideoSettings(),
                        (1280, 720))  # fmt: skip
    assert "0:a:0" not in args and "-acodec" not in args
    assert "fps=60.0" in args[args.index("-filter_complex") + 1]


def test_remux_copies_and_av1_uses_svt():
    remux = remux_command("ffmpeg", Path("/a.mp4"), Path("/b.mp4"), info(), VideoSettings())
    assert remux[remux.index("-c") + 1] == "copy" and "libx264" not in remux
    opus = dataclasses.replace(VideoSettings(), av1_audio="opus")
    av1 = av1_command("ffmpeg", Path("/a.mp4"), Path("/b.mp4"), info(), opus, (1280, 720), 2)
    flags = dict(zip(av1, av1[1:], strict=False))
    assert flags["-vcodec"] == "libsvtav1" and flags["-preset"] == "10"
    assert flags["-crf"] == "35" and flags["-acodec"] == "libopus"


def test_poster_command_seeks_before_input_and_writes_two_formats():
    args = poster_command("ffmpeg", Path("/a.mp4"), Path("/p.webp"), Path("/p.jpg"), 4.5,
                          (640, 360), 82)  # fmt: skip
    assert args.index("-ss") < args.index("-i") and args[args.index("-ss") + 1] == "4.500"
    assert "/p.webp" in args and "/p.jpg" in args


def test_iso_durations():
    assert iso_duration(93.4) == "PT1M33S"
    assert iso_duration(0.2) == "PT1S"
    assert iso_duration(3600) == "PT1H"
    assert iso_duration(3725) == "PT1H2M5S"


def test_mp4_boxes_faststart_and_codec_string_on_real_files(tmp_path):
    plain = make_clip(tmp_path / "plain.mp4", audio=False,
                      extra=("-preset", "ultrafast", "-profile:v", "high"))  # fmt: skip
    atoms = top_level_atoms(plain)
    assert atoms.index("mdat") < atoms.index("moov")
    fast = tmp_path / "fast.mp4"
    run_ffmpeg("-i", str(plain), "-c", "copy", "-movflags", "+faststart", str(fast))
    atoms = top_level_atoms(fast)
    assert atoms[0] == "ftyp" and atoms.index("moov") < atoms.index("mdat")
    # 320x240@25 is level 1.3; ultrafast disables CABAC so x264 marks constraint flags too
    assert video_codec_string(fast).startswith("avc1.")
    assert video_codec_string(fast).endswith("0D")


def test_settings_problems_name_the_field():
    assert VideoSettings().problems() == []
    bad = VideoSettings(max_height=721, crf=60, preset="quick", av1_audio="mp3")
    fields = [problem.split(":")[0] for problem in bad.problems()]
    assert fields == ["max_height", "crf", "preset", "av1_audio"]


def test_workers_times_threads_never_exceed_cores():
    cores = os.cpu_count() or 1
    for jobs in (1, 2, 5, 40):
        for wanted in (None, 1, 2, 8):
            workers, threads = plan_workers(jobs, wanted)
            assert workers >= 1 and threads >= 1
            assert workers * threads <= max(cores, 1)
            assert workers <= jobs
