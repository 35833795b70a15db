"""Faults and regressions of the build graph: a build killed in the middle of its commit,
outputs that collide, the sitemap split, and the stale-listing bug of theme.toml sizes."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reelpress.pipeline import BuildOptions, build_site

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
REPO = Path(__file__).resolve().parents[1]
SITE_TOML = 'title = "Fault Daily"\nbase_url = "https://example.org/"\nper_page = 2\n'
BUILD = ("import datetime as dt, sys; from pathlib import Path; "
         "from reelpress.pipeline import BuildOptions, build_site; "
         "r = build_site(BuildOptions(root=Path(sys.argv[1]), jobs=1, quiet=True, "
         "now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))); sys.exit(0 if r.ok else 1)")


def story(number: int, title: str) -> str:
    day = dt.date(2025, 1, 1) + dt.timedelta(days=number)
    return (f"---\ntitle: {title}\ndate: {day.isoformat()}\ntags: [Tag{number % 3}]\n"
            f"summary: About {title}\n---\n\nBody of {title}.\n")


def build_in_process(root: Path) -> None:
    result = build_site(BuildOptions(root=root, now=NOW, jobs=1, quiet=True))
    assert result.ok, [d.format() for d in result.diagnostics]


def build_in_subprocess(root: Path, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-c", BUILD, str(root)], capture_output=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), **env}, timeout=300)


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def cold(root: Path, target: Path) -> dict[str, bytes]:
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("site", ".reelpress-cache"))
    assert build_in_subprocess(target).returncode == 0
    return tree(target / "site")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_at_random_points_of_the_commit_then_the_next_build_is_cold(
        tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = tmp_path / "live"
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML)
    (root / "site.toml").write_text(SITE_TOML + '[search]\nenabled = false\n')
    for number in range(1, 9):
        (root / "content" / f"story-{number}.md").write_text(story(number, f"Story {number}"))
    build_in_process(root)
    for round_number in range(3):
        for number in rng.sample(range(1, 9), 3):  # titles: pages, listings and feeds move
            (root / "content" / f"story-{number}.md").write_text(
                story(number, f"Story {number} take {round_number}"))
        (root / "content" / f"story-{rng.randint(1, 8)}.md").unlink(missing_ok=True)
        kill_at = rng.randint(1, 12)
        killed = build_in_subprocess(root, REELPRESS_FAULT_KILL_AT_MOVE=str(kill_at))
        assert killed.returncode in (-signal.SIGKILL, 0), killed.stderr
        build_in_process(root)  # the next build, after the crash
        expected = cold(root, tmp_path / f"cold-{round_number}")
        assert tree(root / "site") == expected, f"round {round_number}, killed at {kill_at}"
        assert not list(tmp_path.glob("live/.site.staging-*"))


def test_outputs_that_need_a_file_and_a_folder_of_one_name_collide_before_anything_moves(
        tmp_path: Path) -> None:
    from sitebuilder import assert_no_traceback, run_cli

    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "content" / "a.md").write_text(story(1, "A"))
    assert run_cli(tmp_path).returncode == 0
    before = tree(tmp_path / "site")
    (tmp_path / "content" / "b.md").write_text(story(2, "B").replace(
        "tags:", "slug: a/index.html\ntags:"))
    process = run_cli(tmp_path)
    assert process.returncode == 1
    assert_no_traceback(process)
    assert "content/b.md" in process.stderr or "collide" in process.stderr
    assert tree(tmp_path / "site") == before  # nothing moved
    assert not list(tmp_path.glob(".site.staging-*"))


def test_path_conflicts_names_the_file_that_a_folder_needs() -> None:
    from reelpress.output.writer import path_conflicts

    assert path_conflicts({"robots.txt", "robots.txt/index.html", "a/b.html"}) == ["robots.txt"]
    assert path_conflicts({"a/index.html", "a/b/index.html", "b.html"}) == []


def test_B4_a_site_past_the_sitemap_limit_gets_a_sitemap_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More than 50,000 URLs used to end with a traceback from sitemap.py; the limit is
    lowered here so five articles are enough to cross it."""
    import xml.etree.ElementTree as ET

    from reelpress.render import site_pages

    monkeypatch.setattr(site_pages, "MAX_URLS_PER_SITEMAP", 3)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    for number in range(1, 6):
        (tmp_path / "content" / f"story-{number}.md").write_text(story(number, f"S{number}"))
    build_in_process(tmp_path)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.parse(tmp_path / "site" / "sitemap.xml").getroot()
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    parts = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    assert parts and all(p.startswith("https://example.org/sitemap-") for p in parts)
    urls: list[str] = []
    for part in parts:
        root = ET.parse(tmp_path / "site" / part.rsplit("/", 1)[1]).getroot()
        locs = [loc.text or "" for loc in root.findall("s:url/s:loc", ns)]
        assert 0 < len(locs) <= 3
        urls += locs
    assert len(urls) == len(set(urls))
    assert {f"https://example.org/story-{n}/" for n in range(1, 6)} <= set(urls)


def test_B1_theme_toml_image_sizes_edit_reaches_the_listings(tmp_path: Path) -> None:
    from PIL import Image

    theme = tmp_path / "themes" / "mine"
    theme.mkdir(parents=True)
    (theme / "theme.toml").write_text('extends = "default"\n[image_sizes]\nlead = "11vw"\n')
    (tmp_path / "content").mkdir()
    (tmp_path / "media").mkdir()
    Image.new("RGB", (160, 100), (200, 30, 30)).save(tmp_path / "media" / "p.jpg")
    (tmp_path / "site.toml").write_text(SITE_TOML + 'theme = "mine"\n[images]\nwidths = [64]\n'
                                        "avif = false\ncard_width = 120\ncard_height = 63\n")
    (tmp_path / "content" / "a.md").write_text(
        "---\ntitle: A\ndate: 2025-07-01\nimage: media/p.jpg\nimage_alt: P\n---\nBody.\n")
    build_in_process(tmp_path)
    assert 'sizes="11vw"' in (tmp_path / "site" / "index.html").read_text()
    (theme / "theme.toml").write_text('extends = "default"\n[image_sizes]\nlead = "21vw"\n')
    build_in_process(tmp_path)
    home = (tmp_path / "site" / "index.html").read_text()
    assert 'sizes="21vw"' in home and 'sizes="11vw"' not in home
