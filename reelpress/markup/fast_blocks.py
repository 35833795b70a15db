"""The native fast path for whole bodies with what markdown-it-py's plugins add: `::: faq`
containers, footnotes and link attributes (`[a](b){rel=nofollow}`).

A body is cut at its top-level boundaries (FAQ containers, groups of one-line footnote
definitions) into pieces that each pass the gate of `markup/fast.py`: the text outside,
each FAQ answer (or a container's definition list), each footnote's text. All pieces go
to the native engine in one call, joined by thematic breaks (which the gate never lets
through, so the `<hr />` between them is ours to cut at), and the plugins' output is
written in afterwards as `engine.render_reference` writes it: FAQ items lifted out with
their lines, footnote references numbered in the order they are first used and their
notes listed at the end, attributes added to the link before them. Heading ids are
claimed across pieces in document order, questions included (markdown-it's anchors
plugin sees the containers' headings before `faq.extract_faq` removes them).
`tests/test_markdown_fast.py` holds this to byte-identical output as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape as html_unescape

from reelpress.markup.anchors import UniqueNames
from reelpress.markup.fast import (
    FENCE_OPEN,
    HEADING,
    Scanned,
    finish,
    heading_anchor,
    mend,
    native_engine,
    render_fast,
    scan,
)
from reelpress.markup.fast_inline import (
    AttributeMarks,
    FootnoteRefs,
    fenced,
    link_attributes,
    mark_footnote_refs,
    write_footnote_refs,
)

_FAQ_OPEN = re.compile(r"^(:{3,}) *faq *$")
_CLOSER = re.compile(r"^ {0,3}(:{3,}) *$")
_NOTE = re.compile(r"^\[\^([A-Za-z0-9_-]+)\]: (\S.*)$")
_SEPARATOR = "\n\n***\n\n"
_RENDERED_SEPARATOR = "<hr />\n"
# what a container or a group of notes becomes in the body's text (its first line; the
# others blank, so lines keep their numbers): a heading, which ends what is open before
# it, starts nothing after it, and renders to a line of its own, taken out again
_CUT = "# RPCUT"
_RENDERED_CUT = "<h1>RPCUT</h1>\n"
_DEFINITION = re.compile(r"<dt>(.*?)</dt>\n|<dd>(.*?)</dd>\n", re.S)
_TAG = re.compile(r"<[^>]*>")
# strings the pieces are marked with: an author's text that has them goes to the reference
_MARKERS = ("RPAT", "RPFN", "RPCUT")


@dataclass(frozen=True)
class FastBody:
    """What `engine.RenderedBody` needs of a body the fast path took."""

    html: str
    headings: tuple[tuple[int, str, str], ...]   # (level, text, id) of h2/h3
    links: tuple[tuple[str, int], ...]           # (href, 0-based line of its block)
    faq: tuple[tuple[str, str, int], ...] = ()   # (question, answer HTML, 0-based line)


@dataclass
class _Piece:
    """One text for the native engine: `kind` is 'body' (with its containers and notes
    cut out), 'answer' (after a question heading), 'definitions' (a container's
    definition list) or 'notes' (every footnote's text, a paragraph each)."""

    kind: str
    lines: list[str]
    first_line: int
    question: tuple[int, str] | None = None   # an answer's heading (level, text)
    term_lines: list[int] = field(default_factory=list)
    render_text: str = ""
    scanned: Scanned = ([], ())
    html: str = ""


@dataclass
class _Split:
    """A body cut at its containers and footnotes."""

    body: list[str]
    cuts: int = 0
    pieces: list[_Piece] = field(default_factory=list)
    notes: dict[str, tuple[str, int]] = field(default_factory=dict)  # label: (text, line)


def render_fast_body(text: str, *, base_path: str = "/") -> FastBody | None:
    """The body record markdown-it-py would give, or None when the gate cannot promise it."""
    if ":::" not in text and "[^" not in text and "{" not in text:
        fast = render_fast(text, base_path=base_path)
        return None if fast is None else FastBody(fast.html, fast.headings, fast.links)
    engine = native_engine()
    if engine is None or any(marker in text for marker in _MARKERS):
        return None
    split = _split(text.split("\n"))
    if split is None:
        return None
    notes = split.notes
    refs = FootnoteRefs(set(notes))
    pieces = [_Piece("body", split.body, 0), *split.pieces]
    if notes:
        lines = [line for content, _line in notes.values() for line in (content, "")]
        pieces.append(_Piece("notes", lines[:-1], 0))
    attributes: list[str] = []
    for piece in pieces:
        marked: list[str] | None = piece.lines
        if piece.kind == "body" and notes:
            marked = mark_footnote_refs(piece.lines, refs)
        texts = None if marked is None else link_attributes(marked, attributes)
        scanned = None if texts is None else scan(texts[0], base_path, piece.kind != "body")
        if texts is None or scanned is None:
            return None
        piece.render_text, piece.scanned = texts[1], scanned
    joined = _SEPARATOR.join(piece.render_text for piece in pieces)
    parts = mend(engine(joined), joined).split(_RENDERED_SEPARATOR)
    if len(parts) != len(pieces) or parts[0].count(_RENDERED_CUT) != split.cuts:
        return None
    for piece, part in zip(pieces, parts, strict=True):
        piece.html = part
    return _assemble(pieces, notes, refs, AttributeMarks(attributes))


def _assemble(pieces: list[_Piece], notes: dict[str, tuple[str, int]], refs: FootnoteRefs,
              marks: AttributeMarks) -> FastBody | None:
    body_piece = pieces[0]
    anchors = _heading_ids(body_piece, pieces[1:])
    if anchors is None:
        return None
    body = finish(body_piece.html, body_piece.scanned, lambda _title: next(anchors))
    if body is None:
        return None
    links = [(href, line) for href, line in body.links]
    faq: list[tuple[str, str, int]] = []
    tail = ""
    for piece in pieces[1:]:
        done = finish(piece.html, piece.scanned, lambda _title: "")
        if done is None:
            return None
        if piece.kind == "answer":
            if "<dt>" in done.html:
                return None  # the reference takes the container's definitions instead
            assert piece.question is not None
            faq.append((piece.question[1], done.html.strip(), piece.first_line - 1))
        elif piece.kind == "definitions":
            items = _definition_items(done.html, piece)
            if not items:
                return None
            faq.extend(items)
        else:
            listed = _footnotes(done.html, done.links, notes, refs, links)
            if listed is None:
                return None
            tail = listed
    html = write_footnote_refs(body.html.replace(_RENDERED_CUT, ""), refs)
    html = None if html is None else marks.write(html + tail)
    answers = [(question, marks.write(answer), line) for question, answer, line in faq]
    if html is None or not marks.done or any(answer is None or "RPFN" in answer
                                             for _q, answer, _line in answers):
        return None
    return FastBody(html, body.headings, tuple(links),
                    tuple((q, a, line) for q, a, line in answers if a is not None))


def _heading_ids(body: _Piece, pieces: list[_Piece]) -> Iterator[str] | None:
    """The ids of the body's headings, claimed in document order with the questions'
    (markdown-it's anchors plugin runs before the FAQ is lifted out)."""
    titles = body.scanned[0]
    lines = [number for number, (line, code) in enumerate(zip(body.lines, fenced(body.lines),
                                                                strict=True))
             if not code and line.startswith("#")]
    if len(lines) != len(titles):
        return None
    events = sorted([(line, level, title, True) for line, (level, title)
                     in zip(lines, titles, strict=True) if level in (2, 3)] +
                    [(piece.first_line - 1, *piece.question, False) for piece in pieces
                     if piece.question is not None])
    names = UniqueNames()
    ids = []
    for _line, level, title, in_body in events:
        if level in (2, 3):
            anchor = heading_anchor(title, names)
            if in_body:
                ids.append(anchor)
    return iter(ids)


def _split(lines: list[str]) -> _Split | None:
    """The body with each FAQ container and each group of footnotes cut (its lines
    replaced by cut headings), the containers' pieces and the footnotes; None for a
    boundary the cut cannot follow (an unclosed container, a note not alone on its
    lines, a label defined twice)."""
    split = _Split(list(lines))
    number, fence = 0, None
    while number < len(lines):
        line = lines[number]
        if fence is not None:
            closing = line.strip(" ")
            if len(line) - len(line.lstrip(" ")) <= 3 and closing.startswith(fence) \
                    and closing.strip("`") == "":
                fence = None
            number += 1
            continue
        opened = FENCE_OPEN.match(line)
        if opened:
            fence = opened.group(1)
            number += 1
            continue
        container = _FAQ_OPEN.match(line)
        note = _NOTE.match(line) if line.startswith("[^") else None
        if container is None and note is None:
            number += 1
            continue
        if container is not None:
            end = _closer(lines, number, len(container.group(1)))
            if end is None or not _container(lines, number + 1, end, split.pieces):
                return None
        else:
            end = _notes(lines, number, split.notes)
            if end is None:
                return None
        split.body[number:end + 1] = [_CUT] + [""] * (end - number)
        split.cuts += 1
        number = end + 1
    return None if fence is not None else split


def _notes(lines: list[str], first: int, notes: dict[str, tuple[str, int]]) -> int | None:
    """Add the group of footnotes that starts at `first`; its last line."""
    if first and lines[first - 1].strip():
        return None  # a note that ends a paragraph or a list
    end = first
    while end < len(lines) and lines[end].startswith("[^"):
        found = _NOTE.match(lines[end])
        if found is None or found.group(1) in notes:
            return None
        notes[found.group(1)] = (found.group(2), end)
        end += 1
    following = end
    while following < len(lines) and not lines[following].strip():
        following += 1
    if end < len(lines) and lines[end].strip() or \
            following < len(lines) and lines[following].startswith((" ", "\t")):
        return None  # text that may go on in the last note
    return end - 1


def _closer(lines: list[str], opener: int, markers: int) -> int | None:
    """The line that closes a container (the plugin reads lines raw, fences or not)."""
    for number in range(opener + 1, len(lines)):
        found = _CLOSER.match(lines[number])
        if found and len(found.group(1)) >= markers:
            return number
    return None


def _container(lines: list[str], first: int, end: int, pieces: list[_Piece]) -> bool:
    """Add a FAQ container's pieces: answers under question headings, or its one
    definition list; False for any other container."""
    inner = lines[first:end]
    heads = [index for index, text in enumerate(inner) if text.startswith("#")]
    if not heads:
        terms = [first + index for index in range(len(inner) - 1)
                 if inner[index + 1].startswith(": ") and not inner[index].startswith(": ")]
        pieces.append(_Piece("definitions", inner, first, term_lines=terms))
        return bool(terms)
    if any(text.strip() for text in inner[:heads[0]]):
        return False  # text before the first question: left out by the reference
    for position, head in enumerate(heads):
        heading = HEADING.match(inner[head])
        if heading is None:
            return False
        stop = heads[position + 1] if position + 1 < len(heads) else len(inner)
        pieces.append(_Piece("answer", inner[head + 1:stop], first + head + 1,
                             question=(len(heading.group(1)), heading.group(2).strip())))
    return True


def _definition_items(html: str, piece: _Piece) -> list[tuple[str, str, int]]:
    """`faq._definition_items` over the HTML of a container's definition list: each term
    with its first definition."""
    found = list(_DEFINITION.finditer(html))
    terms = [match for match in found if match.group(1) is not None]
    if len(terms) != len(piece.term_lines) or html.count("<dt>") != len(terms) or \
            html.count("<dd>") != len(found) - len(terms):
        return []
    items: list[tuple[str, str, int]] = []
    lines = iter(piece.term_lines)
    question, line = "", 0
    for match in found:
        if match.group(1) is not None:
            question, line = html_unescape(_TAG.sub("", match.group(1))).strip(), next(lines)
        elif question:
            items.append((question, match.group(2).strip(), line))
            question = ""
    return items


def _footnotes(html: str, note_links: tuple[tuple[str, int], ...],
               notes: dict[str, tuple[str, int]], refs: FootnoteRefs,
               links: list[tuple[str, int]]) -> str | None:
    """The footnote list the reference appends, in the order notes were first referred
    to (notes never referred to are left out); their links go after the body's. `html`
    is that of every note, a paragraph each, in the order they were defined."""
    paragraphs = html.split("</p>\n")
    if len(paragraphs) != len(notes) + 1 or paragraphs[-1] or \
            any(not text.startswith("<p>") or "<p>" in text[3:] for text in paragraphs[:-1]):
        return None  # a note that is not one paragraph
    if not refs.order:
        return ""
    index = {label: position for position, label in enumerate(notes)}
    by_note: dict[int, list[str]] = {}
    for href, line in note_links:
        by_note.setdefault(line // 2, []).append(href)
    items = []
    for number, label in enumerate(refs.order, start=1):
        position = index[label]
        links.extend((href, notes[label][1]) for href in by_note.get(position, []))
        anchors = "".join(
            f' <a href="#fnref{number}{f":{use}" if use else ""}" class="footnote-backref">'
            "\u21a9\ufe0e</a>" for use in range(refs.uses[label]))
        items.append(f'<li id="fn{number}" class="footnote-item">'
                     f"{paragraphs[position]}{anchors}</p>\n</li>\n")
    return ('<hr class="footnotes-sep" />\n<section class="footnotes">\n'
            '<ol class="footnotes-list">\n' + "".join(items) + "</ol>\n</section>\n")
