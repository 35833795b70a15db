"""Hostile front matter (issue 16): each defect found by the adversarial review, as a
regression test named after it. Every case must end in `file:line: message` lines, never
a traceback, and quickly."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sitebuilder import build, build_ok, run_cli, write_site

from reelpress.core.languages import slugify

LINE = re.compile(r"^content/a\.md:\d+: ")


def _front(*lines: str, body: str = "Body.") -> str:
    return "\n".join(["---", *lines, "---", "", body, ""])


def _errors(root: Path, text: str, **options: object) -> list[str]:
    write_site(root, {"content/a.md": text,
                      "content/b.md": _front("title: Fine", "date: 2025-01-02")})
    result = build(root, **options)
    assert not result.ok
    messages = [d.format() for d in result.errors]
    for message in messages:
        assert LINE.match(message), message
        assert "\n" not in message
    return messages


def _billion_laughs(levels: int) -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        prev, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append(f"title: *{chr(ord('a') + levels - 1)}")
    return _front(*lines, "date: 2025-01-01")


def test_yaml_billion_laughs_fails_fast_with_a_line(tmp_path: Path) -> None:
    text = _billion_laughs(10)  # 9**10 values once expanded
    assert len(text) < 1000
    started = time.process_time()  # CPU, not wall: a busy machine must not fail it
    messages = _errors(tmp_path, text)
    # uncapped, the expansion takes minutes and gigabytes; capped, a fraction of a second
    assert time.process_time() - started < 2.0
    assert any("expands to more than" in m for m in messages), messages


def test_yaml_billion_laughs_cli_has_no_traceback(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": _billion_laughs(9)})
    process = run_cli(tmp_path, timeout=30)
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert re.search(r"^content/a\.md:\d+: [a-z]+: expands to more than", process.stderr, re.M)


@pytest.mark.parametrize(("field", "message"), [
    ("title: !!float abc", "!!float 'abc' is not a number"),
    ("draft: !!bool maybe", "!!bool 'maybe' is not true or false"),
    ("updated: !!timestamp yesterday", "!!timestamp 'yesterday' is not a date"),
    ("notes: !!int ''", "!!int '' is not a whole number"),
    ("notes: !!int 0x", "!!int '0x' is not a whole number"),
])
def test_yaml_explicit_tags_are_line_errors(tmp_path: Path, field: str, message: str) -> None:
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01", field))
    assert len(messages) == 1
    line = 4 if not field.startswith("title") else 2
    if field.startswith("title"):
        messages = _errors(tmp_path, _front(field, "date: 2025-01-01"))
    assert messages[0].startswith(f"content/a.md:{line}: invalid YAML"), messages
    assert message in messages[0]


def test_integer_over_4300_digits_under_an_unknown_key(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": _front("title: T", "date: 2025-01-01",
                                                 "notes: " + "9" * 5000)})
    result = build_ok(tmp_path)
    assert [d.format() for d in result.warnings] == [
        "content/a.md:4: warning: unknown front matter key 'notes' (it is ignored)"]


def test_integer_over_4300_digits_as_title_is_text(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": _front("title: " + "7" * 5000, "date: 2025-01-01")})
    build_ok(tmp_path)
    page = (tmp_path / "site/a/index.html").read_text(encoding="utf-8")
    assert "7" * 5000 in page


def test_nesting_500_levels_is_a_line_error(tmp_path: Path) -> None:
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01",
                                        "notes: " + "[" * 500 + "]" * 500))
    assert messages == ["content/a.md:4: notes: nested more than 64 levels deep"]


def test_nesting_too_deep_for_yaml_itself_is_a_line_error(tmp_path: Path) -> None:
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01",
                                        "notes: " + "[" * 5000 + "]" * 5000))
    assert len(messages) == 1 and "invalid YAML" in messages[0]


@pytest.mark.parametrize("moment", ["0001-01-01 00:00:00+14:00", "9999-12-31 23:00:00-12:00",
                                    "0001-01-01"])
def test_extreme_dates_are_refused_before_they_crash_feeds(tmp_path: Path, moment: str) -> None:
    messages = _errors(tmp_path, _front("title: T", f"date: {moment}"), future=True)
    assert messages == [f"content/a.md:3: date: {moment} is out of range "
                        "(use a year from 2 to 9998)"]


def test_extreme_dates_in_feeds_do_not_crash() -> None:
    import datetime as dt

    from reelpress.render.feeds import FeedEntry, FeedInfo, atom_feed, json_feed, rss_feed
    early = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14)))
    late = dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(dt.timedelta(hours=-12)))
    entries = [FeedEntry(title="t", url=f"https://e.org/{n}/", id=str(n), published=moment,
                         updated=moment, summary="s", content_html="<p>x</p>")
               for n, moment in enumerate((early, late))]
    info = FeedInfo(title="T", site_url="https://e.org/", feed_url="https://e.org/feed.xml",
                    description="d", language="en", updated=late)
    for make in (atom_feed, rss_feed, json_feed):
        text = make(info, entries)
        assert "https://e.org/0/" in text and "https://e.org/1/" in text


@pytest.mark.parametrize("slug", ["robots.txt", "404.html", "feed.xml", "rss.xml", "sitemap.xml",
                                  "index.html", "feed.json"])
def test_slug_of_a_site_file_is_refused_with_its_line(tmp_path: Path, slug: str) -> None:
    write_site(tmp_path, {"content/a.md": _front("title: T", "date: 2025-01-01")})
    build_ok(tmp_path)
    before = {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()}
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01", f"slug: {slug}"))
    assert messages == [f"content/a.md:4: slug: {slug!r}: the site writes a file of that name "
                        "itself (choose another slug)"]
    assert {p: p.read_bytes() for p in (tmp_path / "site").rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("slug", ["con", "nul.txt", "news/aux", "lpt1", "com9.md"])
def test_windows_reserved_slug_is_refused(tmp_path: Path, slug: str) -> None:
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01", f"slug: {slug}"))
    assert len(messages) == 1 and "reserved file name on Windows" in messages[0]
    assert messages[0].startswith("content/a.md:4: ")


def test_windows_reserved_file_name_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/con.md": _front("title: T", "date: 2025-01-01")})
    result = build(tmp_path)
    assert [d.format() for d in result.errors] == [
        "content/con.md:2: the file name 'con' gives the URL 'con': 'con' is a reserved file "
        "name on Windows (add a 'slug:' or rename the file)"]


def test_windows_reserved_folder_name_is_refused(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/aux/story.md": _front("title: T", "date: 2025-01-01")})
    result = build(tmp_path)
    assert [d.format() for d in result.errors] == [
        "content/aux/story.md:1: writes /aux/story/: 'aux' is a reserved file name on Windows "
        "(rename the folder or give a 'slug:')"]


def test_slug_over_255_bytes_is_refused_with_its_line(tmp_path: Path) -> None:
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01", "slug: " + "a" * 300))
    assert len(messages) == 1
    assert messages[0].startswith("content/a.md:4: slug: ")
    assert "a name longer than 200 bytes" in messages[0]


def test_tag_over_255_bytes_gets_a_shortened_slug(tmp_path: Path) -> None:
    tag = "word-" * 100
    write_site(tmp_path, {"content/a.md": _front("title: T", "date: 2025-01-01",
                                                 f"tags: [{tag}]")})
    build_ok(tmp_path)
    folders = [p.name for p in (tmp_path / "site/tags").iterdir() if p.is_dir()]
    assert folders == [slugify(tag)]
    assert len(folders[0].encode()) <= 100 and not folders[0].endswith("-")


def test_long_file_name_in_non_latin_script_gets_a_short_slug(tmp_path: Path) -> None:
    name = "日本" * 40  # 240 bytes of UTF-8, a legal file name; transliterated it is longer
    write_site(tmp_path, {f"content/{name}.md": _front("title: T", "date: 2025-01-01")})
    build_ok(tmp_path)
    folders = [p.name for p in (tmp_path / "site").iterdir() if p.name.startswith("riben")]
    assert len(folders) == 1 and len(folders[0].encode()) <= 100
    assert not folders[0].endswith("-")


def test_long_unicode_slug_style_file_name_gets_a_short_slug(tmp_path: Path) -> None:
    name = "日本" * 40
    write_site(tmp_path, {f"content/{name}.md": _front("title: T", "date: 2025-01-01")},
               site_toml='title = "T"\nbase_url = "https://example.org/"\nslug_style = "unicode"\n')
    build_ok(tmp_path)
    folders = [p.name for p in (tmp_path / "site").iterdir() if p.name.startswith("日本")]
    assert len(folders) == 1 and len(folders[0].encode()) <= 100


def test_new_with_a_headline_over_255_bytes(tmp_path: Path) -> None:
    write_site(tmp_path, {})
    (tmp_path / "content").mkdir()
    headline = "Storm " * 80
    process = run_cli(None, "new", headline, "--root", str(tmp_path))
    assert process.returncode == 0, process.stderr
    created = list((tmp_path / "content").glob("*.md"))
    assert len(created) == 1 and len(created[0].name.encode()) <= 104
    build_ok(tmp_path, drafts=True)


def test_new_refuses_control_characters_and_reserved_names(tmp_path: Path) -> None:
    write_site(tmp_path, {})
    process = run_cli(None, "new", "bad\x01title", "--root", str(tmp_path))
    assert process.returncode == 2 and "U+0001" in process.stderr
    process = run_cli(None, "new", "Con", "--root", str(tmp_path))
    assert process.returncode == 2 and "reserved file name on Windows" in process.stderr
    assert "Traceback" not in process.stderr


@pytest.mark.parametrize("escape", ["\\x01", "\\u0000", "\\x7f", "\\x9b", "\\uffff", "\\N", "\\e"])
def test_control_characters_from_yaml_escapes_are_refused(tmp_path: Path, escape: str) -> None:
    messages = _errors(tmp_path, _front(f'title: "a{escape}b"', "date: 2025-01-01"))
    assert len(messages) == 1
    assert messages[0].startswith("content/a.md:2: title: contains the control character U+")


def test_lone_surrogate_escape_is_a_line_error(tmp_path: Path) -> None:
    messages = _errors(tmp_path, _front('title: "a\\ud800b"', "date: 2025-01-01"))
    assert len(messages) == 1 and messages[0].startswith("content/a.md:2: invalid YAML")


def test_control_characters_from_yaml_escapes_in_faq(tmp_path: Path) -> None:
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01", "faq:",
                                        "  - q: Why?", '    a: "because\\x00"'))
    assert messages == ["content/a.md:6: faq[0].a: contains the control character U+0000 "
                        "(from an escape like \\x01?)"]


def test_control_characters_in_the_body_are_refused(tmp_path: Path) -> None:
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01",
                                        body="Fine.\n\nNot \x0b fine."))
    assert messages == ["content/a.md:8: the text contains the control character U+000B "
                        "(remove it (it cannot be published in HTML or feeds))"]


@pytest.mark.parametrize(("style", "slugs"), [
    ("ascii", ("riben", "rossiya", "ellada")),
    ("unicode", ("日本", "россия", "ελλάδα")),
])
def test_tags_only_in_non_latin_scripts_are_accepted(tmp_path: Path, style: str,
                                                     slugs: tuple[str, ...]) -> None:
    write_site(tmp_path, {"content/a.md": _front("title: T", "date: 2025-01-01",
                                                 "tags: [日本, Россия, Ελλάδα]")},
               site_toml=f'title = "T"\nbase_url = "https://e.org/"\nslug_style = "{style}"\n')
    build_ok(tmp_path)
    for slug in slugs:
        assert (tmp_path / "site/tags" / slug / "index.html").is_file(), slug
    process = run_cli(tmp_path, "check")
    assert process.returncode == 0, process.stdout + process.stderr


def test_empty_file_error_has_a_line(tmp_path: Path) -> None:
    assert _errors(tmp_path, "") == [
        "content/a.md:1: empty file (add front matter with title and date)"]


def test_reserved_and_duplicate_slug_errors_have_a_line(tmp_path: Path) -> None:
    write_site(tmp_path, {
        "content/a.md": _front("title: T", "date: 2025-01-01", "slug: archive"),
        "content/c.md": _front("title: C", "date: 2025-01-01", "slug: b"),
        "content/b.md": _front("title: B", "date: 2025-01-01"),
    })
    result = build(tmp_path)
    assert sorted(d.format() for d in result.errors) == [
        "content/a.md:4: writes /archive/, a page the site itself makes "
        "(give it another 'slug:' or move the file)",
        "content/c.md:4: writes the same page /b/ as content/b.md "
        "(give one of them a different 'slug:' in its front matter)",
    ]


@pytest.mark.parametrize("text", [
    _front('"multi\\nline key": 1', "title: T", "date: 2025-01-01"),
    _front("title: T", "date: 2025-01-01", "author: |", "  two", "  lines"),
    _front("title: T", "date: 2025-01-01", "canonical: |", "  not", "  a url"),
    "---\ntitle: T\x01\ndate: 2025-01-01\n---\nx\n",
])
def test_errors_never_span_two_lines(tmp_path: Path, text: str) -> None:
    write_site(tmp_path, {"content/a.md": text})
    result = build(tmp_path)
    for diagnostic in result.diagnostics:
        assert "\n" not in diagnostic.format(), diagnostic.format()
        assert diagnostic.line is not None, diagnostic.format()


def test_thousands_of_bad_tags_are_reported_quickly(tmp_path: Path) -> None:
    tags = ", ".join(["'!!'"] * 20_000)
    started = time.perf_counter()
    messages = _errors(tmp_path, _front("title: T", "date: 2025-01-01", f"tags: [{tags}]"))
    assert len(messages) == 20_000
    assert time.perf_counter() - started < 10  # one line lookup each: no re-parse per error
