"""The build summary's counts are exact and agree from build to build: HTML pages as found
in site/ (written = the files whose bytes changed), media as the source files the published
articles use (a photo used twice is one file, a video is one file whatever its jobs and
renditions), drafts and future articles left out, named with the flag that includes them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from media_clips import make_clip
from PIL import Image
from sitebuilder import SITE_TOML, article, build, run_cli, snapshot, write_site


def jpeg(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "JPEG", quality=80)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    jpeg(tmp_path / "media/hero.jpg", (1300, 700), (90, 120, 160))
    jpeg(tmp_path / "media/quay.jpg", (800, 600), (190, 120, 60))
    jpeg(tmp_path / "media/draft-only.jpg", (800, 600), (10, 120, 60))
    make_clip(tmp_path / "media/clip.mp4", duration=1.0)
    (tmp_path / "media/clip.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n")
    return write_site(tmp_path, {
        "content/one.md": article("One", "2025-07-01", image="media/hero.jpg",
                                  image_alt="A street", body="![A quay](media/quay.jpg)\n\n"
                                  "![The clip](media/clip.mp4)"),
        "content/two.md": article("Two", "2025-07-02", body="![The quay again](media/quay.jpg)"),
        "content/draft-a.md": article("Draft A", "2025-07-03", draft="true",
                                      body="![x](media/draft-only.jpg)"),
        "content/draft-b.md": article("Draft B", "2099-01-01", draft="true"),
        "content/later.md": article("Later", "2099-01-01"),
        "content/pages/about.md": "---\ntitle: About\n---\nWho we are.\n",
    }, site_toml=SITE_TOML + "\n[video]\nav1 = false\n")


SKIPPED = ", 0 warnings, 2 drafts skipped (--drafts to include), " \
          "1 future article skipped (--future to include)"


def line(summary: str) -> str:
    return re.sub(r" in \d+\.\d\d s$", "", summary)


def html_pages(site: Path) -> set[str]:
    return {rel for rel in snapshot(site) if rel.endswith(".html")}


def test_summary_counts_are_exact_and_consistent(root: Path) -> None:
    cold = build(root)
    site = root / "site"
    pages = html_pages(site)
    assert len(pages) == 9  # 2 articles, about, home, archive, tags, search, author, 404
    assert line(cold.summary()) == (
        "built 9 HTML pages (9 written, 0 unchanged), 3 media files (3 processed, 0 cached)"
        + SKIPPED)
    before = snapshot(site)

    again = build(root)  # the no-op check answers from its record: the same counts
    assert again.notes == ("nothing changed since the last build",)
    assert line(again.summary()) == (
        "built 9 HTML pages (0 written, 9 unchanged), 3 media files (0 processed, 3 cached)"
        + SKIPPED)

    (root / "content/one.md").touch()  # past the no-op check, through the engine
    touched = build(root)
    assert touched.notes == ()
    assert line(touched.summary()) == line(again.summary())

    (root / "content/two.md").write_text(article("Two, updated", "2025-07-02",
                                                 body="![The quay again](media/quay.jpg)"))
    edited = build(root)
    after = snapshot(site)
    changed = {rel for rel in pages if after[rel][0] != before[rel][0]}
    assert edited.pages_written == len(changed) > 0
    assert line(edited.summary()) == (
        f"built 9 HTML pages ({len(changed)} written, {9 - len(changed)} unchanged), "
        "3 media files (0 processed, 3 cached)" + SKIPPED)

    (root / "media/clip.mp4").unlink()
    make_clip(root / "media/clip.mp4", duration=1.2)  # one source changes: one processed
    assert build(root).summary().split(", 0 warnings")[0].endswith(
        "3 media files (1 processed, 2 cached)")

    with_drafts = build(root, drafts=True, future=True)
    assert line(with_drafts.summary()).endswith(
        "4 media files (1 processed, 3 cached), 0 warnings")  # the draft's photo, now used


def test_summary_on_the_command_line(root: Path) -> None:
    built = run_cli(root, "build", "--future")
    assert built.returncode == 0, built.stderr
    assert re.fullmatch(
        r"built 10 HTML pages \(10 written, 0 unchanged\), 3 media files \(3 processed, "
        r"0 cached\), 0 warnings, 2 drafts skipped \(--drafts to include\) in \d+\.\d\d s",
        built.stdout.strip().splitlines()[-1]), built.stdout
