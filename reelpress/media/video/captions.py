"""Caption sidecars: find `NAME.LANG.vtt|srt` next to a media file, check them, emit WebVTT.

Browsers silently drop a track that does not parse, so a bad cue is reported with
its line here instead of being discovered by a reader who needs the captions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

_LANG = r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"
_TIME = r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})"
_TIMING = re.compile(rf"^{_TIME}\s+-->\s+{_TIME}(?:\s+(.*))?$")
_TAG = re.compile(r"<[^>]*>")

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "ar": "العربية",
    "zh": "中文",
    "ja": "日本語",
    "uk": "Українська",
    "ru": "Русский",
    "pl": "Polski",
}


class CaptionError(ValueError):
    """A caption file that does not parse; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class CaptionSource:
    """One sidecar file found next to a media file."""

    path: Path
    lang: str
    fmt: str  # "vtt" or "srt"

    @property
    def label(self) -> str:
        return LANGUAGE_NAMES.get(self.lang.split("-")[0].lower(), self.lang)


def find_sidecars(media_path: Path) -> list[CaptionSource]:
    """`clip.en.vtt`, `clip.fr.srt` ... next to `clip.mp4`, sorted by name (first = default).
    When both a .vtt and an .srt exist for one language the .vtt wins."""
    stem = media_path.stem
    pattern = re.compile(rf"^{re.escape(stem)}\.({_LANG})\.(vtt|srt)$", re.IGNORECASE)
    by_lang: dict[str, CaptionSource] = {}
    if not media_path.parent.is_dir():
        return []
    for candidate in sorted(media_path.parent.iterdir()):
        match = pattern.match(candidate.name)
        if not match or not candidate.is_file():
            continue
        lang, fmt = match.group(1), match.group(2).lower()
        if lang in by_lang and by_lang[lang].fmt == "vtt":
            continue
        by_lang[lang] = CaptionSource(candidate, lang, fmt)
    return sorted(by_lang.values(), key=lambda source: source.path.name)


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _timing(line: str, lineno: int, *, comma: bool) -> tuple[float, float, str]:
    match = _TIMING.match(line.strip())
    if not match:
        expected = "00:00:01,000 --> 00:00:03,500" if comma else "00:00:01.000 --> 00:00:03.500"
        raise CaptionError(lineno, f"expected a cue timing like '{expected}', got {line.strip()!r}")
    groups = match.groups()
    start, end = _seconds(*groups[0:4]), _seconds(*groups[4:8])
    if end <= start:
        raise CaptionError(lineno, "cue ends before it starts")
    if int(groups[2]) > 59 or int(groups[6]) > 59:
        raise CaptionError(lineno, "seconds must be below 60")
    return start, end, groups[8] or ""


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _looks_timed(lines: list[str]) -> bool:
    """A first line like '00:01.000 -> 00:02.000' is a broken timing, not a cue id."""
    no_arrow_next = len(lines) < 2 or "-->" not in lines[1]
    return no_arrow_next and re.match(r"\s*(\d+:)?\d{1,2}:\d{2}", lines[0]) is not None


def parse_vtt(text: str) -> list[Cue]:
    """Cues of a WebVTT file; CaptionError names the first bad line."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0].rstrip("\r")
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CaptionError(1, "a WebVTT file must start with the line 'WEBVTT'")
    cues: list[Cue] = []
    for start_line, lines in _blocks(text)[1:]:  # block 0 is the WEBVTT header
        head = lines[0].strip()
        if head.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in head:
            continue
        timing_index = 0 if "-->" in lines[0] or _looks_timed(lines) else 1
        if timing_index >= len(lines):
            raise CaptionError(start_line, f"cue {head!r} has no timing line")
        begin, end, _ = _timing(lines[timing_index], start_line + timing_index, comma=False)
        cue_text = "\n".join(lines[timing_index + 1 :])
        if "-->" in cue_text:
            bad = (
                start_line
                + timing_index
                + 1
                + next(i for i, line in enumerate(lines[timing_index + 1 :]) if "-->" in line)
            )
            raise CaptionError(bad, "a cue's text may not contain '-->' (missing blank line?)")
        cues.append(Cue(begin, end, cue_text))
    return cues


def parse_srt(text: str) -> list[Cue]:
    """Cues of a SubRip file (index line, timing with commas, text)."""
    cues: list[Cue] = []
    for start_line, lines in _blocks(text.lstrip("\ufeff")):
        timing_index = 1 if lines[0].strip().isdigit() else 0
        if timing_index >= len(lines):
            raise CaptionError(start_line, f"subtitle {lines[0].strip()} has no timing line")
        begin, end, _ = _timing(lines[timing_index], start_line + timing_index, comma=True)
        cues.append(Cue(begin, end, "\n".join(lines[timing_index + 1 :])))
    return cues


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def to_vtt(cues: list[Cue]) -> str:
    parts = ["WEBVTT", ""]
    for cue in cues:
        parts += [f"{_stamp(cue.start)} --> {_stamp(cue.end)}", cue.text, ""]
    return "\n".join(parts)


def load_captions(source: CaptionSource) -> tuple[str, list[Cue]]:
    """(WebVTT text to publish, cues). A .vtt is published as written; .srt is converted.
    A sidecar that is a symbolic link out of its folder is refused before it is read, so
    nothing of an outside file (not even its first line, in an error) is published."""
    try:
        real = source.path.resolve(strict=True)
        folder = source.path.parent.resolve(strict=True)
    except (OSError, RuntimeError):
        raise CaptionError(1, "the caption file is a broken symbolic link or a link loop") from None
    if not real.is_relative_to(folder):
        raise CaptionError(1, "the caption file is a symbolic link to a file outside its "
                              "folder (copy the file in instead)")
    raw = real.read_bytes().decode("utf-8", "replace")
    if source.fmt == "vtt":
        return raw, parse_vtt(raw)
    cues = parse_srt(raw)
    return to_vtt(cues), cues


def transcript(cues: list[Cue]) -> str:
    """Plain text of the cues (tags stripped, entities decoded, repeats collapsed)."""
    lines: list[str] = []
    for cue in cues:
        plain = html.unescape(_TAG.sub("", cue.text)).strip()
        plain = " ".join(plain.split())
        if plain and (not lines or lines[-1] != plain):
            lines.append(plain)
    return " ".join(lines)
