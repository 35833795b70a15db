"""Draw the demo hero photo `media/paris-rescue-street.jpg` with Pillow.

A plain illustrated street scene (a Paris-style facade, a fire engine, a ladder) so the
demo site has a photo without shipping anyone's picture. It carries EXIF with
orientation 1 and made-up GPS coordinates on purpose: the build must strip them, and
anyone can check that it did (`python -c "from PIL import Image; ..."` on site/media).

Run from the repository root:  python tools/make_demo_photo.py [OUTPUT]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 1600, 1000
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "media" / "paris-rescue-street.jpg"

SKY_TOP, SKY_BOTTOM = (176, 190, 201), (222, 220, 212)
STONE, STONE_SHADE = (205, 190, 160), (178, 162, 132)
ROOF, GLASS, FRAME = (92, 101, 112), (70, 84, 98), (236, 232, 222)
IRON, STREET, KERB = (48, 50, 54), (104, 104, 106), (150, 148, 142)
ENGINE_RED, CHROME = (168, 42, 38), (200, 202, 204)


def draw_scene() -> Image.Image:
    rng = random.Random(2026)  # the same pixels on every run: the file stays byte-stable
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):  # sky gradient (only the top shows above the roofs)
        t = y / HEIGHT
        draw.line([(0, y), (WIDTH, y)],
                  fill=tuple(round(a + (b - a) * t) for a, b in zip(SKY_TOP, SKY_BOTTOM,
                                                                     strict=True)))
    _facade(draw, rng)
    _street(draw)
    _fire_engine(draw)
    image = image.filter(ImageFilter.GaussianBlur(0.6))  # soften the vector look a little
    _label(image)
    return image


def _facade(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.polygon([(40, 170), (1560, 170), (1500, 90), (100, 90)], fill=ROOF)  # mansard roof
    for x in range(180, 1480, 260):  # dormer windows
        draw.rectangle((x, 105, x + 70, 160), fill=FRAME)
        draw.rectangle((x + 8, 113, x + 62, 160), fill=GLASS)
    draw.rectangle((40, 170, 1560, 800), fill=STONE)
    for y in range(190, 800, 38):  # stone courses
        draw.line([(40, y), (1560, y)], fill=STONE_SHADE, width=2)
    for floor, top in enumerate((210, 380, 550)):
        for column in range(7):
            left = 110 + column * 205
            lit = rng.random() < 0.25
            draw.rectangle((left - 8, top - 8, left + 108, top + 138), fill=FRAME)
            draw.rectangle((left, top, left + 100, top + 130),
                           fill=(122, 118, 92) if lit else GLASS)
            draw.line([(left + 50, top), (left + 50, top + 130)], fill=FRAME, width=5)
            draw.line([(left, top + 45), (left + 100, top + 45)], fill=FRAME, width=4)
            if floor < 2:  # wrought-iron balconies
                draw.rectangle((left - 14, top + 120, left + 114, top + 126), fill=IRON)
                for bar in range(left - 10, left + 112, 12):
                    draw.line([(bar, top + 95), (bar, top + 122)], fill=IRON, width=2)
    draw.rectangle((40, 700, 1560, 800), fill=STONE_SHADE)  # ground-floor shops
    for left in (90, 520, 950, 1300):
        draw.rectangle((left, 715, left + 250, 800), fill=GLASS)
        draw.polygon([(left - 10, 705), (left + 260, 705), (left + 240, 740), (left + 10, 740)],
                     fill=(96, 118, 96))


def _street(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 800, WIDTH, 830), fill=KERB)
    draw.rectangle((0, 830, WIDTH, HEIGHT), fill=STREET)
    for x in range(0, WIDTH, 160):
        draw.rectangle((x, 935, x + 90, 945), fill=(210, 210, 204))


def _fire_engine(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((620, 700, 1230, 900), fill=ENGINE_RED)  # body
    draw.rectangle((1230, 740, 1380, 900), fill=ENGINE_RED)  # cab
    draw.rectangle((1250, 755, 1360, 815), fill=GLASS)
    draw.rectangle((620, 850, 1380, 862), fill=CHROME)
    for x in (720, 900, 1290):
        draw.ellipse((x - 45, 860, x + 45, 950), fill=(36, 36, 38))
        draw.ellipse((x - 18, 887, x + 18, 923), fill=CHROME)
    draw.line([(700, 700), (1060, 300)], fill=CHROME, width=14)  # ladder raised to a window
    draw.line([(740, 700), (1100, 300)], fill=CHROME, width=14)
    for step in range(1, 12):
        t = step / 12
        draw.line([(700 + 360 * t, 700 - 400 * t), (740 + 360 * t, 700 - 400 * t)],
                  fill=CHROME, width=6)


def _label(image: Image.Image) -> None:
    draw = ImageDraw.Draw(image, "RGBA")
    font = ImageFont.load_default(size=44)  # Pillow's bundled font: no system font needed
    text = "Placeholder photo"
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    box = (40, HEIGHT - 40 - (bottom - top) - 36, 40 + (right - left) + 48, HEIGHT - 40)
    draw.rectangle(box, fill=(0, 0, 0, 150))
    draw.text((box[0] + 24 - left, box[1] + 18 - top), text, font=font, fill=(255, 255, 255))


def demo_exif() -> Image.Exif:
    """Orientation 1 and invented GPS coordinates (Paris), for the build to strip."""
    exif = Image.Exif()
    exif[0x0112] = 1  # Orientation: upright
    exif[0x010F] = "reelpress demo"  # Make
    exif[0x0131] = "tools/make_demo_photo.py"  # Software
    exif[0x0132] = "2026:11:20 08:15:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[0] = b"\x02\x03\x00\x00"  # GPSVersionID 2.3
    gps[1], gps[2] = "N", (48.0, 51.0, 23.76)  # 48.8566 N
    gps[3], gps[4] = "E", (2.0, 21.0, 7.92)  # 2.3522 E
    return exif


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    draw_scene().save(output, "JPEG", quality=82, optimize=True, progressive=True,
                      exif=demo_exif())
    print(f"wrote {output} ({output.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
