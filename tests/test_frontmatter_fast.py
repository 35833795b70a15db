"""The front matter's fast paths against PyYAML's own: `frontmatter._load` builds plain
trees itself, says when `check_values` has nothing to find, and counts ASCII text
through byte tables; `schema._top_keys` finds top-level keys in one search. Each must
give exactly what the general code gives (the values with their types, the same error,
the same lines), over the benchmark corpus, the test sites and generated YAML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitebuilder import REPO

from reelpress.content import frontmatter, schema
from reelpress.content.frontmatter import FrontMatterError, check_values, parse_yaml

FRONT_MATTER = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.S)


def reference_load(text: str) -> tuple[str, object]:
    """What `parse_yaml` did before the fast path: PyYAML's constructor, then the walk."""
    try:
        data = yaml.load(text, Loader=frontmatter._Loader)  # noqa: S506 - safe loader
    except (yaml.YAMLError, RecursionError) as exc:
        return "error", (type(exc), str(exc))
    return "data", (repr(data), isinstance(data, dict) and check_values(data))


def fast_load(text: str) -> tuple[str, object]:
    try:
        data, checked = frontmatter._load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        return "error", (type(exc), str(exc))
    found = isinstance(data, dict) and check_values(data)
    if checked:
        assert not found, f"said checked, but check_values finds {found}: {text!r}"
    return "data", (repr(data), found)


def parsed(text: str) -> object:
    try:
        return parse_yaml(text, 2)
    except FrontMatterError as exc:
        return ("error", exc.line, exc.message)


def assert_same(text: str) -> None:
    assert fast_load(text) == reference_load(text), text
    reference_keys = [(offset, match.group(1)) for offset, match in enumerate(
        schema._TOP_KEY.match(line) for line in text.splitlines()) if match]
    assert schema._top_keys(text) == reference_keys, text


def front_matters(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.md")):
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        match = FRONT_MATTER.match(text)
        if match:
            found.append(match.group(1))
    return found


def test_the_benchmark_corpus_loads_the_same(tmp_path: Path) -> None:
    import subprocess
    import sys
    subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), str(tmp_path / "c"),
                    "--articles", "300"], check=True, capture_output=True)
    texts = front_matters(tmp_path / "c" / "content")
    assert len(texts) == 300
    for text in texts:
        assert_same(text)
        assert frontmatter._load(text)[1], "plain front matter: the walk is skipped"


def test_demo_and_test_sites_load_the_same() -> None:
    texts = front_matters(REPO / "content") + front_matters(REPO / "tests" / "sites")
    assert len(texts) > 10
    for text in texts:
        assert_same(text)


SHAPES = [
    "title: T\ndate: 2025-01-02\n",
    "a: &x [1, 2]\nb: *x\n",                       # an alias: PyYAML's shared list
    "a: &x {k: v}\nb:\n  <<: *x\n  c: d\n",        # a merge key
    "= : v\n",                                     # a value key
    "a: !!set {x, y}\n",
    "a: !!omap [{x: 1}]\n",
    "a: !!float abc\n",
    "a: !!int 0x1g\n",
    "a: !!bool maybe\n",
    "a: !!timestamp yes\n",
    "a: !!binary aGVsbG8=\n",
    "a: !custom x\n",
    "date: 2025-13-45\n",
    "n: " + "9" * 5000 + "\n",
    "? [a, b]\n: c\n",                             # a complex key
    "1: one\ntrue: yes\n~: null\n2025-01-02: d\n1.5: f\n",
    "a: \"\\x01\"\n",                               # an escape giving a control character
    "a: \"\\ud800\"\n",
    "\"k\\x02\": v\n",
    "a: \"tab\\there\"\n",
    "a: x\x85y\n",                                 # NEL: allowed by YAML, not publishable
    "a: caf\u00e9\n",
    "a: [" * 70 + "]" * 70 + "\n",                 # nested deeper than MAX_DEPTH
    "a: [" * 60 + "]" * 60 + "\n",
    "a: b\na: c\n",
    "a:\n  - q: x\n    a: |\n      line *one*\n\n      - item\n",
    "a: 'it''s'\nb: \"q\"\nc: >\n  folded\n  text\n",
    "- a\n- b\n",
    "",
    "plain",
    "a: [1, 2\n",
    "a: \"open\n",
    "a\u2028b: c\n",
    "key\u00a0: v\nother: w\n",
    "k\r\nj: v\r\n",
    "a: b\rc: d\n",                              # a lone CR ends a line for splitlines
    "a: b\u2029c: d\n",
]


@pytest.mark.parametrize("text", SHAPES)
def test_each_shape_loads_the_same(text: str) -> None:
    assert_same(text)


def test_an_alias_is_the_one_object_pyyaml_makes_and_laughs_are_bounded() -> None:
    data, checked = frontmatter._load("a: &x [1, {k: v}]\nb: *x\n")
    assert data["a"] is data["b"] and not checked
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n"
        for n in range(8))
    with pytest.raises(FrontMatterError, match="expands to more than"):
        parse_yaml(laughs, 2)


def test_each_shape_gives_the_same_error_line_and_message() -> None:
    """`parse_yaml` end to end, against the loader it used before, swapped in."""
    fast = [parsed(text) for text in SHAPES]
    original = frontmatter._load
    try:
        frontmatter._load = lambda text: (  # type: ignore[assignment]
            yaml.load(text, Loader=frontmatter._Loader), False)  # noqa: S506
        reference = [parsed(text) for text in SHAPES]
    finally:
        frontmatter._load = original  # type: ignore[assignment]
    assert fast == reference


PIECES = ["title: T\n", "date: 2025-01-02\n", "date: 2025-07-04 18:30:00+02:00\n",
          "tags: [a, b]\n", "tags:\n  - x\n  - 3\n", "faq:\n  - q: Q\n    a: A *b*\n",
          "n: 12\n", "n: 0o17\n", "n: 1_000\n", "f: 1.5\n", "f: .inf\n", "b: yes\n", "b: off\n",
          "z: ~\n", "z:\n", "e: {}\n", "e: []\n", "s: 'x'\n", "s: \"y\\n\"\n", "s: \"\\x07\"\n",
          "a: &x v\n", "c: *x\n", "m: &m {k: 1}\n", "m2:\n  <<: *m\n", "t: !!str 12\n",
          "t: !!int x\n", "d: 2025-02-30\n", "u: caf\u00e9\n", "u: \x85\n", "  - dangling\n",
          "x: [\n", "k: |\n  block\n", "k: >-\n  fold\n", "? q\n", ": v\n", "ex:\n  k: v\n",
          "title: T\n", "n: 99999999999999999999999\n", "h: 0x1F\n", "s: -\n", "s: :x\n"]


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
@settings(max_examples=500, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_generated_front_matter_loads_the_same(text: str) -> None:
    assert_same(text)


@given(st.text(max_size=60))
@settings(max_examples=400, derandomize=True, deadline=None, database=None)
def test_forbidden_character_is_the_regex_answer(text: str) -> None:
    found = frontmatter._FORBIDDEN.search(text)
    expected = f"U+{ord(found.group()):04X}" if found else None
    assert frontmatter.forbidden_character(text) == expected
    assert schema._top_keys(text) == [(offset, match.group(1)) for offset, match in enumerate(
        schema._TOP_KEY.match(line) for line in text.splitlines()) if match]
