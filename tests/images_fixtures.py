"""Helpers shared by the photo-stage tests: a tiny project and images drawn with Pillow."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

from reelpress.core.project import ProjectPaths
from reelpress.media.photo.plan import ImageRequest, ImageSettings

# Small widths keep every test encode in milliseconds on two cores.
SMALL = ImageSettings(widths=(64, 128, 256, 512), card_width=240, card_height=126)


def make_project(tmp_path: Path) -> ProjectPaths:
    root = tmp_path / "site"
    (root / "content" / "news").mkdir(parents=True)
    (root / "media").mkdir()
    return ProjectPaths.at(root)


def request(project: ProjectPaths, ref: str, *, article: str = "content/news/paris.md",
            line: int | None = 5, alt: str | None = "Firefighters on a ladder",
            card: bool = False) -> ImageRequest:
    article_dir = (project.root / article).parent
    return ImageRequest(ref, article, article_dir, line, alt, card)


def landscape_photo(size: tuple[int, int] = (300, 200)) -> Image.Image:
    """Left half red, right half blue: orientation shows in where the colours end up."""
    image = Image.new("RGB", size, (20, 20, 220))
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 2 - 1, size[1]), fill=(220, 20, 20))
    return image


def save_jpeg(image: Image.Image, path: Path, **options: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=90, **options)
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A valid PNG signature and IHDR claiming a huge size, with a token IDAT: what a
    decompression bomb looks like to a header reader, without allocating anything."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))
    return path


def swapped_primaries_icc() -> bytes:
    """A minimal ICC v2 RGB display profile whose red primary is sRGB's green (and green
    is red): pure red pixels tagged with it are green once converted to sRGB."""

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)

    red, green = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971)  # sRGB, D50-adapted
    blue, white = (0.1431, 0.0606, 0.7141), (0.9642, 1.0, 0.8249)
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # 2.2
    name = b"swapped primaries\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name + b"\0" * 78
    tags = [(b"desc", desc), (b"wtpt", xyz(*white)), (b"rXYZ", xyz(*green)),
            (b"gXYZ", xyz(*red)), (b"bXYZ", xyz(*blue)), (b"rTRC", gamma), (b"gTRC", gamma),
            (b"bTRC", gamma), (b"cprt", b"text\0\0\0\0none\0\0\0\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    header = (struct.pack(">I", offset + len(data)) + b"\0" * 4 + bytes([2, 0x10, 0, 0])
              + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp" + b"\0" * 28 + s15(white[0])
              + s15(white[1]) + s15(white[2]) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + data
