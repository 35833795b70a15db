"""Footnote references and link attributes for the fast path (`markup/fast_blocks.py`):
marked in the text for the native engine, which knows neither, and written into its HTML
as mdit-py-plugins' footnote and attrs plugins write them.

A reference `[^n]` becomes the text `[RPFN7]` (brackets, so emphasis around it is read
the same); `[a](https://x){rel=nofollow}` becomes `[a](https://x "RPAT3")`, whose title
attribute is then replaced by the attributes. A marker that comes out anywhere else
(in a code span, inside a link's text) sends the body to the reference path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.attrs.parse import ParseError, parse

from reelpress.markup.fast import FENCE_OPEN, LINK_DEST

_REF = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")
_LINKED_REF = re.compile(r"\[\^[A-Za-z0-9_-]+\][(\[]")
_REF_MARK = re.compile(r"\[RPFN(\d+)\]|<a[ >]|</a>|<code[ >]|</code>")
_REF_ONLY = re.compile(r"\[RPFN(\d+)\]")
_ATTR_MARK = re.compile(r' title="RPAT(\d+)"')
# attributes the plugin drops or checks (event handlers, URLs) or that a link has already
_REFUSED_ATTR = re.compile(r"on.*|href|src|action|formaction|xlink:href|title",
                           re.IGNORECASE)


@dataclass
class FootnoteRefs:
    """The references marked so far: their footnote numbers in order of first use."""

    labels: set[str]
    marks: list[tuple[int, int]] = field(default_factory=list)  # (number, use) per mark
    order: list[str] = field(default_factory=list)  # labels by footnote number - 1
    uses: dict[str, int] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)

    def mark(self, label: str) -> str:
        """The marker of one more reference to `label` (KeyError: no such footnote)."""
        if label not in self.labels:
            raise KeyError(label)
        if label not in self.numbers:
            self.order.append(label)
            self.numbers[label] = len(self.order)
            self.uses[label] = 0
        self.marks.append((self.numbers[label], self.uses[label]))
        self.uses[label] += 1
        return f"[RPFN{len(self.marks) - 1}]"


def fenced(lines: list[str]) -> list[bool]:
    """Which lines are inside (or open or close) a fenced code block, as the gate reads
    fences (`fast.scan`)."""
    if not any(line.startswith("```") for line in lines):
        return [False] * len(lines)
    inside: list[bool] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            closing = line.strip(" ")
            if len(line) - len(line.lstrip(" ")) <= 3 and closing.startswith(fence) \
                    and closing.strip("`") == "":
                fence = None
            inside.append(True)
            continue
        opened = FENCE_OPEN.match(line)
        if opened:
            fence = opened.group(1)
        inside.append(bool(opened))
    return inside


def mark_footnote_refs(lines: list[str], refs: FootnoteRefs) -> list[str] | None:
    """`lines` with each reference to a defined footnote marked; None for a reference
    to no footnote, or one a link could take (`[^n](x)`, `[^n][x]`)."""
    code = fenced(lines)
    marked = list(lines)
    for number, line in enumerate(lines):
        if "[^" not in line or code[number]:
            continue
        if _LINKED_REF.search(line):
            return None
        try:
            marked[number] = _REF.sub(lambda found: refs.mark(found.group(1)), line)
        except KeyError:
            return None  # a reference to no footnote
    return marked


def write_footnote_refs(html: str, refs: FootnoteRefs) -> str | None:
    """The HTML with each marked reference as the footnote plugin renders it, in order;
    None when one is missing, or came out in a link or a code span."""
    if not refs.marks:
        return html
    written = 0

    def sup(found: re.Match[str]) -> str:
        nonlocal written
        if int(found.group(1)) != written:
            raise ValueError(found.group())
        number, use = refs.marks[written]
        written += 1
        suffix = f":{use}" if use else ""
        return (f'<sup class="footnote-ref"><a href="#fn{number}" id="fnref{number}{suffix}">'
                f"[{number}{suffix}]</a></sup>")

    if ("<a" in html or "<code" in html) and not _marks_outside_links_and_code(html):
        return None
    try:
        html = _REF_ONLY.sub(sup, html)
    except ValueError:
        return None
    return html if written == len(refs.marks) else None


def _marks_outside_links_and_code(html: str) -> bool:
    in_link = in_code = False
    for found in _REF_MARK.finditer(html):
        token = found.group()
        if found.group(1) is not None:
            if in_link or in_code:
                return False
        elif token.startswith("<a"):
            in_link = True
        elif token == "</a>":
            in_link = False
        else:
            in_code = token.startswith("<code")
    return True


def link_attributes(lines: list[str], attributes: list[str]) -> tuple[str, str] | None:
    """(the text to scan: attributes after links taken out, the text to render: those
    links marked by a title), the rendered attributes appended to `attributes`; None for
    attributes the plugin could read otherwise than this line shows."""
    if not any("){" in line for line in lines):
        text = "\n".join(lines)
        return text, text
    scanned: list[str] = []
    rendered: list[str] = []
    seen: dict[str, tuple[str, int] | None] = {}
    for line, code in zip(lines, fenced(lines), strict=True):
        if code or "){" not in line:
            scanned.append(line)
            rendered.append(line)
            continue
        scan_parts: list[str] = []
        render_parts: list[str] = []
        position = 0
        for found in LINK_DEST.finditer(line):
            end = found.end()
            if line[end:end + 1] != "{":
                continue
            close = line.find("}", end)
            if close < 0:
                return None  # attributes going on past the line, or none
            block = line[end:close + 1]
            if block not in seen:  # the same block reads the same again (no `%` in it)
                seen[block] = _attributes(block)
            written = seen[block]
            if written is None or written[1] != len(block):
                written = _attributes(line[end:])  # a `}` in a quoted value, say
            if written is None or not found.group(1):
                return None
            html, length = written
            scan_parts.append(line[position:end])
            render_parts.append(f'{line[position:end - 1]} "RPAT{len(attributes)}")')
            attributes.append(html)
            position = end + length
        scanned.append("".join(scan_parts) + line[position:])
        rendered.append("".join(render_parts) + line[position:])
    return "\n".join(scanned), "\n".join(rendered)


def _attributes(text: str) -> tuple[str, int] | None:
    """(` key="value"`... as markdown-it renders them, characters read) of the `{...}`
    that starts `text`; None when the plugin would drop, check or read them otherwise
    (comments, a pipe that may end a table cell)."""
    try:
        last, attrs = parse(text)
    except ParseError:
        return None
    block = text[:last + 1]
    if "%" in block or "|" in block or any(_REFUSED_ATTR.fullmatch(key) for key in attrs):
        return None
    return "".join(f' {escapeHtml(key)}="{escapeHtml(value)}"'
                   for key, value in attrs.items()), last + 1


@dataclass
class AttributeMarks:
    """Writes the attributes of marked links into the HTML they were rendered to; `done`
    once each was written exactly once."""

    attributes: list[str]
    written: set[int] = field(default_factory=set)

    def write(self, html: str) -> str | None:
        if not self.attributes:
            return html
        parts: list[str] = []
        position = 0
        for found in _ATTR_MARK.finditer(html):
            number = int(found.group(1))
            if number in self.written or number >= len(self.attributes):
                return None
            parts.append(html[position:found.start()] + self.attributes[number])
            position = found.end()
            self.written.add(number)
        html = "".join(parts) + html[position:]
        return None if "RPAT" in html else html

    @property
    def done(self) -> bool:
        return len(self.written) == len(self.attributes)
