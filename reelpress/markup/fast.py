"""A native Markdown fast path (pulldown-cmark, through `pyromark`) behind a conformance gate.

markdown-it-py (`engine.py`) is the reference and the fallback. A text goes to the native
engine only when a cheap line scan finds nothing but constructs both engines render to
the same bytes: paragraphs, ATX headings of plain words, lists (nested when indented to
their parent's text), block quotes, tables after a blank line, definition lists of
one-line terms, fenced code, emphasis, code spans, inline links to plain http(s) or
relative URLs and such URLs as autolinks, and braces where the attrs plugin cannot read
them. Anything else (footnotes, `{attrs}` after a link, containers: `fast_blocks.py`
takes those out of a body first; images, raw HTML, entities, backslash escapes, link
titles, setext headings, indented code, tabs...) keeps the reference path. Then the
known differences of the subset are mended: text quotes (markdown-it writes `&quot;`),
empty quotes, table layout, and heading ids (markdown-it's anchors plugin); links to
Markdown files are checked against the ones the engine made. `tests/test_markdown_fast.py`
holds the gate to byte-identical output over the benchmark corpus, the demo, the FAQ
fixtures, the CommonMark spec examples and generated texts;
`tests/test_markdown_dense.py` over each dense shape.

pyromark is in the default install; without it (a platform with no wheel) everything
takes the reference path. `REELPRESS_MARKDOWN=markdown-it` turns the fast path off.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import unescape as html_unescape

from reelpress.markup.anchors import UniqueNames
from reelpress.markup.source_links import is_source_link

# Anywhere outside fenced code: characters and sequences that start a construct the
# fast path does not take (escapes, HTML, strikethrough, footnotes, images, entities),
# and emphasis delimiters touching a non-ASCII character (the two engines may classify
# Unicode punctuation differently). `<` is taken only as a plain web autolink
# (`<https://example.org/x>`), removed before this check.
_UNSAFE_CHAR = re.compile(r"[\\<~^\x00-\x09\x0b-\x1f\x7f]")
# The ASCII characters `_UNSAFE_CHAR` does not match
_SAFE_ASCII = bytes(code for code in range(128) if not _UNSAFE_CHAR.match(chr(code)))
# A brace right after a link, an autolink, a code span or another brace block: where the
# attrs plugin may read `{...}` as attributes. Any other brace is text in both engines.
_ATTACHED_BRACE = re.compile(r"[)>`}]\{")
_ENTITY = re.compile(r"&(?! )")
_UNICODE_DELIMITER = re.compile(r"[^\x00-\x7f][*_]|[*_][^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_URL_CHARS = r"(?:[A-Za-z0-9/._#?=+&-]|%[0-9A-Fa-f]{2})*"
_AUTOLINK = re.compile(r"<https?://[a-z0-9.-]+(?:[/?#]" + _URL_CHARS + r")?>")
# An ATX heading of plain words (a `#` inside is text; one at the end could close it)
HEADING = re.compile(r"^(#{1,6}) +([^*_`\[\]<]*[^#*_`\[\]<\s])\s*$")
_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)]) (\S.*)$")
_BULLET_OR_FIRST = re.compile(r"^(?:[-*+]|0{0,8}1[.)]) ")
# An item's text that would open a block inside the item (a nested list, a heading,
# a `::: faq` container...).
_NESTED = re.compile(r"^(?:(?:[-*+]|\d{1,9}[.)])(?: |$)|[#`>]|:{3}|([-*_])(?: *\1){2,} *$)")
FENCE_OPEN = re.compile(r"^(`{3,})([A-Za-z0-9_+-]*)$")
LINK_DEST = re.compile(r"\]\(([^)]*)\)")
_SAFE_DEST = re.compile(r"^(?:https?://[a-z0-9.-]+(?=[/?#]|$))?" + _URL_CHARS + "$")
_SAFE_DEST_PLAIN = re.compile(r"^(?:https?://[a-z0-9.-]+(?=[/?#]|$))?[A-Za-z0-9/._#?=+&-]*$")
_HREF = re.compile(r'<a href="([^"]*)"')
# Block quote markers and indentation in front of a line's text (nested lists, quotes).
_CONTAINER_PREFIX = re.compile(r"[ >]*")
# What a line may not start with, after its container prefix: deflists and containers
# (`:`), setext underlines and thematic breaks, backticks (fences, nested or not plain),
# link definitions, empty list items, items whose text is indented further (code), and
# headings inside a container (their ids are numbered by the reference in order).
_UNSAFE_TEXT_START = re.compile(r"(?::(?! \S)|[=`]|([-*_])(?: *\1){2,} *$|-+ *$|\[[^\]]*\]:"
                                r"|(?:[-*+]|\d{1,9}[.)]) *$|(?:[-*+]|\d{1,9}[.)])  )")
_TEXT_START_CHARS = ":=`-*_[+"  # and the digits (`\d`: `str.isdecimal`)
# markdown-it stops nesting blocks at 20 levels (its `maxNesting`), pulldown-cmark does
# not: a quote depth and an indentation that keep every line well under that.
# A table's delimiter row (`|:--|--:|`), and the tags pulldown-cmark writes on one line
# where markdown-it puts each on its own.
_DELIMITER_ROW = re.compile(r"^\|? *:?-+:? *(?:\| *:?-+:? *)*\|? *$")
_TABLE_TAG = re.compile(r"(</?(?:table|thead|tbody|tr)>|</t[hd]>)\n?")
_MAX_QUOTE_DEPTH = 4
_MAX_LIST_DEPTH = 7
_QUOTE_PREFIX = re.compile(r"(?:> ?)+")


def _unsafe(text: str) -> bool:
    """Whether `text` (a line, or a text without fences) has a character or sequence that
    the fast path does not take (one regex with all of them is several times slower)."""
    if "{" in text and _ATTACHED_BRACE.search(text):
        return True
    if "<" in text:
        text = _AUTOLINK.sub("", text)
    if text.isascii():  # a byte table: several times faster than `_UNSAFE_CHAR`
        return bool(text.encode("ascii").translate(None, _SAFE_ASCII) or "![" in text
                    or ("&" in text and _ENTITY.search(text)))
    return bool(_UNSAFE_CHAR.search(text) or "![" in text
                or ("&" in text and _ENTITY.search(text))
                or (not text.isascii() and _UNICODE_DELIMITER.search(text)))


_TAG_OR_QUOTE = re.compile(r'(<[^>]*>)|"')
_HEADING_TAG = re.compile(r"<h([23])>")
_EMPTY_QUOTE = "<blockquote>\n</blockquote>"


@dataclass(frozen=True)
class FastMarkdown:
    """The HTML of a text the gate let through, with what the body record needs."""

    html: str
    headings: tuple[tuple[int, str, str], ...]   # (level, text, id) of h2/h3
    links: tuple[tuple[str, int], ...]           # (href, 0-based line of its block)


# pyromark releases whose output the differential tests proved byte for byte the
# reference's (tests/test_markdown_fast.py, test_markdown_dense.py); another release
# installed beside reelpress leaves every body to markdown-it-py until it is proved too
VERIFIED_PYROMARK = frozenset({"0.10.3"})


@lru_cache(maxsize=1)
def native_engine() -> Callable[[str], str] | None:
    """pulldown-cmark's renderer; None when pyromark is missing, is a release not proved
    against the reference, or is turned off (`REELPRESS_MARKDOWN=markdown-it`)."""
    if os.environ.get("REELPRESS_MARKDOWN", "").strip().lower() == "markdown-it":
        return None
    try:
        import pyromark
    except ImportError:
        return None
    if getattr(pyromark, "__version__", None) not in VERIFIED_PYROMARK:
        return None
    options = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_DEFINITION_LIST
    return pyromark.Markdown(options=options).html  # type: ignore[no-any-return]


def render_fast(text: str, *, base_path: str = "/", fragment: bool = False
                ) -> FastMarkdown | None:
    """The same HTML markdown-it-py would give, or None when the gate cannot promise it
    (then the caller renders with markdown-it-py). `fragment`: no headings (joined FAQ
    answers share one set of heading ids in the reference path)."""
    engine = native_engine()
    if engine is None:
        return None
    scanned = scan(text, base_path, fragment)
    if scanned is None:
        return None
    names = UniqueNames()
    return finish(mend(engine(text), text), scanned, lambda title: heading_anchor(title, names))


Scanned = tuple[list[tuple[int, str]], tuple[tuple[str, int], ...]]


def mend(html: str, text: str) -> str:
    """pulldown-cmark's HTML of a text the gate took, written as markdown-it writes it."""
    if '"' in text:
        html = _TAG_OR_QUOTE.sub(_quote, html)
    if "<table>" in html:
        html = _TABLE_TAG.sub(r"\1\n", html).replace("<tbody>\n</tbody>\n", "").replace(
            'style="text-align: ', 'style="text-align:')  # text quotes are &quot; by now
    if _EMPTY_QUOTE in html:  # markdown-it writes an empty quote on one line
        html = html.replace(_EMPTY_QUOTE, "<blockquote></blockquote>")
    return html


