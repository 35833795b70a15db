"""A hostile machine and hostile files (issue 16): a full disk and a read-only `site/`
(one clear line, `site/` untouched), symlinks out of the project in static/ and caption
sidecars, link loops, a 70-byte PNG bomb, and a theme given as a path."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from pathlib import Path

import pytest
from images_fixtures import png_header_only
from media_clips import make_clip
from mounts import mounted
from sitebuilder import build, build_ok, run_cli, write_site

TOML = 'title = "T"\nbase_url = "https://example.org/"\n'
ARTICLE = "---\ntitle: A\ndate: 2025-01-01\n---\n{body}\n"


def _contents(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}



def _one_line_error(process: subprocess.CompletedProcess, reason: str) -> None:
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr and "Traceback" not in process.stdout
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, process.stderr
    assert reason in lines[0] and "the build stopped" in lines[0], lines


def test_disk_full_is_one_line_and_site_is_untouched(tmp_path: Path) -> None:
    root = tmp_path / "small-disk"
    root.mkdir()
    with mounted("-t", "tmpfs", "-o", "size=3m", "tmpfs", str(root)):
        write_site(root, {"content/a.md": ARTICLE.format(body="first")}, site_toml=TOML)
        assert run_cli(root, "-q").returncode == 0
        before = _contents(root / "site")
        with contextlib.suppress(OSError), open(root / "filler", "wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
        (root / "content/a.md").write_text(ARTICLE.format(body="second " * 500))
        process = run_cli(root)
        _one_line_error(process, "No space left on device")
        assert "free some disk space" in process.stderr
        assert _contents(root / "site") == before


def test_read_only_site_is_one_line_and_site_is_untouched(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": ARTICLE.format(body="first")}, site_toml=TOML)
    assert run_cli(tmp_path, "-q").returncode == 0
    site = tmp_path / "site"
    before = _contents(site)
    with mounted("--bind", str(site), str(site)):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(site)], check=True)
        (tmp_path / "content/a.md").write_text(ARTICLE.format(body="second"))
        process = run_cli(tmp_path)
        assert process.returncode == 1
        assert "Traceback" not in process.stderr
        lines = [line for line in process.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "the build stopped" in lines[0], process.stderr
        assert _contents(site) == before


def test_static_symlink_to_an_outside_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    root = tmp_path / "project"
    write_site(root, {"content/a.md": ARTICLE.format(body="x")}, site_toml=TOML)
    (root / "static").mkdir()
    (root / "static/notes.txt").symlink_to(secret)
    result = build(root)
    assert [d.format() for d in result.errors] == [
        "static/notes.txt: a symbolic link to a file outside the site folder (it is not "
        "published) (copy the file into static/ instead)"]
    assert not (root / "site").exists()


def test_static_symlink_inside_the_project_is_published(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": ARTICLE.format(body="x"), "media/logo.txt": "logo"},
               site_toml=TOML)
    (tmp_path / "static").mkdir()
    (tmp_path / "static/logo.txt").symlink_to(tmp_path / "media/logo.txt")
    build_ok(tmp_path)
    assert (tmp_path / "site/static/logo.txt").read_text() == "logo"


@pytest.mark.parametrize("theme", ["/etc", "../elsewhere", "themes/x", ".."])
def test_theme_given_as_a_path_is_refused(tmp_path: Path, theme: str) -> None:
    write_site(tmp_path, {"content/a.md": ARTICLE.format(body="x")},
               site_toml=TOML + f'theme = "{theme}"\n')
    result = build(tmp_path)
    assert [d.format() for d in result.errors] == [
        f"site.toml:3: theme: expected the name of a folder in themes/, got {theme!r} (a theme "
        "lives in themes/<name>/ of the site (or is built in); paths are not accepted)"]


def test_theme_extends_given_as_a_path_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": ARTICLE.format(body="x"),
                          "themes/mine/theme.toml": 'extends = "/etc"\n'},
               site_toml=TOML + 'theme = "mine"\n')
    result = build(tmp_path)
    assert [d.format() for d in result.errors] == [
        "themes/mine/theme.toml: extends: expected a theme name, got '/etc'"]


def test_caption_sidecar_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "private.srt"
    outside.write_text("TOP SECRET first line\n")
    root = tmp_path / "project"
    write_site(root, {"content/a.md": ARTICLE.format(body="![Clip](../media/clip.mp4)")},
               site_toml=TOML)
    make_clip(root / "media/clip.mp4", duration=0.5)
    (root / "media/clip.en.srt").symlink_to(outside)
    result = build(root)
    messages = [d.format() for d in result.errors]
    assert messages == [
        "media/clip.en.srt:1: the caption file is a symbolic link to a file outside its folder "
        "(copy the file in instead) (fix the caption file used by media/clip.mp4 in "
        "content/a.md)"]
    assert "SECRET" not in " ".join(d.format() for d in result.diagnostics)


def test_media_symlink_loop_is_an_error_not_a_crash(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": ARTICLE.format(
        body="![Photo](../media/a.jpg)\n\n![Clip](../media/v.mp4)\n")}, site_toml=TOML)
    media = tmp_path / "media"
    media.mkdir()
    os.symlink("b.jpg", media / "a.jpg")
    os.symlink("a.jpg", media / "b.jpg")
    os.symlink("w.mp4", media / "v.mp4")
    os.symlink("v.mp4", media / "w.mp4")
    result = build(tmp_path)
    lines = sorted(d.format() for d in result.errors)
    assert len(lines) == 2 and all(re.match(r"content/a\.md:[57]: ", line) for line in lines)
    process = run_cli(tmp_path)
    assert process.returncode == 1 and "Traceback" not in process.stderr


def test_png_declaring_80_million_pixels_in_one_column(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": ARTICLE.format(body="![Bomb](../media/bomb.png)")},
               site_toml=TOML)
    (tmp_path / "media").mkdir()
    bomb = png_header_only(tmp_path / "media/bomb.png", 1, 80_000_000)
    assert bomb.stat().st_size < 100
    result = build(tmp_path)
    assert [d.format() for d in result.errors] == [
        "content/a.md:5: media/bomb.png is 1 x 80000000 pixels: too thin to publish (one side "
        "is over 100 times the other, or over 65535 pixels) (crop or scale the image; a header "
        "this shape may also be a decompression bomb)"]


def test_png_over_the_pixel_limit_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": ARTICLE.format(body="![Bomb](../media/bomb.png)")},
               site_toml=TOML)
    (tmp_path / "media").mkdir()
    png_header_only(tmp_path / "media/bomb.png", 20_000, 20_000)
    result = build(tmp_path)
    assert len(result.errors) == 1 and "decompression bomb" in result.errors[0].format()
