"""The delta path (`build/delta.py`): an edit that leaves every page's outline as it was
decides only the outputs that read the edited page, and gives exactly the cold result;
anything else gives way to the full build."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from cold_build import cold_result, tree
from PIL import Image

from reelpress.pipeline import BuildOptions, BuildResult, build_site

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SITE_TOML = ('title = "Delta Daily"\nbase_url = "https://example.org/"\nper_page = 3\n'
             "feed_entries = 2\n")
TAGS = {1: "Paris", 2: "Paris", 3: "Sport", 4: "Paris, Sport", 5: "Science", 6: "Science"}


def _story(number: int, body: str = "") -> str:
    return (f"---\ntitle: Story {number}\ndate: 2025-0{number}-01\ntags: [{TAGS[number]}]\n"
            f"summary: Summary {number}\n---\n\n## Part one\n\nWords of story {number}.\n{body}")


def _site(root: Path) -> BuildOptions:
    (root / "content").mkdir(parents=True)
    (root / "site.toml").write_text(SITE_TOML)
    for number in TAGS:
        (root / "content" / f"story-{number}.md").write_text(_story(number))
    (root / "content" / "draft.md").write_text(
        "---\ntitle: Draft\ndate: 2025-01-02\ndraft: true\n---\n\nNot yet.\n")
    return BuildOptions(root=root, now=NOW, jobs=1, quiet=True)


def _build(options: BuildOptions) -> BuildResult:
    result = build_site(options)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result


def _pages(result: BuildResult) -> list[str]:
    """What a build wrote, but the search index (Pagefind indexes the whole site)."""
    return [path for path in result.written if not path.startswith("pagefind/")]


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_a_body_edit_decides_only_its_page_and_the_feeds_that_show_it(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    everything = _build(options).outputs_decided
    story = tmp_path / "live/content/story-5.md"  # the second newest: in 3 of 4 feed sets
    _append(story, "\nA new paragraph with *emphasis*.\n")
    result = _build(options)
    # its page; Atom, RSS and JSON feeds of the site and of its tag (2 entries each)
    assert result.outputs_decided == 1 + 3 + 3, result.explanations
    assert everything > 20
    assert sorted(_pages(result)) == sorted([
        "story-5/index.html", "feed.xml", "rss.xml", "feed.json",
        "tags/science/feed.xml", "tags/science/rss.xml", "tags/science/feed.json"])
    assert result.explanations[0].startswith("delta build: 7 output(s)")
    assert "A new paragraph" in (tmp_path / "live/site/story-5/index.html").read_text()
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")
    assert build_site(options).notes == ("nothing changed since the last build",)


def test_an_edit_of_an_old_story_decides_its_page_alone(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    _build(options)
    _append(tmp_path / "live/content/story-1.md", "\nOlder news.\n")  # in no feed
    result = _build(options)
    assert result.outputs_decided == 1 and _pages(result) == ["story-1/index.html"]
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_edits_that_change_what_others_read_are_full_builds(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    (tmp_path / "live/media").mkdir()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(tmp_path / "live/media/p.jpg")
    everything = _build(options).outputs_decided
    story = tmp_path / "live/content/story-2.md"
    for old, new in (("title: Story 2", "title: Story Two"),          # listings, related
                     ("summary: Summary 2", "summary: Two"),           # cards
                     ("\nWords", "\n![A photo](media/p.jpg)\n\nWords")):  # media
        story.write_text(story.read_text().replace(old, new))
        result = _build(options)
        assert result.outputs_decided >= everything, old
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_an_editor_saving_through_a_temporary_file_is_still_a_delta(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    _build(options)
    story = tmp_path / "live/content/story-3.md"
    temporary = story.with_name(".story-3.md.swp")
    temporary.write_text(story.read_text() + "\nSaved the safe way.\n")
    os.replace(temporary, story)  # the folder's mtime changes: its files are compared
    result = _build(options)
    assert result.outputs_decided == 1 + 3  # its page and its tag's feeds (Sport: 4, 3)
    assert "Saved the safe way" in (tmp_path / "live/site/story-3/index.html").read_text()
    (tmp_path / "live/content/story-7.md").write_text(_story(1).replace("Story 1", "Seven"))
    added = _build(options)  # a file added: listings change, so a full build
    assert added.outputs_decided > 20 and "story-7/index.html" in added.written
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_draft_edited_or_published_is_handled(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    _build(options)
    draft = tmp_path / "live/content/draft.md"
    _append(draft, "\nStill not yet.\n")
    result = _build(options)
    assert result.outputs_decided == 0 and _pages(result) == []
    assert result.drafts_skipped == 1
    draft.write_text(draft.read_text().replace("draft: true\n", ""))
    published = _build(options)
    assert "draft/index.html" in published.written
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_warnings_of_other_pages_survive_a_delta_build(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    _append(tmp_path / "live/content/story-1.md", "\nSee [the missing one](nowhere.md).\n")
    first = _build(options)
    assert any("story-1.md" in w.path for w in first.warnings)
    _append(tmp_path / "live/content/story-4.md", "\nMore.\n")
    delta = _build(options)
    assert delta.outputs_decided < 20
    assert [w.format() for w in delta.warnings] == [w.format() for w in first.warnings]
    _append(tmp_path / "live/content/story-4.md", "\nSee [gone](gone.md).\n")
    worse = _build(options)
    assert sorted(w.path for w in worse.warnings) == ["content/story-1.md", "content/story-4.md"]
    assert [w.format() for w in build_site(options).warnings] == \
        [w.format() for w in worse.warnings]


def test_a_damaged_story_row_gives_way_to_the_full_build(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    everything = _build(options).outputs_decided
    with sqlite3.connect(tmp_path / "live/.reelpress-cache/index.sqlite") as db:
        db.execute("UPDATE story_records SET article = x'00'")
    _append(tmp_path / "live/content/story-5.md", "\nAfter the damage.\n")
    result = _build(options)
    assert result.outputs_decided == everything  # full: the row does not load
    assert "After the damage" in (tmp_path / "live/site/story-5/index.html").read_text()
    _append(tmp_path / "live/content/story-5.md", "\nAnd again.\n")
    assert _build(options).outputs_decided == 7  # the full build stored good rows again
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_page_deleted_from_site_is_made_again(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    everything = _build(options).outputs_decided
    (tmp_path / "live/site/tags/index.html").unlink()
    _append(tmp_path / "live/content/story-1.md", "\nMore.\n")
    result = _build(options)
    assert result.outputs_decided == everything and "tags/index.html" in result.written
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_faq_edit_in_the_body_is_a_delta(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    story = tmp_path / "live/content/story-6.md"
    _append(story, "\n::: faq\n### Why?\nBecause.\n:::\n")
    _build(options)
    story.write_text(story.read_text().replace("Because.", "Because of <b>this</b>."))
    result = _build(options)
    assert result.outputs_decided == 7
    assert "Because of" in (tmp_path / "live/site/story-6/index.html").read_text()
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_file_added_beside_an_edit_is_a_full_build(tmp_path: Path) -> None:
    """The new file is in no record: only the content folder's listing shows it."""
    options = _site(tmp_path / "live")
    everything = _build(options).outputs_decided
    _append(tmp_path / "live/content/story-3.md", "\nEdited too.\n")
    (tmp_path / "live/content/story-7.md").write_text(_story(1).replace("Story 1", "Seven"))
    result = _build(options)
    assert result.outputs_decided > everything and "story-7/index.html" in result.written
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_photo_dropped_from_a_body_takes_its_files_with_it(tmp_path: Path) -> None:
    """The first photo is the story's thumbnail (others read it); the second is read by
    nothing but the page, yet dropping it must remove its files: a full build."""
    options = _site(tmp_path / "live")
    (tmp_path / "live/media").mkdir()
    for name, colour in (("first.jpg", (200, 40, 40)), ("second.jpg", (40, 200, 40))):
        Image.new("RGB", (64, 48), colour).save(tmp_path / "live/media" / name)
    story = tmp_path / "live/content/story-2.md"
    _append(story, "\n![First](media/first.jpg)\n\n![Second](media/second.jpg)\n")
    _build(options)
    assert any("second" in path for path in tree(tmp_path / "live/site"))
    story.write_text(story.read_text().replace("![Second](media/second.jpg)", "No photo."))
    result = _build(options)
    assert result.outputs_decided > 20 and any("second" in path for path in result.removed)
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


