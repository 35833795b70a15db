"""Helpers shared by the photo-stage tests: a tiny project and images drawn with Pillow."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

from reelpress.media.images import ImageRequest, ImageSettings
from reelpress.project import ProjectPaths

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