def finish(html: str, scanned: Scanned, anchor: Callable[[str], str]) -> FastMarkdown | None:
    """The mended HTML of one scanned text with its heading ids (`anchor` of each h2/h3
    title, in order), or None when the engine's links or headings are not those the scan
    saw."""
    titles, links = scanned
    if (links or ".md" in html) and not _links_are_the_engines(html, links):
        return None
    headings: list[tuple[int, str, str]] = []
    if titles:
        with_ids = _with_heading_ids(html, titles, headings, anchor)
        if with_ids is None:
            return None
        html = with_ids
    return FastMarkdown(html, tuple(headings), links)


def _links_are_the_engines(html: str, links: tuple[tuple[str, int], ...]) -> bool:
    """Whether the links to Markdown files the scan found are those the engine made, in
    order: a `](x.md)` inside a code span, or in a table cell past the header's count, is
    no link, and then the scan's lines cannot be trusted."""
    made = [href for href in (html_unescape(found) for found in _HREF.findall(html))
            if is_source_link(href)]
    return made == [href for href, _line in links]


def _quote(match: re.Match[str]) -> str:
    return match.group(1) or "&quot;"


def heading_anchor(title: str, names: UniqueNames) -> str:
    """The id markdown-it's anchors plugin gives a heading (`engine.markdown_engine`)."""
    from reelpress.core.languages import slugify

    return names.claim(slugify(title) or "section")


