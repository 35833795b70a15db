"""Caption sidecars: discovery, WebVTT checking with line numbers, SRT conversion, transcript."""

from __future__ import annotations

import pytest

from reelpress.media.video.captions import (
    CaptionError,
    find_sidecars,
    load_captions,
    parse_srt,
    parse_vtt,
    transcript,
)

GOOD_VTT = """WEBVTT - rescue footage

NOTE written by the desk

intro
00:00.000 --> 00:01.500 align:start
Firefighters reach the <b>third</b> floor &amp; the child.

00:00:01.500 --> 00:00:03.000
<v Narrator>Placeholder text.
Second line.
"""

SRT = """1
00:00:00,000 --> 00:00:01,250
Bonjour

2
00:00:01,250 --> 00:01:02,000
<i>Au revoir</i>
"""


def test_vtt_cues_with_ids_notes_settings_and_short_timestamps():
    cues = parse_vtt(GOOD_VTT)
    assert [(c.start, c.end) for c in cues] == [(0.0, 1.5), (1.5, 3.0)]
    assert cues[1].text == "<v Narrator>Placeholder text.\nSecond line."


def test_transcript_is_plain_text():
    text = transcript(parse_vtt(GOOD_VTT))
    assert text == "Firefighters reach the third floor & the child. Placeholder text. Second line."


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Hello\n\n00:00.000 --> 00:01.000\nx\n", 1, "WEBVTT"),
        ("WEBVTT\n\n00:00.000 -> 00:01.000\nx\n", 3, "cue timing"),
        ("WEBVTT\n\n1\n00:00:02.000 --> 00:00:01.000\nx\n", 4, "ends before"),
        ("WEBVTT\n\nfirst\n00:00.000 --> 00:01.000\nx\n00:01.000 --> 00:02.000\ny\n", 6, "-->"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nok\n\n\nlonely id\n", 7, "no timing"),
    ],
)
def test_broken_vtt_names_the_line(text, line, words):
    with pytest.raises(CaptionError) as caught:
        parse_vtt(text)
    assert caught.value.line == line
    assert words in caught.value.message


def test_srt_converts_to_webvtt_that_parses_back(tmp_path):
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"")
    (tmp_path / "clip.fr.srt").write_text(SRT, encoding="utf-8")
    [source] = find_sidecars(media)
    vtt, cues = load_captions(source)
    assert vtt.startswith("WEBVTT\n")
    assert "00:00:01.250 --> 00:01:02.000" in vtt
    assert [(c.start, c.end) for c in parse_vtt(vtt)] == [(0.0, 1.25), (1.25, 62.0)]
    assert transcript(cues) == "Bonjour Au revoir"
    assert source.label == "Français"


def test_broken_srt_names_the_line():
    with pytest.raises(CaptionError) as caught:
        parse_srt("1\n00:00:00,000 --> 00:00:01,000\nok\n\n2\n00:00:01 to 00:00:02\nbad\n")
    assert caught.value.line == 6


def test_sidecars_only_for_this_file_vtt_preferred_sorted(tmp_path):
    media = tmp_path / "paris rescue.mp4"
    media.write_bytes(b"")
    for name in ["paris rescue.en.vtt", "paris rescue.en.srt", "paris rescue.de.srt",
                 "paris rescue.pt-BR.vtt", "paris.en.vtt", "paris rescue.vtt",
                 "paris rescue.en.txt"]:  # fmt: skip
        (tmp_path / name).write_text("WEBVTT\n")
    found = find_sidecars(media)
    assert [(s.lang, s.fmt) for s in found] == [("de", "srt"), ("en", "vtt"), ("pt-BR", "vtt")]
