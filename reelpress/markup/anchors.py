"""Heading ids (`## Who was rescued?` -> `id="who-was-rescued"`), unique within a page,
and other guards against parser costs that grow faster than the text.

The same ids as mdit-py-plugins' anchors plugin (`x`, `x-1`, `x-2`...), in linear time:
that plugin tries `x-1`, `x-2`... from 1 for every repeated heading, so 20,000 identical
headings cost 200 million set lookups.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt


class UniqueNames:
    """Hands out `base`, `base-1`, `base-2`... never one already taken; each base remembers
    the last suffix it gave, so n repeats cost O(n) in total."""

    def __init__(self, taken: set[str] | None = None, *, first_suffix: int = 1):
        self.taken = set(taken or ())
        self.first_suffix = first_suffix
        self.next_suffix: dict[str, int] = {}

    def claim(self, base: str) -> str:
        candidate = base
        if candidate in self.taken:
            number = self.next_suffix.get(base, self.first_suffix)
            candidate = f"{base}-{number}"
            while candidate in self.taken:
                number += 1
                candidate = f"{base}-{number}"
            self.next_suffix[base] = number + 1
        self.taken.add(candidate)
        return candidate


def heading_anchors_plugin(md: MarkdownIt, *, levels: tuple[int, ...],
                           slug_func: Callable[[str], str]) -> None:
    """Give headings of `levels` an id unless the author set one (`{#id}`)."""

    def add_ids(state: Any) -> None:
        tokens = state.tokens
        names = UniqueNames({str(token.attrGet("id")) for token in tokens
                             if token.type == "heading_open" and token.attrGet("id")})
        for index, token in enumerate(tokens):
            if token.type != "heading_open" or int(token.tag[1]) not in levels \
                    or token.attrGet("id"):
                continue
            title = "".join(child.content for child in tokens[index + 1].children or []
                            if child.type in ("text", "code_inline"))
            token.attrSet("id", names.claim(slug_func(title)))

    md.core.ruler.push("anchor", add_ids)


def unclosed_bracket_plugin(md: MarkdownIt) -> None:
    """A `[` (or `![`, `^[`) with no `]` anywhere after it cannot start a link, an image or
    a footnote: take it as text at once. markdown-it otherwise re-scans the rest of the
    paragraph for every such bracket (a 1 MB wall of `[` took 10 s)."""

    def rule(state: Any, silent: bool) -> bool:
        src, pos = state.src, state.pos
        char = src[pos]
        if char not in "[!^" or (char != "[" and src[pos + 1:pos + 2] != "["):
            return False
        cached = state.env.get("reelpress_last_close")
        if cached is None or cached[0] is not src:
            cached = (src, src.rfind("]"))
            state.env["reelpress_last_close"] = cached
        if pos < cached[1]:
            return False
        end = pos + 1
        while end < state.posMax and src[end] in "[!^":
            end += 1  # the whole run at once: growing `pending` a character at a time is slow
        if not silent:
            state.pending += src[pos:end]
        state.pos = end
        return True

    md.inline.ruler.before("link", "reelpress_unclosed_bracket", rule)
