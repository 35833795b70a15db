"""FAQ answers rendered in one parse must equal answers rendered one by one."""

from __future__ import annotations

import pytest

from reelpress.markup.engine import render_fragment, render_fragments

CASES = [
    ("A *b* and `code`", "- x\n- y", "c [link](https://e.org)\n\n> quoted"),
    ("one", "```\nan unclosed fence swallows the rest"),
    ("x [ref][1]\n\n[1]: https://example.org", "y [ref][1]"),
    ("<b>raw</b> & <script>alert(1)</script>", "plain"),
    ("1. first\n2. second", "| a | b |\n|---|---|\n| 1 | 2 |", "last line  \nbreak"),
    ("<<reelpress-fragment-separator>>", "a"),
    ("    indented code", "after"),
]


@pytest.mark.parametrize("texts", CASES)
@pytest.mark.parametrize("allow_html", [False, True])
def test_batched_fragments_equal_separate_renders(texts: tuple[str, ...],
                                                  allow_html: bool) -> None:
    expected = tuple(render_fragment(text, allow_html=allow_html) for text in texts)
    assert render_fragments(texts, allow_html=allow_html) == expected
