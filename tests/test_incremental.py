"""Incremental builds must equal cold builds, byte for byte, and touch only what changed."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest

from reelpress.pipeline import BuildOptions, BuildResult, build_site

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TAGS = ["Paris", "Politics", "Culture", "Sport", "Science", "Climate"]
SITE_TOML = 'title = "Incremental Daily"\nbase_url = "https://example.org/news/"\nper_page = 3\n'
PARTIAL = "templates/partials/card.html"


def article(rng: random.Random, number: int) -> str:
    tags = rng.sample(TAGS, rng.randint(1, 3))
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
    words = " ".join(rng.choice(["fire", "ledge", "city", "medal", "crowd", "smoke", "stairs"])
                     for _ in range(rng.randint(20, 60)))
    faq = "" if rng.random() < 0.5 else (
        f"faq:\n  - q: Question {number}?\n    a: Answer {number} with *emphasis*.\n")
    return (f"---\ntitle: Story {number} {rng.randint(0, 99)}\ndate: {day.isoformat()}\n"
            f"tags: [{', '.join(tags)}]\nsummary: Summary {number}\n{faq}---\n\n"
            f"## Part one\n\n{words}\n\n- a\n- b\n")


def build(root: Path, *, force: bool = False) -> BuildResult:
    result = build_site(BuildOptions(root=root, now=NOW, force=force, jobs=1))
    assert result.ok, [d.format() for d in result.diagnostics]
    return result


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*")) if p.is_file()}


def cold_copy(source: Path, target: Path) -> dict[str, bytes]:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for name in ("site.toml", "content", "templates"):
        if (source / name).is_file():
            shutil.copy2(source / name, target / name)
        elif (source / name).is_dir():
            shutil.copytree(source / name, target / name)
    build(target, force=True)
    return tree(target / "site")


def edit(rng: random.Random, root: Path, counter: list[int]) -> str:
    content = root / "content"
    files = sorted(content.glob("*.md"))
    action = rng.choice(["add", "edit", "rename", "delete", "retag", "template", "partial"])
    if action == "add" or not files:
        counter[0] += 1
        (content / f"story-{counter[0]}.md").write_text(article(rng, counter[0]))
        return "add"
    victim = rng.choice(files)
    if action == "edit":
        victim.write_text(victim.read_text() + f"\nA new paragraph {rng.random()}.\n")
    elif action == "rename":
        counter[0] += 1
        victim.rename(content / f"renamed-{counter[0]}.md")
    elif action == "delete" and len(files) > 2:
        victim.unlink()
    elif action == "retag":
        text = victim.read_text()
        start = text.index("tags: [")
        end = text.index("]", start)
        new_tags = ", ".join(rng.sample(TAGS, rng.randint(1, 3)))
        victim.write_text(text[:start] + f"tags: [{new_tags}" + text[end:])
    elif action == "template":
        override = root / "templates" / "article.html"
        override.parent.mkdir(exist_ok=True)
        default = Path(__file__).parents[1] / "reelpress/themes/default/templates/article.html"
        override.write_text(default.read_text().replace("article__byline",
                                                        f"article__byline v{rng.randint(0, 9)}"))
    elif action == "partial":
        partial = root / PARTIAL
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text((Path(__file__).parents[1] / "reelpress/themes/default/templates/"
                            "partials/card.html").read_text() + f"<!-- {rng.random()} -->\n")
    return action


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_build_equals_cold_build_over_random_edits(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = tmp_path / "live"
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML)
    counter = [0]
    for _ in range(6):
        counter[0] += 1
        (root / "content" / f"story-{counter[0]}.md").write_text(article(rng, counter[0]))
    build(root)
    for step in range(10):
        action = edit(rng, root, counter)
        build(root)
        expected = cold_copy(root, tmp_path / "cold")
        assert tree(root / "site") == expected, f"step {step} ({action}) differs from a cold build"


def test_no_op_rebuild_writes_nothing_and_keeps_mtimes(tmp_path: Path) -> None:
    rng = random.Random(7)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    for number in range(1, 9):
        (tmp_path / "content" / f"story-{number}.md").write_text(article(rng, number))
    build(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*") if p.is_file()}
    again = build(tmp_path)
    assert again.written == ()
    assert again.pages_rendered == 0
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before


def test_one_article_edit_rewrites_that_page_and_the_pages_listing_it(tmp_path: Path) -> None:
    rng = random.Random(11)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    for number in range(1, 13):
        (tmp_path / "content" / f"story-{number}.md").write_text(article(rng, number))
    first = build(tmp_path)
    target = tmp_path / "content" / "story-5.md"
    target.write_text(target.read_text() + "\nOne more sentence.\n")
    result = build(tmp_path)
    pages = {w for w in result.written if w.endswith(".html")}
    assert "story-5/index.html" in pages
    # Only the article itself: its body is not shown on listings, so they stay as they were.
    assert pages == {"story-5/index.html"}
    assert result.pages_unchanged == first.pages_written + first.pages_unchanged - 1


def test_template_edit_rerenders_only_pages_using_it(tmp_path: Path) -> None:
    rng = random.Random(5)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    for number in range(1, 7):
        (tmp_path / "content" / f"story-{number}.md").write_text(article(rng, number))
    build(tmp_path)
    override = tmp_path / "templates" / "tags.html"
    override.parent.mkdir()
    default = Path(__file__).parents[1] / "reelpress/themes/default/templates/tags.html"
    override.write_text(default.read_text().replace('class="listing__title"',
                                                       'class="listing__title all-topics"'))
    result = build(tmp_path)
    assert result.pages_rendered == 1
    assert [w for w in result.written if w.endswith(".html")] == ["tags/index.html"]


def test_site_toml_edit_invalidates_everything(tmp_path: Path) -> None:
    rng = random.Random(9)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    for number in range(1, 5):
        (tmp_path / "content" / f"story-{number}.md").write_text(article(rng, number))
    build(tmp_path)
    (tmp_path / "site.toml").write_text(SITE_TOML.replace("Incremental Daily", "Renamed Daily"))
    result = build(tmp_path)
    html = [w for w in result.written if w.endswith(".html")]
    assert len(html) == result.pages_written + result.pages_unchanged
    assert "Renamed Daily" in (tmp_path / "site/story-1/index.html").read_text()


def test_corrupt_build_cache_is_discarded_with_a_note(tmp_path: Path) -> None:
    rng = random.Random(3)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "content" / "story-1.md").write_text(article(rng, 1))
    build(tmp_path)
    (tmp_path / ".reelpress-cache" / "build.pickle").write_bytes(b"not a pickle at all")
    (tmp_path / "content" / "story-2.md").write_text(article(rng, 2))  # a real build is needed
    result = build(tmp_path)
    assert any("build cache unreadable" in note for note in result.notes)
    assert (tmp_path / "site/story-1/index.html").is_file()


def test_no_op_rebuild_is_answered_from_the_last_build_record(tmp_path: Path) -> None:
    rng = random.Random(21)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    for number in range(1, 4):
        (tmp_path / "content" / f"story-{number}.md").write_text(article(rng, number))
    first = build(tmp_path)
    again = build(tmp_path)
    assert "nothing changed since the last build" in again.notes
    assert again.pages_unchanged == first.pages_written + first.pages_unchanged


def test_hand_edited_output_is_restored_by_the_next_build(tmp_path: Path) -> None:
    rng = random.Random(22)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "content" / "story-1.md").write_text(article(rng, 1))
    build(tmp_path)
    page = tmp_path / "site" / "story-1" / "index.html"
    original = page.read_bytes()
    page.write_text("vandalised")
    (tmp_path / "site" / "index.html").unlink()
    result = build(tmp_path)
    assert "nothing changed since the last build" not in result.notes
    assert page.read_bytes() == original
    assert (tmp_path / "site" / "index.html").is_file()


def test_future_article_appears_once_its_date_has_come(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "content" / "now.md").write_text("---\ntitle: Now\ndate: 2025-12-01\n---\nx\n")
    (tmp_path / "content" / "soon.md").write_text(
        "---\ntitle: Soon\ndate: 2026-01-02 08:00:00+00:00\n---\nx\n")
    build(tmp_path)
    assert not (tmp_path / "site" / "soon" / "index.html").exists()
    later = build_site(BuildOptions(root=tmp_path, now=NOW + dt.timedelta(days=2), jobs=1))
    assert later.ok
    assert "nothing changed since the last build" not in later.notes
    assert (tmp_path / "site" / "soon" / "index.html").is_file()


def test_a_stale_pages_cache_from_the_preview_is_safe(tmp_path: Path) -> None:
    """The preview saves its page records now and then; a build that reads an older copy
    must still produce exactly what a cold build does."""
    from reelpress.build.cache import BuildSession

    rng = random.Random(31)
    root = tmp_path / "live"
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML)
    for number in range(1, 6):
        (root / "content" / f"story-{number}.md").write_text(article(rng, number))
    session = BuildSession()
    assert build_site(BuildOptions(root=root, now=NOW, jobs=1), session=session).ok
    session.save_interval = 3600.0  # from now on the preview keeps its pages in memory only
    counter = [5]
    for _ in range(4):
        edit(rng, root, counter)
        assert build_site(BuildOptions(root=root, now=NOW, jobs=1), session=session).ok
    build(root)  # a separate process would start from the stale copy on disk
    assert tree(root / "site") == cold_copy(root, tmp_path / "cold")