class _WriteAtCommit:
    """A commit lock that writes a file as the build moves its outputs: after the build
    read its inputs, before it records their stats."""

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text

    def __enter__(self) -> None:
        self.path.write_text(self.text)

    def __exit__(self, *exc: object) -> None:
        return None


def test_an_input_changed_while_a_build_runs_shows_in_the_next_build(tmp_path: Path) -> None:
    """Was: the stats of inputs other than the sources were taken when the index was
    saved, so a file saved while a build ran was recorded as read: the next build said
    "nothing changed" (seen in the preview, whose pages hear of a build at its commit)."""
    options = _site(tmp_path / "live")
    _build(options)
    config = tmp_path / "live/site.toml"
    for number, edit in enumerate(("\nA body edit.\n", "title: Story Three\n"), start=1):
        story = tmp_path / "live/content/story-3.md"
        if edit.startswith("title"):  # a full build
            story.write_text(story.read_text().replace("title: Story 3\n", edit))
        else:  # a delta build
            _append(story, edit)
        title = f"Delta Daily {number}"
        during = _WriteAtCommit(config, SITE_TOML.replace("Delta Daily", title))
        assert build_site(options, commit_lock=during).ok
        after = _build(options)
        assert after.notes != ("nothing changed since the last build",)
        assert title in (tmp_path / "live/site/index.html").read_text()
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def _stored_whole(root: Path) -> set[str]:
    with sqlite3.connect(root / ".reelpress-cache/index.sqlite") as db:
        return {rel for (rel,) in db.execute("SELECT rel FROM story_records")}