def _with_heading_ids(html: str, titles: list[tuple[int, str]],
                      found: list[tuple[int, str, str]], anchor_of: Callable[[str], str]
                      ) -> str | None:
    wanted = [(level, title) for level, title in titles if level in (2, 3)]
    ids = iter(wanted)

    def add_id(match: re.Match[str]) -> str:
        level, title = next(ids)
        anchor = anchor_of(title)
        found.append((level, title, anchor))
        return f'<h{level} id="{anchor}">'

    if len(_HEADING_TAG.findall(html)) != len(wanted):
        return None  # the engine saw other headings than the scan: not ours to guess
    return _HEADING_TAG.sub(add_id, html)


def scan(text: str, base_path: str, fragment: bool) -> Scanned | None:
    """(heading titles, links to Markdown files with their block's first line), or None
    for a text the gate does not take.

    A block (the paragraph markdown-it maps a link to) starts after a blank line, at a
    heading, a list item or a deeper block quote; any other line continues it (a
    paragraph's next line, or a lazy one). Nesting is taken only where that rule cannot
    be wrong: quotes as `> ` markers, and list items indented exactly to the text of an
    open item (`items`, the text columns of the open items)."""
    fenced = "```" in text
    if not fenced and _unsafe(text):
        return None
    titles: list[tuple[int, str]] = []
    links: list[tuple[str, int]] = []
    fence: str | None = None
    items: list[int] = []
    block_line, previous_blank, previous_depth, previous_item = -1, True, 0, ""
    table, delimiter_row = False, -1
    definition, term_line = False, -1  # in a definition list; the last one-line term
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if fence is not None:
            if _CONTROL.search(line):
                return None
            closing = line.lstrip(" ").rstrip(" ")
            if len(line) - len(line.lstrip(" ")) <= 3 and closing.startswith(fence) \
                    and closing.strip("`") == "":
                fence, previous_blank = None, True  # a closed fence ends its block
            continue
        if line[:1] in " >":  # most lines start with their text: no regex for those
            prefix = _CONTAINER_PREFIX.match(line).group()  # type: ignore[union-attr]
            content = line[len(prefix):]
            depth = prefix.count(">")
        else:
            prefix, content, depth = "", line, 0
        if depth and not _QUOTE_PREFIX.fullmatch(prefix if content else prefix.rstrip(" ")):
            return None  # indentation around quote markers: not ours to follow
        if not content or content.isspace():
            previous_blank, table, definition = True, False, False
            continue
        if fenced:
            opened = FENCE_OPEN.match(line)
            if opened:
                fence, items = opened.group(1), []
                continue
            if _unsafe(line):
                return None
        if (content[0] in _TEXT_START_CHARS or content[0].isdecimal()) \
                and _UNSAFE_TEXT_START.match(content):
            return None  # (no other character can start one of its constructs)
        if content.startswith(": ") or definition:
            if prefix or not content.startswith(": ") or previous_blank \
                    or (term_line != number - 1 and not definition) \
                    or _NESTED.match(content[2:]) or "|" in line:
                return None  # a definition not right under a one-line term, or lazy text
            definition = True
            block_line, previous_item, items = number, "", []
            if "](" in line and not _record_links(line, block_line, base_path, links):
                return None
            continue
        if "|" in line and not table and _plain_pipes(content, lines, number):
            pass  # pipes in text: no table starts on this line or the one before
        elif "|" in line or table:
            if prefix or "|" not in line or (not table and not previous_blank):
                return None  # a table nested, interrupting, or a row that may end it
            if not table:
                if number + 1 >= len(lines) or not _DELIMITER_ROW.match(lines[number + 1]) \
                        or "|" not in lines[number + 1] \
                        or _cells(line) != _cells(lines[number + 1]):
                    return None  # a pipe that does not start a plain table
                table, delimiter_row, items = True, number + 1, []
            elif number == delimiter_row:
                continue
            if _ITEM.match(line) or line.startswith(("#", "`")) or not line.strip(" |"):
                return None  # a row that may start a block, or a row of pipes alone
            block_line, previous_blank, previous_depth, previous_item = number, False, 0, ""
            if "](" in line and not _record_links(line, block_line, base_path, links):
                return None
            continue
        if line.startswith("#"):
            heading = HEADING.match(line)
            if heading is None or fragment:
                return None
            titles.append((len(heading.group(1)), heading.group(2).strip()))
            block_line, previous_blank, previous_depth, items = number, True, 0, []
            continue  # a heading is a block of its own line
        if prefix and content.startswith("#"):
            return None  # a heading inside a quote or an item: numbered by the reference
        item = _ITEM.match(content) if content[0] in "-*+" or content[0].isdecimal() else None
        if item is not None and _NESTED.match(item.group(1)):
            return None  # an item opening a block at once ("- - x", "- > x")
        starts_block = previous_blank or item is not None or depth > previous_depth
        if depth:
            if depth > _MAX_QUOTE_DEPTH:
                return None
            if starts_block:
                items = []  # a quote at the margin closes the lists
        elif starts_block:
            column = len(prefix)
            while items and items[-1] > column:
                items.pop()  # a line left of an item's text closes that item
            if column and (not items or items[-1] != column):
                return None  # not aligned with an open item's text: code, or lazy text
        kind = ""
        if item is not None:
            kind = content[:item.start(1) - 1].strip("0123456789") + str(len(prefix))
            if not previous_blank and not _BULLET_OR_FIRST.match(content) \
                    and kind != previous_item:
                return None  # "2." that may not interrupt a paragraph: maybe a lazy line
            if not depth:
                items.append(len(prefix) + item.start(1))
                if len(items) > _MAX_LIST_DEPTH:
                    return None
        if starts_block:
            block_line = number
        if previous_blank and not prefix and item is None:
            term_line = number
        previous_blank, previous_depth, previous_item = False, depth, kind
        if "](" in line and not _record_links(line, block_line, base_path, links):
            return None
    if fence is not None:
        return None
    return titles, tuple(links)


