"""The build graph's safety net: after every random edit, an incremental build equals a
cold build byte for byte. The edits cover everything a page can depend on: titles,
summaries and dates (listing order), tags, bodies, photos and videos replaced under the
same name, caption files, a theme's theme.toml, a partial used only by listings, an
article template, site.toml, photos outside media/, and articles added and removed.

"Cold" keeps the content-addressed media cache (re-encoding every clip after every step
would take minutes; that cache has its own tests) and starts the page side from nothing:
no index, no blobs, an empty site/.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from cold_build import cold_result, tree
from media_clips import make_clip
from PIL import Image

from reelpress.pipeline import BuildOptions, BuildResult, ResidentGraph, build_site

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TAGS = ["Paris", "Politics", "Culture", "Sport", "Science"]
WORDS = ["fire", "ledge", "city", "medal", "crowd", "smoke", "stairs", "rain"]
SITE_TOML = """title = "Graph Daily"
base_url = "https://example.org/news/"
per_page = 3
theme = "mine"
[images]
widths = [64, 128]
avif = false
card_width = 120
card_height = 63
[video]
av1 = false
max_height = 120
poster_candidates = 1
"""
THEME_TOML = 'extends = "default"\n[image_sizes]\nlead = "{}vw"\ncard = "{}vw"\n'
DEFAULT_TEMPLATES = Path(__file__).parents[1] / "reelpress/themes/default/templates"


def article(rng: random.Random, number: int, *, media: str = "") -> str:
    tags = rng.sample(TAGS, rng.randint(1, 2))
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 30)))
    faq = "" if rng.random() < 0.5 else (
        f"faq:\n  - q: Question {number}?\n    a: Answer *{number}*.\n")
    return (f"---\ntitle: Story {number} {rng.randint(0, 99)}\ndate: {day.isoformat()}\n"
            f"tags: [{', '.join(tags)}]\nsummary: Summary {number}\n{media}{faq}---\n\n"
            f"## Part one\n\n{words}\n")


def photo(path: Path, rng: random.Random) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    colour = tuple(rng.randint(0, 255) for _ in range(3))
    Image.new("RGB", (160, 100), colour).save(path, "JPEG", quality=80)


def clip(path: Path, rng: random.Random) -> None:
    make_clip(path, size="160x120", duration=0.4, rate=10 + rng.randint(0, 5), audio=False)


def make_site(root: Path, rng: random.Random) -> None:
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML)
    theme = root / "themes" / "mine"
    theme.mkdir(parents=True)
    (theme / "theme.toml").write_text(THEME_TOML.format(30, 20))
    photo(root / "media" / "hero.jpg", rng)
    photo(root / "photos" / "outside.jpg", rng)
    clip(root / "media" / "clip.mp4", rng)
    (root / "media" / "clip.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:00.400\nHello\n")
    heroes = {1: "image: media/hero.jpg\nimage_alt: A hero\n",
              2: "image: photos/outside.jpg\nimage_alt: Outside\n"}
    for number in range(1, 6):
        (root / "content" / f"story-{number}.md").write_text(
            article(rng, number, media=heroes.get(number, "")))
    with (root / "content" / "story-3.md").open("a") as handle:
        handle.write("\n![The clip](media/clip.mp4)\n")


def _front_matter_edit(rng: random.Random, path: Path, field: str) -> None:
    lines = path.read_text().split("\n")
    for index, line in enumerate(lines):
        if line.startswith(f"{field}:"):
            if field == "date":
                day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
                lines[index] = f"date: {day.isoformat()}"
            elif field == "tags":
                lines[index] = f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 2)))}]"
            else:
                lines[index] = f"{field}: {field.title()} {rng.randint(100, 999)}"
    path.write_text("\n".join(lines))


def edit(rng: random.Random, root: Path, counter: list[int]) -> str:
    content = root / "content"
    files = sorted(content.glob("*.md"))
    action = rng.choice(["add", "delete", "body", "body", "faq", "title", "summary", "date",
                         "tags",
                         "photo", "outside-photo", "video", "caption", "theme-toml", "partial",
                         "template", "site-toml", "touch"])
    victim = rng.choice(files)
    if action == "add":
        counter[0] += 1
        (content / f"story-{counter[0]}.md").write_text(article(rng, counter[0]))
    elif action == "delete" and len(files) > 3 and victim.name not in (
            "story-1.md", "story-2.md", "story-3.md"):
        victim.unlink()
    elif action == "body":
        victim.write_text(victim.read_text() + f"\nA new paragraph {rng.random()}.\n")
    elif action == "faq":  # a `::: faq` block in the body: its page and feeds alone
        victim.write_text(victim.read_text() + f"\n::: faq\n### Why {rng.randint(0, 99)}?\n"
                          f"Because {rng.random()}.\n:::\n")
    elif action in ("title", "summary", "date", "tags"):
        _front_matter_edit(rng, victim, action)
    elif action == "photo":
        photo(root / "media" / "hero.jpg", rng)
    elif action == "outside-photo":
        photo(root / "photos" / "outside.jpg", rng)
    elif action == "video":
        clip(root / "media" / "clip.mp4", rng)
    elif action == "caption":
        (root / "media" / "clip.en.vtt").write_text(
            f"WEBVTT\n\n00:00.000 --> 00:00.400\nLine {rng.randint(0, 99)}\n")
    elif action == "theme-toml":
        (root / "themes/mine/theme.toml").write_text(
            THEME_TOML.format(rng.randint(10, 90), rng.randint(10, 90)))
    elif action == "partial":  # included by listing templates only
        partial = root / "themes/mine/templates/partials/card.html"
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text((DEFAULT_TEMPLATES / "partials/card.html").read_text()
                           + f"<!-- {rng.random()} -->\n")
    elif action == "template":
        override = root / "templates" / "article.html"
        override.parent.mkdir(exist_ok=True)
        override.write_text((DEFAULT_TEMPLATES / "article.html").read_text().replace(
            "min read", f"min read {rng.randint(0, 9)}"))
    elif action == "site-toml":
        (root / "site.toml").write_text(SITE_TOML.replace(
            "Graph Daily", f"Graph Daily {rng.randint(0, 99)}"))
    elif action == "touch":
        victim.touch()
    return action


def build(root: Path, *, force: bool = False, resident: ResidentGraph | None = None,
          delta: bool = True) -> BuildResult:
    """`delta=False`: the caller says it checked (`checked=True`), so no build takes the
    delta path: every edit goes through the full build and the resident graph."""
    result = build_site(BuildOptions(root=root, now=NOW, force=force, jobs=1, quiet=True),
                        resident=resident, checked=not delta)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result


@pytest.mark.parametrize(("seed", "in_memory", "delta"),
                         [(1, False, True), (2, False, True), (3, True, True), (4, True, False)],
                         ids=["seed1-index", "seed2-index", "seed3-resident",
                              "seed4-resident-full"])
def test_incremental_build_equals_cold_build_over_random_edits(tmp_path: Path, seed: int,
                                                               in_memory: bool,
                                                               delta: bool) -> None:
    """`index`: each build a new process would be (the CLI), from the index alone.
    `resident`: one graph kept in memory across builds, as the preview keeps it. Body
    edits take the delta path (`build/delta.py`) but in `full`, where every build goes
    through the full build and the resident graph."""
    rng = random.Random(seed)
    root = tmp_path / "live"
    resident = ResidentGraph() if in_memory else None
    make_site(root, rng)
    build(root, resident=resident, delta=delta)
    counter = [5]
    for step in range(10):
        action = edit(rng, root, counter)
        result = build(root, resident=resident, delta=delta)
        if delta and action in ("body", "faq"):  # its page and its feeds (site, 2 tags)
            assert result.outputs_decided <= 1 + 3 * 3, f"step {step} ({action}): not a delta"
        expected = cold_result(root, tmp_path / "cold")
        actual = tree(root / "site")
        differing = sorted(k for k in actual.keys() | expected.keys()
                           if actual.get(k) != expected.get(k))
        assert not differing, f"step {step} ({action}): {differing[:5]} differ from a cold build"
