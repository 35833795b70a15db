"""Markup-dense Markdown bodies, one shape each (issue 16: "any 1 MB article builds in
under 2 s"): a construct every few characters, repeated to the size asked. Shared by the
regression tests (tests/test_markdown_dense.py) and the benchmark (bench/dense_markdown.py)."""

from __future__ import annotations

from collections.abc import Callable

WORDS = "the river rose overnight and the brigade took twelve people off the roofs"


def _bullets(n: int) -> str:
    return f"- item {n} with *some* words and a [link](https://e.org/{n})\n" + (
        "\n" if n % 50 == 49 else "")


def _nested(n: int) -> str:
    return (f"- level one {n}\n  - level two *b*\n    - level three `c`\n"
            f"      - level four [d](a.md#x)\n  - back to two\n") + ("\n" if n % 20 == 19 else "")


def _ordered(n: int) -> str:
    return f"{n % 1000 + 1}. step {n}: turn **this** and then `that`\n" + (
        "\n" if n % 50 == 49 else "")


def _tables(n: int) -> str:
    head = "| name | value | note |\n|:-----|------:|:----:|\n" if n % 40 == 0 else ""
    tail = "\n" if n % 40 == 39 else ""
    return f"{head}| row {n} | *{n}* | [x](a.md) `y` |\n{tail}"


def _emphasis(n: int) -> str:
    tail = "\n\n" if n % 20 == 19 else " "
    return f"*a{n}* **b** _c_ __d__ ***e*** *f **g** h*{tail}"


def _links(n: int) -> str:
    tail = "\n\n" if n % 20 == 19 else " "
    return f"[one](https://e.org/a/{n}) [two](a.md#s{n}) <https://e.org/{n}>{tail}"


def _headings(n: int) -> str:
    return f"{'#' * (2 + n % 3)} Heading number {n % 97}\n\n"


def _blockquotes(n: int) -> str:
    return f"> quoted *line* {n}\n> > nested [q](a.md)\n>\n> more\n\n"


def _faq_blocks(n: int) -> str:
    return f"::: faq\n### Question {n % 50}?\n\nAnswer with *emph* and [a](a.md).\n:::\n\n"


def _code(n: int) -> str:
    return f"```python\ndef f{n}(x):\n    return x * {n}  # <b>\n```\n\nText `span {n}` here.\n\n"


def _footnotes(n: int) -> str:
    return f"Claim {n}[^n{n}] and another[^m{n}].\n\n[^n{n}]: Source {n}.\n[^m{n}]: *Other*.\n\n"


def _deflists(n: int) -> str:
    return f"Term {n}\n: Definition with *emph* {n}\n: A second [one](a.md)\n\n"


def _attrs(n: int) -> str:
    return (f"## Part {n} {{#part-{n} .big}}\n\nA *word*{{.hl}} and "
            f"[link](https://e.org/{n}){{rel=nofollow}} here.\n{{.lead}}\n\n")


def _faq_container(n: int) -> str:
    start = "::: faq\n" if n % 200 == 0 else ""
    end = ":::\n\n" if n % 200 == 199 else ""
    return f"{start}Question {n}?\n: Answer *{n}* with [a link](a.md).\n\n{end}"


def _prose(n: int) -> str:
    return f"{WORDS} {n}, {WORDS}.\n\n"


SHAPES: dict[str, Callable[[int], str]] = {
    "bullets": _bullets, "nested": _nested, "ordered": _ordered, "tables": _tables,
    "emphasis": _emphasis, "links": _links, "headings": _headings,
    "blockquotes": _blockquotes, "faq_blocks": _faq_blocks, "code": _code,
    "footnotes": _footnotes, "deflists": _deflists, "attrs": _attrs,
    "faq_container": _faq_container, "prose": _prose,
}
_MIXED = [name for name in SHAPES if name not in ("prose", "faq_container")]


def _mix(n: int) -> str:
    """One of each shape's blocks in turn (lists and tables closed by a blank line)."""
    return "\n".join(SHAPES[name](n) for name in _MIXED) + f"\n::: faq\n{_faq_container(1)}:::\n\n"


SHAPES["mix"] = _mix


def dense_body(shape: str, size: int = 1_000_000) -> str:
    """At least `size` characters of `shape`, its blocks closed."""
    make = SHAPES[shape]
    parts: list[str] = []
    total, n = 0, 0
    while total < size:
        part = make(n)
        parts.append(part)
        total += len(part)
        n += 1
    if shape == "faq_container" and n % 200:
        parts.append(":::\n")
    return "".join(parts)
