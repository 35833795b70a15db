"""Property-based fuzzing of front matter and Markdown bodies (issue 16), on a fixed
budget: derandomized (the same examples on every run), a few dozen each, no deadline.

Every input must give a successful build or only one-line `file:line: message` errors,
never an exception (the in-process equivalent of a traceback); a failed build must leave
`site/` byte for byte as it was; and no build may take long."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitebuilder import build, build_ok, write_site

from reelpress.content.schema import KNOWN_KEYS

TOML = 'title = "Fuzz"\nbase_url = "https://example.org/"\n'
BUDGET = settings(max_examples=30, derandomize=True, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CPU_SECONDS_PER_BUILD = 3.0

NASTY_SCALARS = [
    "", "~", "null", "yes", "no", "!!float abc", "!!bool maybe", "!!timestamp x", "!!int ''",
    "!!int 0x", "!!binary '@@'", "!!python/object:os.system x", "!foo bar", "!!set {a}",
    "!!omap [a: 1]", "&anchor x", "*anchor", "*missing", "'quoted'", '"esc \\x01"', '"\\u0000"',
    '"\\ud800"', '"\\N"', '"\\e"', "0001-01-01 00:00:00+14:00", "9999-12-31 23:00:00-12:00",
    "2025-13-45", "2025-07-04", "2025-07-04 18:30:00+02:00", "1e400", "-.inf", ".nan",
    "0x1F", "0o17", "1_000", "9" * 5000, "[" * 300 + "]" * 300, "{a: b}", "[a, b]", "|",
    ">-", "robots.txt", "feed.xml", "con", "nul.txt", "a" * 300, "日本", "Россия", "../../etc",
    "/abs/path", "media/missing.jpg", "../media/missing.mp4", "https://e.org/x", "{", "[",
    "'unclosed", '"unclosed', "<script>alert(1)</script>", "? complex", "<<: *anchor",
    "- item", ": colon", "#comment", "@reserved", "`backtick", "%directive",
]
KEYS = [*KNOWN_KEYS, "unknown", "Title", "tag", "q", "a", "x y", "'quoted key'", "<<"]

scalars = st.one_of(
    st.sampled_from(NASTY_SCALARS),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=20).map(json.dumps),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
)
simple_lines = st.builds(lambda key, value: f"{key}: {value}", st.sampled_from(KEYS), scalars)
list_blocks = st.builds(
    lambda key, items: f"{key}:\n" + "".join(f"  - {item}\n" for item in items),
    st.sampled_from(["tags", "faq", "chapters", "title"]), st.lists(scalars, max_size=4))
faq_blocks = st.builds(
    lambda pairs: "faq:\n" + "".join(f"  - q: {q}\n    a: {a}\n" for q, a in pairs),
    st.lists(st.tuples(scalars, scalars), max_size=3))
junk_lines = st.text(max_size=30)
front_matters = st.builds(
    lambda head, lines: "\n".join([*head, *lines]),
    st.sampled_from([[], ["title: Fuzzed"], ["title: Fuzzed", "date: 2025-01-01"]]),
    st.lists(st.one_of(simple_lines, list_blocks, faq_blocks, junk_lines), max_size=6))

MARKDOWN_PIECES = [
    "\n", "\n\n", "## Heading\n", "### Question?\n", "::: faq\n", ":::\n", "# Title\n",
    "![alt](../media/missing.jpg)", "![clip](clip.mp4){poster=1 loop}", "![](../../../etc/x.png)",
    "[link](other.md#part)", "[self](fuzz.md)", "[root](/about/)", "[js](javascript:alert(1))",
    "<script>x</script>", "<b>bold</b>", "&amp;", "&#0;", "&#x110000;", "[", "]", "(", ")",
    "*", "**", "_", "`", "```\n", "~~~", "^[", "[^1]", "[^1]: note\n", "| a | b |\n|---|---|\n",
    "{#id}", "{.class}", "<!--", "-->", "https://e.org/", "> ", "- ", "1. ", "    code\n",
    "Term\n: definition\n", "\\", "\t", "\r\n", "\u2028", "\ufeff", "日本語", "é", "\x01", "\x00",
]
bodies = st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=15)),
                  max_size=25).map("".join)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small site built once; every example starts from a copy of it."""
    root = tmp_path_factory.mktemp("fuzz-baseline")
    write_site(root, {
        "content/first.md": "---\ntitle: First\ndate: 2025-01-01\ntags: [news]\n---\nHello.\n",
        "content/other.md": "---\ntitle: Other\ndate: 2025-01-02\n---\n## Part\n\nText.\n",
    }, site_toml=TOML)
    build_ok(root, jobs=1)
    return root


def _contents(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def _build_fuzzed(baseline: Path, workdir: Path, text: str) -> None:
    root = workdir / "site-under-test"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(baseline, root, symlinks=True)
    before = _contents(root / "site")
    (root / "content/fuzz.md").write_text(text, encoding="utf-8", errors="surrogatepass")
    started = time.process_time()
    result = build(root, jobs=1)  # raising here is the traceback a user would see
    assert time.process_time() - started < CPU_SECONDS_PER_BUILD
    for diagnostic in result.diagnostics:
        line = diagnostic.format()
        assert "\n" not in line and "\r" not in line, repr(line)
        if diagnostic.is_error:
            assert diagnostic.path.startswith("content/"), line
            assert diagnostic.line is not None, line
            assert line.startswith(f"{diagnostic.path}:{diagnostic.line}: "), line
    if not result.ok:
        assert _contents(root / "site") == before


@BUDGET
@given(front_matter=front_matters)
def test_fuzzed_front_matter(baseline: Path, tmp_path_factory: pytest.TempPathFactory,
                             front_matter: str) -> None:
    _build_fuzzed(baseline, tmp_path_factory.getbasetemp(),
                  f"---\n{front_matter}\n---\n\nBody.\n")


@BUDGET
@given(body=bodies)
def test_fuzzed_markdown_body(baseline: Path, tmp_path_factory: pytest.TempPathFactory,
                              body: str) -> None:
    _build_fuzzed(baseline, tmp_path_factory.getbasetemp(),
                  f"---\ntitle: Fuzzed\ndate: 2025-01-01\n---\n{body}\n")


@BUDGET
@given(front_matter=front_matters, body=bodies)
def test_fuzzed_whole_file(baseline: Path, tmp_path_factory: pytest.TempPathFactory,
                           front_matter: str, body: str) -> None:
    _build_fuzzed(baseline, tmp_path_factory.getbasetemp(), f"---\n{front_matter}\n---\n{body}")
