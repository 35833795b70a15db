"""ffmpeg discovery and probing (stderr parsing, ffprobe JSON, broken files) on real clips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from media_clips import FFMPEG, make_audio, make_clip, make_rotated, truncate, unsupported_codec

from reelpress.media.video.ffmpeg import (
    FFmpegLocator,
    FFmpegNotFound,
    ProbeError,
    find_ffmpeg,
    parse_ffmpeg_info,
    parse_ffprobe_json,
    probe,
    summarize_stderr,
)

FFMPEG5_PORTRAIT = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'phone.mp4':
  Duration: 00:01:33.47, start: 0.000000, bitrate: 8123 kb/s
  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1280x720 [SAR 1:1 DAR 16:9], 8000 kb/s, 29.97 fps, 29.97 tbr, 90k tbn (default)
    Side data:
      displaymatrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)
At least one output file must be specified
"""  # noqa: E501

FFMPEG9_AV1 = """\
Input #0, matroska,webm, from 'x.mkv':
  Duration: 00:00:02.50, start: 0.000000, bitrate: 300 kb/s
  Stream #0:0: Video: av1 (libdav1d) (Main), yuv420p(tv, progressive), 1920x1080, SAR 1:1 DAR 16:9, 24 fps, 24 tbr, 1k tbn
    Side data:
      Display Matrix: rotation of 180.00 degrees
  Stream #0:1: Audio: opus, 48000 Hz, stereo, fltp
"""  # noqa: E501

MP3_WITH_COVER = """\
Input #0, mp3, from 'song.mp3':
  Duration: 00:03:00.05, start: 0.025057, bitrate: 192 kb/s
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, stereo, fltp, 192 kb/s
  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 500x500, 90k tbr, 90k tbn (attached pic)
"""  # noqa: E501


@pytest.fixture(scope="module")
def tool():
    return find_ffmpeg()


def test_ffmpeg5_displaymatrix_portrait_is_shown_720x1280():
    info = parse_ffmpeg_info(FFMPEG5_PORTRAIT)
    assert (info.width, info.height) == (720, 1280)
    assert (info.stored_width, info.stored_height) == (1280, 720)
    assert info.rotation == -90
    assert info.duration == pytest.approx(93.47)
    assert info.fps == pytest.approx(29.97)
    assert (info.video_codec, info.video_profile, info.pix_fmt) == ("h264", "High", "yuv420p")
    assert info.audio_codec == "aac" and info.has_audio


def test_ffmpeg9_display_matrix_spelling_and_decoder_name_before_profile():
    info = parse_ffmpeg_info(FFMPEG9_AV1)
    assert info.rotation == 180
    assert (info.width, info.height) == (1920, 1080)
    assert (info.video_codec, info.video_profile) == ("av1", "Main")
    assert info.audio_codec == "opus"


def test_cover_art_is_not_a_video_stream():
    info = parse_ffmpeg_info(MP3_WITH_COVER)
    assert not info.has_video
    assert info.audio_codec == "mp3"
    assert info.duration == pytest.approx(180.05)


def test_ffprobe_json_gives_the_same_record():
    data = {
        "format": {"duration": "2.000000"},
        "streams": [
            {"codec_type": "video", "codec_name": "h264", "profile": "High", "pix_fmt": "yuv420p",
             "width": 1280, "height": 720, "avg_frame_rate": "30000/1001",
             "sample_aspect_ratio": "1:1",
             "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]},
            {"codec_type": "audio", "codec_name": "aac"},
        ],
    }  # fmt: skip
    info = parse_ffprobe_json(json.dumps(data))
    assert (info.width, info.height, info.rotation) == (720, 1280, -90)
    assert info.fps == pytest.approx(29.97, abs=0.01)
    assert info.has_audio and info.duration == 2.0


def test_summary_is_one_line_of_the_specific_complaint():
    stderr = (
        "[in#0 @ 0x55d93e203040] moov atom not found\n"
        "[in#0 @ 0x55d93e202cc0] Error opening input: Invalid data found when processing input\n"
        "Error opening input file x.mp4.\n"
        "Error opening input files: Invalid data found when processing input\n"
    )
    expected = "moov atom not found; Invalid data found when processing input"
    assert summarize_stderr(stderr) == expected


def test_real_clips_probe_landscape_portrait_and_10bit(tmp_path, tool):
    land = make_clip(tmp_path / "land.mp4", size="320x240")
    info = probe(tool, land)
    assert (info.width, info.height, info.rotation) == (320, 240, 0)
    assert info.video_codec == "h264" and info.has_audio and info.audio_codec == "aac"
    assert info.duration == pytest.approx(1.0, abs=0.05)
    assert info.fps == 25

    portrait = make_rotated(tmp_path / "portrait.mp4", land, 90)
    rotated = probe(tool, portrait)
    assert (rotated.width, rotated.height) == (240, 320)
    assert rotated.rotation == 90

    ten = make_clip(tmp_path / "ten.mp4", audio=False, pix_fmt="yuv420p10le")
    ten_info = probe(tool, ten)
    assert ten_info.pix_fmt == "yuv420p10le" and ten_info.video_profile == "High 10"
    assert not ten_info.has_audio

    audio = probe(tool, make_audio(tmp_path / "tone.mp3"))
    assert not audio.has_video and audio.audio_codec == "mp3"


def test_broken_files_raise_one_line_probe_errors(tmp_path, tool):
    good = make_clip(tmp_path / "good.mp4")
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "text.mp4").write_text("this is not a video\n")
    cases = {
        "empty.mp4": "empty",
        "text.mp4": "Invalid data",
        "truncated.mp4": "moov atom not found",
        "weird.mp4": "unsupported video codec zzzz",
        "missing.mp4": "not found",
    }
    truncate(tmp_path / "truncated.mp4", good)
    unsupported_codec(tmp_path / "weird.mp4", good)
    for name, expected in cases.items():
        with pytest.raises(ProbeError) as caught:
            probe(tool, tmp_path / name)
        assert expected in caught.value.summary, name
        assert "\n" not in caught.value.summary


def test_find_ffmpeg_prefers_configured_then_env(tmp_path):
    configured = find_ffmpeg(FFMPEG)
    assert configured.source == "configured" and configured.exe == FFMPEG
    assert configured.has_svtav1 and configured.has_libx264
    assert configured.version in configured.describe()
    from_env = find_ffmpeg(None, environ={"REELPRESS_FFMPEG": FFMPEG, "PATH": str(tmp_path)})
    assert from_env.source == "env REELPRESS_FFMPEG"
    fallback = find_ffmpeg(None, environ={"PATH": str(tmp_path)})
    assert fallback.source == "imageio-ffmpeg" and fallback.ffprobe is None
    with pytest.raises(FFmpegNotFound):
        find_ffmpeg(str(tmp_path / "no-such-ffmpeg"))


def test_ffmpeg_on_path_without_libx264_is_skipped(tmp_path):
    """A PATH ffmpeg that cannot make web video must not win over the wheel's."""
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\necho 'ffmpeg version 4.1.0 Copyright'\n")
    fake.chmod(0o755)
    chosen = find_ffmpeg(None, environ={"PATH": str(tmp_path)})
    assert chosen.source == "imageio-ffmpeg"


def test_locator_caches_per_object():
    locator = FFmpegLocator()
    assert locator.get(None) is locator.get(None)
    assert FFmpegLocator().get(None) == locator.get(None)


def test_probe_handles_awkward_file_names(tmp_path, tool):
    odd = make_clip(tmp_path / "Élan; \"quoted\" 'x' $(rm -rf).mp4", audio=False)
    assert probe(tool, Path(odd)).width == 320
