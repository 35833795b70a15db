"""Incremental builds must equal cold builds, byte for byte, and touch only what changed."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest
from mounts import file_tree as tree

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


def stories(root: Path, *, seed: int, count: int) -> random.Random:
    """A site of `count` random stories (story-1.md...); the generator, for more."""
    rng = random.Random(seed)
    (root / "content").mkdir()
    (root / "site.toml").write_text(SITE_TOML)
    for number in range(1, count + 1):
        (root / "content" / f"story-{number}.md").write_text(article(rng, number))
    return rng


def build(root: Path, *, force: bool = False) -> BuildResult:
    result = build_site(BuildOptions(root=root, now=NOW, force=force, jobs=1))
    assert result.ok, [d.format() for d in result.diagnostics]
    return result


def cold_copy(source: Path, target: Path) -> dict[str, bytes]:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for name in ("site.toml", "content", "templates", "static"):
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
    stories(tmp_path, seed=7, count=8)
    build(tmp_path)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*") if p.is_file()}
    again = build(tmp_path)
    assert again.written == ()
    assert again.pages_rendered == 0
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*") if p.is_file()}
    assert after == before


def test_one_article_edit_rewrites_that_page_and_the_pages_listing_it(tmp_path: Path) -> None:
    stories(tmp_path, seed=11, count=12)
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
    stories(tmp_path, seed=5, count=6)
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
    stories(tmp_path, seed=9, count=4)
    build(tmp_path)
    (tmp_path / "site.toml").write_text(SITE_TOML.replace("Incremental Daily", "Renamed Daily"))
    result = build(tmp_path)
    html = [w for w in result.written if w.endswith(".html")]
    assert len(html) == result.pages_written + result.pages_unchanged
    assert "Renamed Daily" in (tmp_path / "site/story-1/index.html").read_text()


def test_corrupt_index_is_discarded_with_a_note(tmp_path: Path) -> None:
    rng = random.Random(3)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "content" / "story-1.md").write_text(article(rng, 1))
    build(tmp_path)
    index = tmp_path / ".reelpress-cache" / "index.sqlite"
    index.write_bytes(b"not a database at all" * 100)
    for extra in (".reelpress-cache/index.sqlite-wal", ".reelpress-cache/index.sqlite-shm"):
        (tmp_path / extra).unlink(missing_ok=True)
    (tmp_path / "content" / "story-2.md").write_text(article(rng, 2))  # a real build is needed
    result = build(tmp_path)
    assert any("build index unreadable" in note for note in result.notes)
    assert tree(tmp_path / "site") == cold_copy(tmp_path, tmp_path.parent / "cold-index")
    assert "nothing changed since the last build" in build(tmp_path).notes  # a new index works


def test_after_an_edit_the_next_build_is_the_no_op(tmp_path: Path) -> None:
    """The index records the stat of outputs the edit build kept (taken when they were
    checked) and of the sources as they were read: both must be right for the build
    after an edit to be answered from the record."""
    stories(tmp_path, seed=22, count=4)
    build(tmp_path)
    story = tmp_path / "content" / "story-3.md"
    story.write_text(story.read_text() + "\nOne more line.\n")
    edited = build(tmp_path)
    assert "nothing changed since the last build" not in edited.notes
    assert edited.pages_unchanged > 0  # most pages were kept: their stat came from the check
    assert "nothing changed since the last build" in build(tmp_path).notes


def test_no_op_rebuild_is_answered_from_the_last_build_record(tmp_path: Path) -> None:
    stories(tmp_path, seed=21, count=3)
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


def test_touch_parses_nothing_and_renders_nothing(tmp_path: Path) -> None:
    """Early cutoff: a file with new stat but the same bytes gives the same page record,
    so nothing downstream runs again."""
    stories(tmp_path, seed=31, count=5)
    first = build(tmp_path)
    assert first.pages_parsed == 5
    for path in (tmp_path / "content").glob("*.md"):
        path.write_bytes(path.read_bytes())
    again = build(tmp_path)
    assert "nothing changed since the last build" not in again.notes
    assert (again.pages_parsed, again.views_built, again.pages_rendered, again.written) == \
        (0, 0, 0, ())


def test_one_edit_parses_only_that_file(tmp_path: Path) -> None:
    stories(tmp_path, seed=32, count=5)
    build(tmp_path)
    target = tmp_path / "content" / "story-2.md"
    target.write_text(target.read_text() + "\nMore.\n")
    result = build(tmp_path)
    assert result.pages_parsed == 1
    # its page, and the listings and feeds that hold the article: not every output
    assert 0 < result.views_built < result.pages_written + result.pages_unchanged - 5


def test_identical_bytes_are_not_rewritten(tmp_path: Path) -> None:
    """A view that changed in a part the template does not show renders the same bytes:
    the file keeps its inode and mtime, and is not reported written."""
    rng = random.Random(33)
    (tmp_path / "content").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "templates" / "article.html").write_text("<p>{{ page.title }}</p>\n")
    for number in range(1, 3):
        (tmp_path / "content" / f"story-{number}.md").write_text(article(rng, number))
    build(tmp_path)
    page = tmp_path / "site" / "story-1" / "index.html"
    before = page.stat()
    source = tmp_path / "content" / "story-1.md"
    source.write_text(source.read_text() + "\nA paragraph the template ignores.\n")
    result = build(tmp_path)
    assert any(line.startswith("story-1/index.html: ") for line in result.explanations)
    assert "story-1/index.html" not in result.written
    after = page.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_unchanged_static_files_are_neither_copied_nor_compared(tmp_path: Path) -> None:
    rng = random.Random(34)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "content" / "story-1.md").write_text(article(rng, 1))
    first = build(tmp_path)
    assert first.files_compared > 0  # the first build compares what it publishes
    statics = {p: (p.stat().st_ino, p.stat().st_mtime_ns)
               for p in (tmp_path / "site" / "static").rglob("*") if p.is_file()}
    source = tmp_path / "content" / "story-1.md"
    source.write_text(source.read_text() + "\nMore.\n")
    result = build(tmp_path)
    assert result.files_compared == 0
    assert not [w for w in result.written if w.startswith("static/")]
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in statics} == statics
    (tmp_path / "static").mkdir()
    css = Path(__file__).parents[1] / "reelpress/themes/default/static/style.css"
    (tmp_path / "static" / "style.css").write_bytes(css.read_bytes())  # same bytes, new file
    touched = build(tmp_path)
    assert touched.files_compared == 1
    assert touched.written == ()


def test_title_edit_rewrites_its_page_and_the_listings_that_show_it(tmp_path: Path) -> None:
    stories(tmp_path, seed=35, count=7)
    build(tmp_path)
    source = tmp_path / "content" / "story-4.md"
    text = source.read_text()
    old_title = text.split("title: ", 1)[1].split("\n", 1)[0]
    source.write_text(text.replace(f"title: {old_title}", "title: A brand new headline"))
    result = build(tmp_path)
    written = {w for w in result.written if not w.startswith("pagefind/")}  # search index
    showing = {rel for rel, data in tree(tmp_path / "site").items()
               if b"A brand new headline" in data}
    assert "story-4/index.html" in showing and "archive/index.html" in showing
    assert written == showing  # exactly the files that show the title, nothing else
    assert "sitemap.xml" not in written


def test_explain_names_the_part_of_the_view_that_changed(tmp_path: Path) -> None:
    from sitebuilder import run_cli

    stories(tmp_path, seed=36, count=2)
    assert run_cli(tmp_path).returncode == 0
    source = tmp_path / "content" / "story-1.md"
    source.write_text(source.read_text() + "\nMore.\n")
    process = run_cli(tmp_path, "--explain")
    assert process.returncode == 0, process.stderr
    lines = [line for line in process.stdout.splitlines() if line.startswith("explain: ")]
    # the body shows on the page (and its word count in the JSON-LD), and in the feeds
    assert "explain: story-1/index.html: head.jsonld, page.body changed" in lines
    assert lines[0].startswith("explain: delta build: ")  # its page and feeds decided alone
    others = [line for line in lines[1:] if not line.startswith("explain: story-1/")]
    assert others and all(line.endswith(("feed.xml: entries changed", "rss.xml: entries changed",
                                         "feed.json: entries changed")) for line in others)


def test_damaged_cached_body_is_a_miss_made_again_in_the_same_build(tmp_path: Path) -> None:
    """Was: the build failed once with "build cache damaged" (the entry dropped, made
    again by the next build). An unreadable entry is a miss: the same build prepares
    the page afresh."""
    rng = random.Random(37)
    (tmp_path / "content").mkdir()
    (tmp_path / "site.toml").write_text(SITE_TOML)
    (tmp_path / "content" / "story-1.md").write_text(article(rng, 1))
    build(tmp_path)
    blobs = [p for p in (tmp_path / ".reelpress-cache" / "blobs").rglob("*") if p.is_file()]
    for blob in blobs:  # same size, other bytes: only the digest check can tell
        blob.write_bytes(bytes(len(blob.read_bytes())))
    (tmp_path / "templates").mkdir()
    article_html = Path(__file__).parents[1] / "reelpress/themes/default/templates/article.html"
    (tmp_path / "templates" / "article.html").write_text(article_html.read_text() + "\n")
    repaired = build(tmp_path)
    assert not repaired.errors and repaired.pages_parsed == 1
    assert tree(tmp_path / "site") == cold_copy(tmp_path, tmp_path.parent / "cold-blob")
