"""A native Markdown fast path (pulldown-cmark, through `pyromark`) behind a conformance gate.

markdown-it-py (`engine.py`) is the reference and the fallback. A text goes to the native
engine only when a cheap line scan finds nothing but constructs both engines render to
the same bytes: paragraphs, ATX headings of plain words, lists, fenced code, emphasis,
code spans and inline links to plain http(s) or relative URLs. Anything else (tables,
footnotes, definition lists, `{attrs}`, containers, images, raw HTML, entities,
backslash escapes, link titles, setext headings, block quotes, indentation, tabs...)
keeps the reference path. Then the two known differences of the subset are mended: text
quotes (markdown-it writes `&quot;`) and heading ids (markdown-it's anchors plugin).
`tests/test_markdown_fast.py` holds the gate to byte-identical output over the
benchmark corpus, the demo, the FAQ fixtures and the CommonMark spec examples.

`pip install reelpress[fast]` brings the engine; without it everything takes the
reference path. `REELPRESS_MARKDOWN=markdown-it` turns the fast path off.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from reelpress.markup.anchors import UniqueNames

# Anywhere outside fenced code: characters and sequences that start a construct the
# fast path does not take (escapes, HTML, attrs, tables, strikethrough, footnotes,
# images, entities), and emphasis delimiters touching a non-ASCII character (the two
# engines may classify Unicode punctuation differently).
_UNSAFE_CHAR = re.compile(r"[\\<>{}|~^\x00-\x09\x0b-\x1f\x7f]")
_ENTITY = re.compile(r"&(?! )")
_UNICODE_DELIMITER = re.compile(r"[^\x00-\x7f][*_]|[*_][^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_HEADING = re.compile(r"^(#{1,6}) +([^#*_`\[\]]*[^#*_`\[\]\s])\s*$")
_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)]) (\S.*)$")
# An item's text that would open a block inside the item (a nested list, a heading...).
_NESTED = re.compile(r"^(?:(?:[-*+]|\d{1,9}[.)])(?: |$)|[#`>]|([-*_])(?: *\1){2,} *$)")
_FENCE_OPEN = re.compile(r"^(`{3,})([A-Za-z0-9_+-]*)$")
_LINK_DEST = re.compile(r"\]\(([^)]*)\)")
_SAFE_DEST = re.compile(r"^(?:https?://[a-z0-9.-]+(?=[/?#]|$))?"
                        r"(?:[A-Za-z0-9/._#?=+&-]|%[0-9A-Fa-f]{2})*$")
# Line starts the fast path does not take: indentation, deflists and containers, setext
# underlines, a backtick line that is not a plain fence, thematic breaks, link
# definitions, empty list items and items whose text is indented further (code).
_UNSAFE_LINE_START = re.compile(r"^(?:[ :=`]|([-*_])(?: *\1){2,} *$|\[[^\]]*\]:"
                                r"|(?:-+|[*+]|\d{1,9}[.)]) *$|(?:[-*+]|\d{1,9}[.)])  )",
                                re.MULTILINE)


def _unsafe(text: str) -> bool:
    """Whether `text` (a line, or a text without fences) has a character or sequence that
    the fast path does not take (one regex with all of them is several times slower)."""
    return bool(_UNSAFE_CHAR.search(text) or "![" in text
                or ("&" in text and _ENTITY.search(text))
                or (not text.isascii() and _UNICODE_DELIMITER.search(text)))


_TAG_OR_QUOTE = re.compile(r'(<[^>]*>)|"')
_HEADING_TAG = re.compile(r"<h([23])>")


@dataclass(frozen=True)
class FastMarkdown:
    """The HTML of a text the gate let through, with what the body record needs."""

    html: str
    headings: tuple[tuple[int, str, str], ...]   # (level, text, id) of h2/h3
    links: tuple[tuple[str, int], ...]           # (href, 0-based line of its block)


@lru_cache(maxsize=1)
def native_engine() -> Callable[[str], str] | None:
    """pulldown-cmark's renderer, or None without `reelpress[fast]` (or when turned off)."""
    if os.environ.get("REELPRESS_MARKDOWN", "").strip().lower() == "markdown-it":
        return None
    try:
        import pyromark
    except ImportError:
        return None
    return pyromark.html  # type: ignore[no-any-return]