def _record_links(line: str, block_line: int, base_path: str,
                  links: list[tuple[str, int]]) -> bool:
    """Add the line's links to Markdown files; False for a destination not ours to take."""
    dests = LINK_DEST.findall(line)
    if len(dests) != line.count("]("):
        return False  # a link destination that goes on past this line
    for dest in dests:
        safe = _SAFE_DEST if "%" in dest else _SAFE_DEST_PLAIN  # one class: faster
        if not safe.match(dest) or (dest.startswith("/") and base_path != "/"):
            return False
        if is_source_link(dest):
            links.append((dest, block_line))
    return True


_DELIMITER_CHARS = frozenset(" |:-")


def _may_delimit(content: str) -> bool:
    """Whether a line's text could be a table's delimiter row, to either engine."""
    return bool(content.strip()) and set(content) <= _DELIMITER_CHARS


def _plain_pipes(content: str, lines: list[str], number: int) -> bool:
    """Whether a line with pipes is text to both engines: neither it nor the next line
    could be a delimiter row (nor the next a definition, of a term with pipes)."""
    if _may_delimit(content):
        return False
    if number + 1 >= len(lines):
        return True
    following = lines[number + 1]
    rest = following[len(_CONTAINER_PREFIX.match(following).group()):]  # type: ignore[union-attr]
    return not _may_delimit(rest) and not rest.startswith(":")


def _cells(row: str) -> int:
    """How many cells a table row has (no backslash escapes reach here)."""
    inner = row.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return inner.count("|") + 1
