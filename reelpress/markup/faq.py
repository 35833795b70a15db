"""FAQ blocks in the body: a `::: faq` container whose headings are questions (or a
definition list inside the container). They are lifted out of the body so the theme
renders one FAQ section per page, merged with the front matter's `faq:`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token


@dataclass(frozen=True)
class BodyFaqItem:
    question: str
    answer_html: str
    line: int | None


def extract_faq(tokens: list[Token], md: MarkdownIt, env: dict[str, Any], body_line: int
                ) -> tuple[list[Token], tuple[BodyFaqItem, ...], list[tuple[int | None, str]]]:
    """Remove every faq container from `tokens`; return the rest, the items and warnings."""
    kept: list[Token] = []
    items: list[BodyFaqItem] = []
    warnings: list[tuple[int | None, str]] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type != "container_faq_open":
            kept.append(token)
            index += 1
            continue
        depth, end = 1, index + 1
        while end < len(tokens) and depth:
            if tokens[end].type == "container_faq_open":
                depth += 1
            elif tokens[end].type == "container_faq_close":
                depth -= 1
            end += 1
        inner = tokens[index + 1:end - 1]
        line = body_line + token.map[0] if token.map else None
        found = _definition_items(inner, md, env, body_line) or \
            _heading_items(inner, md, env, body_line)
        if not found:
            warnings.append((line, "faq block has no questions "
                                   "(use '### Question?' headings or a definition list)"))
        items.extend(found)
        index = end
    return kept, tuple(items), warnings


def inline_text(inline: Token) -> str:
    return "".join(c.content for c in inline.children or []
                   if c.type in ("text", "code_inline")).strip()


def _heading_items(inner: list[Token], md: MarkdownIt, env: dict[str, Any],
                   body_line: int) -> list[BodyFaqItem]:
    items: list[BodyFaqItem] = []
    starts = [i for i, t in enumerate(inner) if t.type == "heading_open"]
    for number, start in enumerate(starts):
        stop = starts[number + 1] if number + 1 < len(starts) else len(inner)
        question = inline_text(inner[start + 1])
        answer_tokens = inner[start + 3:stop]
        answer_html = md.renderer.render(answer_tokens, md.options, env).strip()
        token_map = inner[start].map
        line = body_line + token_map[0] if token_map else None
        if question:
            items.append(BodyFaqItem(question, answer_html, line))
    return items


def _definition_items(inner: list[Token], md: MarkdownIt, env: dict[str, Any],
                      body_line: int) -> list[BodyFaqItem]:
    items: list[BodyFaqItem] = []
    question: str | None = None
    line: int | None = None
    index = 0
    while index < len(inner):
        token = inner[index]
        if token.type == "dt_open":
            question = inline_text(inner[index + 1])
            line = body_line + token.map[0] if token.map else None
            index += 3
            continue
        if token.type == "dd_open" and question:
            depth, end = 1, index + 1
            while end < len(inner) and depth:
                depth += {"dd_open": 1, "dd_close": -1}.get(inner[end].type, 0)
                end += 1
            answer_html = md.renderer.render(inner[index + 1:end - 1], md.options, env).strip()
            items.append(BodyFaqItem(question, answer_html, line))
            question = None
            index = end
            continue
        index += 1
    return items
