"""The native Markdown fast path (reelpress/markup/fast.py) against markdown-it-py, the
reference: every text the gate lets through must come out byte for byte the same (the
whole body record: HTML, headings, source links, word count), over the benchmark corpus,
the demo and test sites, the CommonMark spec examples and generated texts; and what the
gate refuses must really be refused."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitebuilder import BUILD_PY, REPO, article, snapshot, write_site

from reelpress.markup import engine
from reelpress.markup.fast import native_engine, render_fast
from reelpress.markup.fast_blocks import render_fast_body

SPEC = REPO / "tests" / "data" / "commonmark-spec-0.31.2.json"
BENCH_CORPUS = REPO / "bench" / "corpus.py"
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def test_the_native_engine_is_installed() -> None:
    """pyromark is a dependency of the default install: every test here runs. Red also
    when pip installed a release not yet proved: prove it, then add it to the set."""
    assert native_engine() is not None, \
        "pyromark missing, a release not in VERIFIED_PYROMARK, or REELPRESS_MARKDOWN set"


def test_a_pyromark_release_not_proved_leaves_bodies_to_markdown_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import pyromark

    monkeypatch.setattr(pyromark, "__version__", "99.0.0")
    native_engine.cache_clear()
    try:
        assert native_engine() is None
        assert render_fast("Plain *text*.\n") is None
    finally:
        monkeypatch.undo()
        native_engine.cache_clear()
    assert native_engine() is not None


def assert_same(text: str, *, base_path: str = "/") -> bool:
    """Body and fragment through both paths; True when the fast path took the body."""
    taken = render_fast_body(text, base_path=base_path) is not None
    assert engine.render_body(text, body_line=7, base_path=base_path) == \
        engine.render_reference(text, body_line=7, base_path=base_path), text
    assert engine.render_fragment(text, base_path=base_path) == \
        engine.fragment_reference(text, base_path=base_path), text
    return taken


def markdown_files(root: Path) -> list[tuple[str, list[str]]]:
    """(body, FAQ answers) of every Markdown file under `root`."""
    found = []
    for path in sorted(root.rglob("*.md")):
        text = path.read_text("utf-8")
        match = FRONT_MATTER.match(text)
        meta = {}
        if match:
            try:
                meta = yaml.safe_load(match.group(1)) or {}
            except (yaml.YAMLError, ValueError):  # the invalid test sites
                meta = {}
        faq = meta.get("faq", []) if isinstance(meta, dict) else []
        answers = [str(item["a"]) for item in faq if isinstance(item, dict) and "a" in item]
        found.append((text[match.end():] if match else text, answers))
    return found


def test_commonmark_spec_examples_the_gate_takes_are_identical() -> None:
    examples = json.loads(SPEC.read_text("utf-8"))
    taken = sum(assert_same(example["markdown"]) for example in examples)
    assert taken >= 150, f"the gate took only {taken} of {len(examples)} spec examples"


@pytest.fixture(scope="module")
def bench_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "site"
    subprocess.run([sys.executable, str(BENCH_CORPUS), str(out), "--articles", "1000"],
                   check=True, capture_output=True)
    return out


def test_every_article_of_the_benchmark_corpus_is_identical(bench_corpus: Path) -> None:
    files = markdown_files(bench_corpus / "content")
    assert len(files) == 1000
    taken = 0
    for body, answers in files:
        taken += assert_same(body)
        assert engine.render_fragments(tuple(answers)) == \
            engine.fragments_reference(tuple(answers)), answers
    assert taken == len(files), "the bench corpus is plain Markdown: the gate takes all of it"


def test_demo_and_test_sites_are_identical() -> None:
    files = markdown_files(REPO / "content") + markdown_files(REPO / "tests" / "sites")
    assert len(files) > 10
    for body, answers in files:
        assert_same(body)
        for base_path in ("/", "/news/"):
            assert engine.render_fragments(tuple(answers), base_path=base_path) == \
                engine.fragments_reference(tuple(answers), base_path=base_path)


REFUSED = {
    "table in a list": "- | a | b |\n  |---|---|\n  | 1 | 2 |\n",
    "table interrupting a paragraph": "text\n| a | b |\n|---|---|\n",
    "table of mismatched columns": "| a | b |\n|---|\n",
    "table row of pipes alone": "| a |\n|---|\n|\n",
    "table row without a pipe": "| a |\n|---|\nmore\n",
    "footnote to no note": "Text[^1].\n",
    "footnote of two paragraphs": "Text[^1].\n\n[^1]: Note.\n\n    More.\n",
    "footnote ending a paragraph": "Text[^1].\n[^1]: Note.\n",
    "footnote defined twice": "Text[^1].\n\n[^1]: Note.\n[^1]: Again.\n",
    "footnote in a code span": "Text `[^1]`.\n\n[^1]: Note.\n",
    "footnote as a link's text": "[^1](x.md)\n\n[^1]: Note.\n",
    "footnote in a link's text": "[a [^1]](https://e.org/)\n\n[^1]: Note.\n",
    "footnote with a list": "Text[^1].\n\n[^1]: - item\n",
    "inline footnote": "Text^[inline].\n",
    "definition under a two-line term": "Term\nmore\n: Definition\n",
    "definition with a lazy line": "Term\n: Definition\nlazy\n",
    "definition after a blank line": "Term\n\n: Definition\n",
    "definition in a list": "- Term\n  : Definition\n",
    "definition by a tilde": "Term\n~ Definition\n",
    "attrs after a code span": "A `word`{.big} here.\n",
    "attrs after an autolink": "<https://e.org/>{.big}\n",
    "two attrs blocks": "[a](https://e.org/){.a}{.b}\n",
    "attrs with a comment": "[a](https://e.org/){.a %c%}\n",
    "attrs of an event handler": "[a](https://e.org/){onclick=x}\n",
    "attrs of an href": "[a](https://e.org/){href=x}\n",
    "attrs going on past the line": "[a](https://e.org/){.a\n.b}\n",
    "attrs in a code span": "`[a](b.md){.x}`\n",
    "unclosed faq container": "::: faq\n### Q?\nA.\n",
    "faq container with text before its first question": "::: faq\nHi.\n### Q?\nA.\n:::\n",
    "faq container without questions": "::: faq\nHi.\n:::\n",
    "faq answer with a definition list": "::: faq\n### Q?\nT\n: d\n:::\n",
    "faq container in a list item's first line": "- ::: faq\nA.\nA.\n",
    "faq container in a list": "- a\n\n  ::: faq\n  ### Q?\n  A.\n  :::\n",
    "faq container of another name": "::: note\nA.\n:::\n",
    "image": "![a photo](media/x.jpg)\n",
    "raw html": "a <b>bold</b> word\n",
    "entity": "caf&eacute;\n",
    "backslash escape": "not \\*emphasis\\*\n",
    "link title": '[a](https://example.org/ "title")\n',
    "javascript link": "[a](javascript:alert(1))\n",
    "uppercase host": "[a](https://Example.org/)\n",
    "setext heading": "Title\n-----\n",
    "thematic break": "a\n\n* * *\n\nb\n",
    "indented quote": ">  quoted\n>  - a\n",
    "raw html in a quote": "> <b>x</b>\n",
    "email autolink": "<a@example.org>\n",
    "nested heading": "- ## item\n",
    "item indented past its parent": "- a\n   - b\n",
    "deflist in a quote": "> Term\n> : def\n",
    "indented code": "    code\n",
    "tab": "a\tb\n",
    "nested list": "- a\n- - b\n",
    "ordered list that may not interrupt a paragraph": "text\n2. item\n",
    "link in a code span": "`[a](b.md)` here\n",
    "link in a code span mid-line": "see `[a](b.md)` here\n",
    "strikethrough": "~~gone~~\n",
    "heading with emphasis": "## A *big* day\n",
    "heading with a closing sequence": "## Title ##\n",
    "unclosed fence": "```\ncode\n",
    "link definition": "[a]\n\n[a]: https://example.org/\n",
    "link going on past the line": "[a](\nhttps://example.org/)\n",
    "emphasis by a non-ASCII character": "«*a*»\n",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_gate_refuses_what_it_cannot_promise(name: str) -> None:
    assert render_fast_body(REFUSED[name]) is None, name
    assert_same(REFUSED[name])


def test_tables_are_mended_to_the_reference() -> None:
    """pulldown-cmark writes a table's tags on fewer lines, `text-align: left` with a
    space and an empty tbody; a cell past the header's count is dropped by both, and
    so is a link to a Markdown file in it (the scan saw it: refused)."""
    text = ("| a | *b* | c |\n|:--|--:|:-:|\n| [x](x.md) | `y` | \"q\" |\n| 1 |\n\n"
            "| only | head |\n|---|---|\n")
    assert render_fast(text) is not None
    assert_same(text)
    assert engine.render_body(text, body_line=3).source_links == (("x.md", 5),)
    dropped = "| a |\n|---|\n| 1 | [x](x.md) |\n"
    assert render_fast(dropped) is None
    assert_same(dropped)


def test_root_links_under_a_sub_path_go_to_the_reference() -> None:
    text = "See [about](/about/) and [x](story.md).\n"
    assert render_fast(text) is not None
    assert render_fast(text, base_path="/news/") is None
    assert_same(text, base_path="/news/")


def test_what_the_gate_takes_is_mended_to_the_reference() -> None:
    text = ('## Who "won"?\n\n## Who "won"?\n\nSaid "yes" to [it](other.md#faq).\n\n'
            "```py\nprint(\"<b>\")\n```\n\n1. one\n2. [two](two.md)\n")
    assert render_fast(text) is not None
    assert_same(text)
    body = engine.render_body(text, body_line=3)
    assert [h.anchor for h in body.headings] == ["who-won", "who-won-1"]
    assert body.source_links == (("other.md#faq", 7), ("two.md", 14))


PIECES = ["word", "Word", " ", " ", "\n", "\n\n", "*", "**", "_", "`", "# ", "## ", "### ",
          "- ", "1. ", "2) ", "[", "]", "(", ")", "](", "x.md", "https://a.example/p?q=1",
          '"', "'", "&", " & ", "é", "```", "```py\n", "\n```\n", "  \n", ".", ",", "!", "?",
          ":", "-", "+", "=", "#", "/", "/x/", "%20", "<", "\\", "{", "|", "~", "^", "\t",
          "> ", ">", "\n> ", "\n> > ", "  ", "    ", "\n  - ", "\n    - ", "\n   ", "\n1. ",
          "<https://a.example/x>", "<", ">", "|", " | ", "\n|---|", "\n|:--|--:|\n", "---|---",
          "\n| a | b |\n|---|---|\n", "| [t](t.md) |", "\n|",
          "\n: ", "\nTerm\n: def\n", ": ", "\n:", "\n\n: "]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@given(text=texts)
@settings(max_examples=400, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_generated_texts_are_identical(text: str) -> None:
    assert_same(text)
    assert_same(text, base_path="/news/")


@given(text=st.text() | st.text(st.characters(max_codepoint=127)))
@settings(max_examples=600, derandomize=True, deadline=None, database=None)
def test_word_count_is_the_regex_count(text: str) -> None:
    """`engine.word_count` counts ASCII text through a byte table: the same as `\\w+`."""
    assert engine.word_count(text) == len(re.findall(r"\w+", text)), repr(text)


def test_word_count_of_every_benchmark_article_is_the_regex_count(bench_corpus: Path) -> None:
    for body, answers in markdown_files(bench_corpus / "content"):
        for text in (body, *answers):
            assert engine.word_count(text) == len(re.findall(r"\w+", text))


def test_a_site_builds_to_the_same_bytes_without_the_fast_path(tmp_path: Path) -> None:
    """The pure-Python path end to end: REELPRESS_MARKDOWN=markdown-it turns the native
    engine off; the site must not change by a byte."""
    files = {f"content/s{n}.md": article(
        f"Story {n}", f"2025-03-0{1 + n % 9}",
        f'## Part "{n}"\n\nSee [the next](s{n + 1}.md) and *more*.\n\n- a\n- b\n',
        faq='[{q: "Why?", a: "Because *so*."}]') for n in range(6)}
    sites = {}
    for mode in ("", "markdown-it"):
        root = write_site(tmp_path / (mode or "fast"), files)
        env = {**os.environ, "REELPRESS_MARKDOWN": mode}
        done = subprocess.run([sys.executable, str(BUILD_PY), "build", "--root", str(root),
                               "-q"], cwd=REPO, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        sites[mode] = {path: (root / "site" / path).read_bytes()
                       for path in snapshot(root / "site")}
    assert sites[""] == sites["markdown-it"]


def test_fragments_with_headings_keep_the_joint_parse() -> None:
    """FAQ answers are parsed together by the reference, so their heading ids are unique
    across answers: the fast path must not render them one by one."""
    answers = ("## Same\n\nA.", "## Same\n\nB.", "Plain.")
    assert engine.render_fragments(answers) == engine.fragments_reference(answers)
    assert 'id="same-1"' in engine.render_fragments(answers)[1]


TAKEN = {
    "faq container of questions": "Intro.\n\n::: faq\n### Who?\n\nThe *brigade* [x](x.md).\n"
                                  "\n## Why?\nBecause.\n:::\n\nAfter [y](y.md).\n",
    "faq container of definitions": "::: faq\nWho?\n: The [brigade](b.md).\n: Unused.\n\n"
                                    "Why `now`?\n: Because.\n:::\n",
    "faq container ending a paragraph and a list": "Text\n::: faq\n### Q?\nA.\n:::\n- a\n"
                                                   "::: faq\n### R?\nB.\n:::\n",
    "questions sharing ids with headings": "## Who?\n\n::: faq\n### Who?\nA.\n:::\n\n### Who?\n",
    "footnotes": "Claim[^a] and[^b], again[^a].\n\n[^b]: *Second* [s](s.md).\n"
                 "[^a]: First.\n[^unused]: Never cited.\n\nMore [m](m.md).\n",
    "footnotes in lists and tables": "- item[^a]\n\n[^a]: Note.\n\n- next\n\n| h |\n|---|\n"
                                     "| cell[^a] |\n",
    "footnotes between two lists": "- a[^1]\n\n[^1]: Note.\n\n- b\n",
    "faq container between two lists": "- a\n\n::: faq\n### Q?\nA.\n:::\n\n- b\n",
    "footnote in fenced code": "Text[^a].\n\n```\n[^a]\n```\n\n[^a]: Note.\n",
    "link attributes": "A [link](https://e.org/x){rel=nofollow .a .b #i} and "
                       "[two](two.md){data-x=\"a <b>\"}.\n",
    "link attributes in answers and notes": "See[^a].\n\n[^a]: [n](https://e.org/){.n}\n\n"
                                            "::: faq\n### Q?\n[a](a.md){.q}\n:::\n",
    "literal braces": "## Part {#p .big}\n\nA *word*{.hl} {x} } here.\n{.lead}\n",
    "pipes in text": "a | b\n\n- c | d\n> e | f\n",
}


@pytest.mark.parametrize("name", sorted(TAKEN))
def test_plugin_constructs_the_fast_path_takes_are_identical(name: str) -> None:
    assert render_fast_body(TAKEN[name]) is not None, name
    assert assert_same(TAKEN[name])
    assert_same(TAKEN[name], base_path="/news/")


def test_faq_items_footnotes_and_ids_are_the_references() -> None:
    """The parts of the record the HTML does not show: FAQ lines, heading ids claimed
    with the questions', footnote numbers by first use, links in notes after the body's."""
    text = TAKEN["questions sharing ids with headings"]
    body = engine.render_body(text, body_line=3)
    assert [h.anchor for h in body.headings] == ["who", "who-2"]
    assert [(item.question, item.line) for item in body.faq] == [("Who?", 6)]
    notes = engine.render_body(TAKEN["footnotes"], body_line=3)
    assert 'id="fnref1:1">[1:1]' in notes.html and notes.html.count('class="footnote-item"') == 2
    assert notes.source_links == (("m.md", 9), ("s.md", 5))
    faq = engine.render_body(TAKEN["faq container of definitions"], body_line=1).faq
    assert [(item.question, item.answer_html, item.line) for item in faq] == [
        ("Who?", 'The <a href="b.md">brigade</a>.', 2), ("Why now?", "Because.", 6)]


BLOCK_PIECES = ["::: faq\n", ":::\n", "### Q?\n", "## Q?\n", "Q?\n", ": A *a*\n", "A.\n", "\n",
                "\n\n", "[^a]", "[^b]", "[^c]", "\n[^a]: note\n", "\n\n[^b]: *n* [x](x.md)\n",
                "[^a]: x\n", "[l](https://e.org/x){rel=nofollow}", "[m](m.md){.c #i}", "{.x}",
                "{", "}", "`c`{.x}", " ", "word", "- ", "> ", "1. ", "```\n", "| a |\n",
                "|---|\n", "*", "# ", "\n    ", "[", "]", "(", ")"]
block_texts = st.lists(st.sampled_from(BLOCK_PIECES), max_size=30).map("".join)


@given(text=block_texts)
@settings(max_examples=400, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_generated_texts_with_plugin_constructs_are_identical(text: str) -> None:
    assert_same(text)
    assert_same(text, base_path="/news/")


BLOCKS = ["::: faq\n### Who?\n\nThe *brigade* [b](b.md){.x}.\n## Why?\nBecause.\n:::",
          "::: faq\nWho `now`?\n: The [brigade](b.md).\n: Unused.\n\nWhy?\n: Because.\n:::",
          "[^a]: Note *a* [n](n.md).", "[^b]: Note b.\n[^c]: Note [c](https://e.org/){rel=x}.",
          "Claim[^a] and[^b].", "Again[^a], *then*[^c]", "- item[^b]\n- [l](l.md){#i}",
          "## Who?", "### Part {#p .big}", "| h | i |\n|---|---|\n| a[^a] | [x](x.md) |",
          "> quoted [q](https://e.org/q){.q} | pipe", "Term\n: Definition [d](d.md)",
          "```\n[^a] ::: faq\n```", "1. one\n2. two", "A *word*{.hl} and {x} here.\n{.lead}",
          "    indented", "- a\n\n  more"]
structured_texts = st.lists(st.tuples(st.sampled_from(BLOCKS),
                                      st.sampled_from(["\n", "\n\n", "\n\n\n"])),
                            max_size=10).map(lambda parts: "".join(a + b for a, b in parts))


@given(text=structured_texts)
@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_generated_bodies_of_plugin_blocks_are_identical(text: str) -> None:
    assert_same(text)
    assert_same(text, base_path="/news/")


def test_generated_bodies_of_plugin_blocks_are_mostly_taken() -> None:
    """The generator above must exercise the fast path, not only the reference."""
    texts = ["\n\n".join(BLOCKS[:15]), "\n\n".join(BLOCKS[2:9]),
             "\n".join(BLOCKS[:2] + BLOCKS[13:15])]
    assert all(render_fast_body(text) is not None for text in texts)
    for text in texts:
        assert_same(text)
