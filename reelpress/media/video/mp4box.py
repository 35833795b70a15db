"""Read just enough of an MP4 to check faststart and to name its codecs exactly.

The `codecs` parameter of `<source type>` must match the stream: `avc1.PPCCLL` is the
avcC record's profile, constraint flags and level bytes, `av01.P.LLT.DD` comes from
the av1C record, so reading them from the output beats guessing from settings.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl"}


def top_level_atoms(path: Path) -> list[str]:
    """Box types at the top of the file, in order (`['ftyp', 'moov', ..., 'mdat']`)."""
    return [kind.decode("latin-1") for kind, _, _ in _boxes(path)]


def _boxes(path: Path) -> list[tuple[bytes, int, int]]:
    """(type, payload offset, payload size) for each top-level box."""
    found: list[tuple[bytes, int, int]] = []
    size_total = path.stat().st_size
    with path.open("rb") as handle:
        offset = 0
        while offset + 8 <= size_total:
            handle.seek(offset)
            size, kind = struct.unpack(">I4s", handle.read(8))
            header = 8
            if size == 1:
                (size,) = struct.unpack(">Q", handle.read(8))
                header = 16
            elif size == 0:
                size = size_total - offset
            if size < header:
                break
            found.append((kind, offset + header, size - header))
            offset += size
    return found


def _children(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, payload) of each box laid end to end in `data` (32-bit sizes: in a moov)."""
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size < 8:
            return
        yield kind, data[offset + 8 : offset + size]
        offset += size


def _find_child(data: bytes, wanted: bytes) -> list[bytes]:
    """Payloads of every `wanted` box nested in container boxes of `data`."""
    results: list[bytes] = []
    for kind, payload in _children(data):
        if kind == wanted:
            results.append(payload)
        elif kind in _CONTAINERS:
            results.extend(_find_child(payload, wanted))
        elif kind == b"stsd":
            results.extend(_sample_entries(payload[8:], wanted))
    return results


def _sample_entries(data: bytes, wanted: bytes) -> list[bytes]:
    """Sample entries hold codec records after a fixed header (78 bytes for video)."""
    return [found for kind, entry in _children(data) if kind in (b"avc1", b"avc3", b"av01")
            for found in _find_child(entry[78:], wanted)]


def _moov(path: Path) -> bytes:
    for kind, start, length in _boxes(path):
        if kind == b"moov":
            with path.open("rb") as handle:
                handle.seek(start)
                return handle.read(length)
    return b""


def video_codec_string(path: Path) -> str | None:
    """`avc1.64001F` or `av01.0.05M.08` for the first video track, None if neither."""
    moov = _moov(path)
    avcc = _find_child(moov, b"avcC")
    if avcc and len(avcc[0]) >= 4:
        return "avc1." + avcc[0][1:4].hex().upper()
    av1c = _find_child(moov, b"av1C")
    if av1c and len(av1c[0]) >= 3:
        return av1_codec_string(av1c[0])
    return None


def av1_codec_string(av1c: bytes) -> str:
    """Codec string from an AV1CodecConfigurationRecord."""
    profile = av1c[1] >> 5
    level = av1c[1] & 0x1F
    tier = "H" if av1c[2] & 0x80 else "M"
    high_bitdepth = bool(av1c[2] & 0x40)
    twelve_bit = bool(av1c[2] & 0x20)
    depth = 12 if twelve_bit else 10 if high_bitdepth else 8
    return f"av01.{profile}.{level:02d}{tier}.{depth:02d}"
