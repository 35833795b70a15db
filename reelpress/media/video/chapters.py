"""Chapters of a video: from a sidecar `NAME.chapters.vtt` or from front matter lines like
`"1:30 The rescue"`, checked against the video's duration, published as a WebVTT chapters
track, a list of links under the player, and `Clip` key moments in the VideoObject.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reelpress.media.video.captions import Cue, parse_vtt, to_vtt

_LINE = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{2}(?:\.\d+)?)\s+(\S.*)$")


class ChapterError(ValueError):
    """A chapter list that cannot be used; `index` is the 1-based entry (or file line)."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index
        self.message = message


@dataclass(frozen=True)
class Chapter:
    start: float
    end: float
    title: str


def sidecar(media_path: Path) -> Path | None:
    candidate = media_path.with_name(media_path.stem + ".chapters.vtt")
    return candidate if candidate.is_file() else None


def parse_lines(lines: tuple[str, ...]) -> list[tuple[float, str]]:
    """`["0:00 Intro", "1:02:03 Late"]` -> [(0.0, 'Intro'), (3723.0, 'Late')]."""
    found = []
    for index, line in enumerate(lines, start=1):
        match = _LINE.match(str(line))
        if not match:
            raise ChapterError(index, f"chapters[{index}]: expected 'M:SS Title', got {line!r}")
        hours, minutes, seconds, title = match.groups()
        found.append((int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds),
                      title.strip()))
    return found


def from_starts(starts: list[tuple[float, str]], duration: float) -> tuple[Chapter, ...]:
    """Each chapter ends where the next begins, the last at the end of the video."""
    for index, (start, _) in enumerate(starts, start=1):
        if start >= duration:
            raise ChapterError(index, f"chapter {index} starts at {start:g} s, after the end "
                                      f"of the video ({duration:.1f} s)")
        if index > 1 and start <= starts[index - 2][0]:
            raise ChapterError(index, f"chapter {index} does not start after chapter {index - 1}")
    ends = [start for start, _ in starts[1:]] + [duration]
    return tuple(Chapter(start, end, title) for (start, title), end in zip(starts, ends,
                                                                           strict=True))


def from_vtt(text: str, duration: float) -> tuple[Chapter, ...]:
    """A chapters WebVTT file (CaptionError on a bad line); each ends where the next begins."""
    return from_starts([(cue.start, cue.text.strip()) for cue in parse_vtt(text)], duration)


def vtt(chapters: tuple[Chapter, ...]) -> str:
    return to_vtt([Cue(ch.start, ch.end, ch.title) for ch in chapters])


def stamp(seconds: float) -> str:
    """1:05 or 1:02:03, as shown in the chapter list."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