def test_only_articles_a_feed_shows_beside_others_are_stored_whole(tmp_path: Path) -> None:
    """The delta path loads whole only a feed's other entries; story 1 is in no feed,
    so an edit of it needs no stored article at all."""
    options = _site(tmp_path / "live")
    _build(options)
    assert _stored_whole(tmp_path / "live") == {f"content/story-{n}.md" for n in (2, 3, 4, 5, 6)}
    with sqlite3.connect(tmp_path / "live/.reelpress-cache/index.sqlite") as db:
        db.execute("DELETE FROM story_records")
    _append(tmp_path / "live/content/story-1.md", "\nOlder news.\n")
    assert _build(options).outputs_decided == 1
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_story_that_joins_a_feed_unchanged_is_stored_whole(tmp_path: Path) -> None:
    """Story 2 leaves the Paris tag: story 1 joins its feed with its record as it was
    (no related stories to change it), so the full build must store it whole, or the
    next edit of story 4 finds a feed entry missing and gives way to a full build."""
    options = _site(tmp_path / "live")
    (tmp_path / "live/site.toml").write_text(SITE_TOML + "related_stories = 0\n")
    everything = _build(options).outputs_decided
    story = tmp_path / "live/content/story-2.md"
    story.write_text(story.read_text().replace("tags: [Paris]", "tags: [Science]"))
    assert _build(options).outputs_decided >= everything
    assert "content/story-1.md" in _stored_whole(tmp_path / "live")
    _append(tmp_path / "live/content/story-4.md", "\nMore from Paris.\n")
    result = _build(options)
    assert result.outputs_decided == 1 + 3 + 3, result.explanations  # page, Paris, Sport
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_damaged_links_record_gives_way_to_the_full_build(tmp_path: Path) -> None:
    options = _site(tmp_path / "live")
    everything = _build(options).outputs_decided
    with sqlite3.connect(tmp_path / "live/.reelpress-cache/index.sqlite") as db:
        db.execute("UPDATE story_links SET linked = x'00'")
    _append(tmp_path / "live/content/story-1.md", "\nAfter the damage.\n")
    assert _build(options).outputs_decided == everything
    _append(tmp_path / "live/content/story-1.md", "\nAnd again.\n")
    assert _build(options).outputs_decided == 1  # the full build stored it again
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_related_story_renamed_by_a_full_build_shows_in_the_next_delta(tmp_path: Path) -> None:
    """The full build after a title edit stores the related stories it chose anew: the
    delta build of a story that shows the renamed one must not show the old title."""
    options = _site(tmp_path / "live")
    _build(options)
    story = tmp_path / "live/content/story-2.md"
    story.write_text(story.read_text().replace("title: Story 2", "title: Story Two"))
    _build(options)
    _append(tmp_path / "live/content/story-1.md", "\nA later edit.\n")
    assert _build(options).outputs_decided == 1
    assert "Story Two" in (tmp_path / "live/site/story-1/index.html").read_text()
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")


def test_a_feed_of_one_story_is_decided_by_a_delta_of_it(tmp_path: Path) -> None:
    """A tag's feed that shows one story reads one article, yet is not that story's page:
    its spec is stored, and an edit of the story decides it."""
    options = _site(tmp_path / "live")
    solo = tmp_path / "live/content/solo.md"
    solo.write_text("---\ntitle: Solo\ndate: 2025-01-15\ntags: [Chess]\n---\n\nAlone.\n")
    _build(options)
    _append(solo, "\nStill alone.\n")
    result = _build(options)
    assert sorted(_pages(result)) == ["solo/index.html", "tags/chess/feed.json",
                                      "tags/chess/feed.xml", "tags/chess/rss.xml"]
    assert tree(tmp_path / "live/site") == cold_result(tmp_path / "live", tmp_path / "cold")