def render_fast(text: str, *, base_path: str = "/", fragment: bool = False
                ) -> FastMarkdown | None:
    """The same HTML markdown-it-py would give, or None when the gate cannot promise it
    (then the caller renders with markdown-it-py). `fragment`: no headings (joined FAQ
    answers share one set of heading ids in the reference path)."""
    engine = native_engine()
    if engine is None:
        return None
    scanned = _scan(text, base_path, fragment)
    if scanned is None:
        return None
    titles, links = scanned
    html = engine(text)
    if '"' in text:
        html = _TAG_OR_QUOTE.sub(_quote, html)
    headings: list[tuple[int, str, str]] = []
    if titles:
        with_ids = _with_heading_ids(html, titles, headings)
        if with_ids is None:
            return None
        html = with_ids
    return FastMarkdown(html, tuple(headings), links)


def _quote(match: re.Match[str]) -> str:
    return match.group(1) or "&quot;"


def _with_heading_ids(html: str, titles: list[tuple[int, str]],
                      found: list[tuple[int, str, str]]) -> str | None:
    from reelpress.core.languages import slugify

    names = UniqueNames()
    wanted = [(level, title) for level, title in titles if level in (2, 3)]
    ids = iter(wanted)

    def add_id(match: re.Match[str]) -> str:
        level, title = next(ids)
        anchor = names.claim(slugify(title) or "section")
        found.append((level, title, anchor))
        return f'<h{level} id="{anchor}">'

    if len(_HEADING_TAG.findall(html)) != len(wanted):
        return None  # the engine saw other headings than the scan: not ours to guess
    return _HEADING_TAG.sub(add_id, html)


def _scan(text: str, base_path: str, fragment: bool
          ) -> tuple[list[tuple[int, str]], tuple[tuple[str, int], ...]] | None:
    """(heading titles, links with their block's line), or None for an unsafe text."""
    fenced = "```" in text
    if not fenced and (_unsafe(text) or _UNSAFE_LINE_START.search(text)):
        return None
    titles: list[tuple[int, str]] = []
    links: list[tuple[str, int]] = []
    fence: str | None = None
    block_line, block_has_code, previous = -1, False, "blank"
    for number, line in enumerate(text.split("\n")):
        if fence is not None:
            if _CONTROL.search(line):
                return None
            closing = line.lstrip(" ").rstrip(" ")
            if len(line) - len(line.lstrip(" ")) <= 3 and closing.startswith(fence) \
                    and closing.strip("`") == "":
                fence, previous = None, "blank"  # a closed fence ends its block
            continue
        if not line.strip():
            previous = "blank"
            continue
        if fenced:
            opened = _FENCE_OPEN.match(line)
            if opened:
                fence = opened.group(1)
                continue
            if _unsafe(line) or _UNSAFE_LINE_START.match(line):
                return None
        if line.startswith("#"):
            heading = _HEADING.match(line)
            if heading is None or fragment:
                return None
            titles.append((len(heading.group(1)), heading.group(2).strip()))
            block_line, block_has_code, previous = number, False, "blank"
            continue  # a heading is a block of its own line
        item = _ITEM.match(line)
        if item is not None:
            if _NESTED.match(item.group(1)) or previous not in ("blank", "item"):
                return None  # nested blocks, or a list that may or may not interrupt
            block_line, block_has_code, previous = number, False, "item"
        else:
            if previous == "blank":
                block_line, block_has_code = number, False
            previous = "text" if previous == "blank" else "lazy" if previous in (
                "item", "lazy") else "text"
        if "`" in line:
            if links and links[-1][1] == block_line:
                return None  # a code span in a block with a link: leave it to the reference
            block_has_code = True
        if "](" not in line:
            continue
        dests = _LINK_DEST.findall(line)
        if len(dests) != line.count("]("):
            return None  # a link destination that goes on past this line
        for dest in dests:
            if not _SAFE_DEST.match(dest) or (dest.startswith("/") and base_path != "/"):
                return None
            links.append((dest, block_line))
        if block_has_code:
            return None  # a link inside a code span is no link: leave it to the reference
    if fence is not None:
        return None
    return titles, tuple(links)
