"""File names as cameras, phones and editors write them: spaces, quotes, accents in NFC
or NFD, upper-case extensions, in front matter and in the body, for photos and video.
Real ffmpeg clips and real Pillow photos; every build is parsed back."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from media_clips import make_clip, run_ffmpeg
from PIL import Image
from sitebuilder import article, build, build_ok, read_page, write_site

from reelpress.core.media_names import media_kind

NFC_CAFE = unicodedata.normalize("NFC", "café")
NFD_CAFE = unicodedata.normalize("NFD", "café")


def _clip(path: Path) -> Path:
    return make_clip(path, duration=0.5, audio=False)


def _photo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (96, 64), (200, 40, 40)).save(path, "JPEG")
    return path


def _site(tmp_path: Path, body: str, **front: str) -> Path:
    write_site(tmp_path, {"content/story.md": article(
        "Names", "2025-07-04 10:00:00", body, **front)},
        site_toml=None if (tmp_path / "site.toml").exists() else
        'title = "T"\nbase_url = "https://example.org/"\n[video]\nav1 = false\n'
        '[images]\nwidths = [64]\navif = false\n')
    return tmp_path


def _videos_play(root: Path) -> list:
    page = read_page(root / "site", "story/index.html")
    videos = page.find_all("video")
    for video in videos:
        for source in video.find_all("source"):
            assert (root / "site" / source.get("src").lstrip("/").split("#")[0]).is_file()
    return videos


def test_body_video_named_cafe_is_found_not_percent_encoded(tmp_path: Path) -> None:
    """Was: `media/caf%C3%A9.mp4 not found` while a photo with the same name worked."""
    _clip(tmp_path / "media" / f"{NFC_CAFE}.mp4")
    build_ok(_site(tmp_path, f"![Un clip](media/{NFC_CAFE}.mp4)\n"))
    assert len(_videos_play(tmp_path)) == 1


def test_angle_bracket_destination_with_spaces_quote_and_accent(tmp_path: Path) -> None:
    """Was: `![x](<media/clip with spaces 'quote' é.mp4>)` reported as not found."""
    name = "clip with spaces 'quote' é.mp4"
    _clip(tmp_path / "media" / name)
    _photo(tmp_path / "media" / "photo with spaces 'quote' é.jpg")
    build_ok(_site(tmp_path, f"![x](<media/{name}>)\n\n"
                             "![A photo](<media/photo with spaces 'quote' é.jpg>)\n"))
    page = read_page(tmp_path / "site", "story/index.html")
    assert len(_videos_play(tmp_path)) == 1
    assert page.find("picture").find("img").get("alt") == "A photo"


def test_mpg_is_accepted_by_markup_and_planned_as_video(tmp_path: Path) -> None:
    """Was: `.mpg` accepted as video by the markup stage, then refused by the planner."""
    assert media_kind("media/old.MPG") == media_kind("media/old.mpeg") == "video"
    mpg = tmp_path / "media" / "old tape.mpg"
    mpg.parent.mkdir(parents=True)
    run_ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=0.5",
               "-c:v", "mpeg2video", "-q:v", "5", str(mpg))
    build_ok(_site(tmp_path, "![An old tape](<media/old tape.mpg>)\n",
                   video="media/old tape.mpg"))
    assert len(_videos_play(tmp_path)) == 2


@pytest.mark.parametrize("on_disk, written", [
    (NFD_CAFE, NFC_CAFE),  # a file copied from macOS, typed on Linux
    (NFC_CAFE, NFD_CAFE),  # the other way round
])
def test_accents_in_nfc_or_nfd_match_either_spelling(tmp_path: Path, on_disk: str,
                                                     written: str) -> None:
    _clip(tmp_path / "media" / f"{on_disk} vidéo.mp4")
    _photo(tmp_path / "media" / f"{on_disk} photo.jpg")
    written_video = unicodedata.normalize("NFD" if written == NFD_CAFE else "NFC",
                                          f"{written} vidéo.mp4")
    build_ok(_site(tmp_path, f"![Le clip](<media/{written_video}>)\n\n"
                             f"![La photo](<media/{written} photo.jpg>)\n",
                   video=f'"media/{written_video}"', image=f'"media/{written} photo.jpg"',
                   image_alt='"Une photo"'))
    assert len(_videos_play(tmp_path)) == 2
    page = read_page(tmp_path / "site", "story/index.html")
    assert len(page.find_all("picture")) == 1  # the hero is the video; the photo is its image


def test_upper_case_extensions_from_cameras_work_in_front_matter_and_body(
        tmp_path: Path) -> None:
    _clip(tmp_path / "media" / "IMG_0042.MOV")
    _clip(tmp_path / "media" / "GOPR0001.MP4")
    _photo(tmp_path / "media" / "DSC_0001.JPG")
    _photo(tmp_path / "media" / "DSC_0002.JPG")
    build_ok(_site(tmp_path, "![Phone](media/IMG_0042.MOV)\n\n![Camera](media/DSC_0002.JPG)\n",
                   video="media/GOPR0001.MP4", image="media/DSC_0001.JPG",
                   image_alt='"Hero photo"'))
    assert len(_videos_play(tmp_path)) == 2
    page = read_page(tmp_path / "site", "story/index.html")
    assert page.find("picture").find("img").get("alt") == "Camera"


def test_extension_written_in_another_case_than_on_disk_is_found(tmp_path: Path) -> None:
    _clip(tmp_path / "media" / "IMG_0042.MOV")
    _photo(tmp_path / "media" / "DSC_0001.JPG")
    build_ok(_site(tmp_path, "![Phone](media/IMG_0042.mov)\n\n![Camera](media/DSC_0001.jpg)\n"))
    assert len(_videos_play(tmp_path)) == 1


def test_photo_and_video_name_the_same_missing_file_the_same_way(tmp_path: Path) -> None:
    result = build(_site(tmp_path, "![x](<media/nope é.mp4>)\n\n![y](<media/nope é.jpg>)\n"))
    messages = sorted(d.format() for d in result.diagnostics if d.is_error)
    assert len(messages) == 2
    assert "'media/nope é.mp4' not found" in messages[1] or \
        "'media/nope é.mp4' not found" in messages[0]
    assert any("'media/nope é.jpg' not found" in m for m in messages)
    assert all("%" not in m for m in messages)


def test_front_matter_names_with_spaces_quotes_and_accents(tmp_path: Path) -> None:
    video = "Reportage d'Élodie (final) v2.mov"
    photo = "Portrait d'Élodie, 2025.JPG"
    _clip(tmp_path / "media" / unicodedata.normalize("NFD", video))
    _photo(tmp_path / "media" / photo)
    build_ok(_site(tmp_path, "Text.\n", video=f'"media/{video}"',
                   image=f'"media/{photo}"', image_alt='"Élodie"'))
    assert len(_videos_play(tmp_path)) == 1
    page = read_page(tmp_path / "site", "story/index.html")
    og_image = next(n.get("content") for n in page.find_all("meta")
                    if n.get("property") == "og:image")
    assert og_image.startswith("https://example.org/media/")  # the photo's social card
    assert (tmp_path / "site" / og_image.removeprefix("https://example.org/")).is_file()


def test_heic_and_bmp_from_phones_are_refused_at_their_line_not_left_broken(
        tmp_path: Path) -> None:
    """Known to markup as photos, so never a broken <img>; the photo stage says what to do."""
    (tmp_path / "media").mkdir(parents=True)
    (tmp_path / "media" / "IMG_0001.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic")
    Image.new("RGB", (32, 32)).save(tmp_path / "media" / "scan.bmp", "BMP")
    result = build(_site(tmp_path, "![Phone](media/IMG_0001.HEIC)\n\n![Scan](media/scan.bmp)\n"))
    messages = [d.format() for d in result.diagnostics if d.is_error]
    assert messages == [
        "content/story.md:6: media/IMG_0001.HEIC is a HEIC image, which is not supported"
        " (export it as JPEG (photos) or PNG (graphics with transparency))",
        "content/story.md:8: media/scan.bmp is a BMP image, which is not supported"
        " (export it as JPEG (photos) or PNG (graphics with transparency))"]
    assert not (tmp_path / "site" / "story" / "index.html").exists()
