"""The preview's resident graph does the work an edit needs and no more.

Correctness (a resident build equals a cold build byte for byte after every kind of
edit) is `test_graph_property.py`'s `resident` seeds. These tests check the other side:
that each memo is really used, so a memo that always misses goes red here. Counts are
read from the memos themselves (`last_misses`, `last_made`, `made`), after real builds of a site.
"""

from __future__ import annotations

import json
from pathlib import Path

from serve_helpers import write_preview_site
from sitebuilder import NOW, article, write_site

from reelpress.pipeline import BuildOptions, ResidentGraph, build_site
from reelpress.serve.preview import PreviewServer, ResidentBuild

TAGS = ["Paris", "Culture", "Sport"]


def _site(root: Path) -> BuildOptions:
    files = {f"content/story-{n}.md": article(
        f"Story {n}", f"2025-07-{n + 1:02d} 08:00:00", f"Body of story {n}.",
        tags=json.dumps([TAGS[n % 3], TAGS[(n + 1) % 3]])) for n in range(9)}
    files["content/fr/story-1.md"] = article("Histoire 1", "2025-07-02 09:00:00", "Corps.")
    write_site(root, {**files, "site.toml": 'title = "Resident"\nbase_url = '
                      '"https://example.org/"\nper_page = 4\n[search]\nenabled = false\n'})
    return BuildOptions(root=root, now=NOW, jobs=1, quiet=True)


def _build(options: BuildOptions, resident: ResidentGraph) -> None:
    # checked=True: no delta path (`build/delta.py`, which reads the index, not this
    # graph), so every build goes through the resident graph's memos
    result = build_site(options, checked=True, resident=resident)
    assert result.ok, [d.format() for d in result.diagnostics]


def test_a_body_edit_reuses_every_other_record_from_memory(tmp_path: Path) -> None:
    options = _site(tmp_path)
    resident = ResidentGraph()
    _build(options, resident)
    assert resident.articles.last_misses == 10 and resident.cards.made > 10

    story = tmp_path / "content/story-4.md"
    story.write_text(story.read_text() + "\nA new paragraph.\n")
    _build(options, resident)
    assert resident.prepared.last_misses == 1   # the edited page's new node, no other
    assert resident.articles.last_misses == 1   # one article assembled again
    assert resident.teasers.last_made == 1      # its teaser made again: equal, so kept
    assert resident.related.last_made == 0      # a body does not change related stories
    assert resident.with_related.last_made == 1
    assert resident.templates.last_misses == 0  # the theme was not touched
    # only the new article is digested again (the translated pair, made anew by the
    # translations stage, is the same two objects as before)
    assert resident.digests.last_misses == 1
    # inputs keys computed again: its page, the site's 3 feeds, the 3 feeds of each of
    # its 2 tags, the sitemap; every listing and every other page's key from memory
    assert resident.inputs.last_made == 11
    assert resident.cards.made == 0             # no listing is even viewed again
    assert "A new paragraph." in (tmp_path / "site/story-4/index.html").read_text()


def test_a_title_edit_chooses_related_stories_again(tmp_path: Path) -> None:
    options = _site(tmp_path)
    resident = ResidentGraph()
    _build(options, resident)
    # a build that views no listing keeps the cards of the ones it left as they were
    story = tmp_path / "content/story-4.md"
    story.write_text(story.read_text() + "\nA new paragraph.\n")
    _build(options, resident)
    story = tmp_path / "content/story-2.md"
    story.write_text(story.read_text().replace('"Story 2"', '"A new headline"'))
    _build(options, resident)
    assert resident.related.last_made == 1
    assert resident.articles.last_misses == 1
    # its card on each listing that shows it (home page 2, its two tags' page 2, the
    # archive), and no other card
    assert resident.cards.made == 4
    for page in ("story-2/index.html", "archive/index.html", "page/2/index.html",
                 "tags/paris/page/2/index.html"):
        assert "A new headline" in (tmp_path / "site" / page).read_text(), page


def test_translations_follow_edits_in_memory(tmp_path: Path) -> None:
    """Through one resident graph: a version turning French links both pages; then its
    new address shows in the English page's alternates."""
    files = {"content/lyon.md": article("Lyon lights", "2025-07-01 08:00:00", "Festival.",
                                        translation_key="lyon"),
             "content/lyon-lumieres.md": article("Les lumières", "2025-07-01 09:00:00",
                                                 "Fête.", translation_key="lyon", lang="en")}
    write_site(tmp_path, {**files, "site.toml": 'title = "Resident"\nbase_url = '
                          '"https://example.org/"\n[search]\nenabled = false\n'})
    options = BuildOptions(root=tmp_path, now=NOW, jobs=1, quiet=True)
    resident = ResidentGraph()
    _build(options, resident)
    english = tmp_path / "site/lyon/index.html"
    assert 'hreflang="fr"' not in english.read_text()
    lumieres = tmp_path / "content/lyon-lumieres.md"
    lumieres.write_text(lumieres.read_text().replace("lang: en", "lang: fr"))
    _build(options, resident)
    assert 'hreflang="fr" href="https://example.org/lyon-lumieres/"' in english.read_text()
    lumieres.write_text(lumieres.read_text().replace("lang: fr", "lang: fr\nslug: fete"))
    _build(options, resident)
    assert 'hreflang="fr" href="https://example.org/fete/"' in english.read_text()
    assert resident.translations.last_made == 1 and resident.with_translations.last_made == 2


def test_the_preview_builds_through_one_resident_graph(tmp_path: Path) -> None:
    options = write_preview_site(tmp_path)
    build = ResidentBuild()
    with PreviewServer(options, port=0, build=build, watch=False, say=lambda _: None) as preview:
        resident = build.resident
        assert isinstance(resident, ResidentGraph)
        assert resident.articles.last_misses == 2
        page = tmp_path / "content/paris.md"
        page.write_text(page.read_text().replace("first version", "second version"))
        result = preview.rebuild(frozenset({page}))
        assert result is not None and result.ok
        # a body edit: the delta path (its page and the feeds), the graph left alone
        assert 0 < result.outputs_decided < 10 and resident.articles.last_misses == 2
        assert "second version" in (tmp_path / "site/paris/index.html").read_text()
        page.write_text(page.read_text().replace("Paris rescue", "Paris rescued"))
        result = preview.rebuild(frozenset({page}))
        assert result is not None and result.ok and result.outputs_decided > 10
        assert build.resident is resident           # the same graph, not a new one
        assert resident.articles.last_misses == 1   # lyon came from memory
        assert "Paris rescued" in (tmp_path / "site/index.html").read_text()
