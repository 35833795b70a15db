"""markdown-it-py configured for news articles, as a pure function of the body text.

Media embeds are rendered as placeholders (`\\x00media:N\\x00`) and filled in after the
media stage has planned its outputs: Markdown rendering then depends only on the body,
so it can run in worker processes and be cached by content hash. markdown-it replaces
NUL characters of the input, so no author text can forge a placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from reelpress.core.gc_pause import cyclic_gc_paused
from reelpress.core.languages import slugify
from reelpress.core.media_names import media_kind
from reelpress.core.records import pickled_by_fields
from reelpress.markup.anchors import heading_anchors_plugin, unclosed_bracket_plugin
from reelpress.markup.embeds import platform_video
from reelpress.markup.faq import BodyFaqItem, extract_faq, inline_text
from reelpress.markup.fast import render_fast
from reelpress.markup.fast_blocks import render_fast_body
from reelpress.markup.source_links import is_source_link

PLACEHOLDER = "\x00media:{}\x00"
PLACEHOLDER_PATTERN = re.compile("\x00media:(\\d+)\x00")
_BRACED_ATTRS = re.compile(r"^\{([^{}]*)\}")
_ATTR_ITEM = re.compile(r"""([A-Za-z_][\w-]*)(?:=("[^"]*"|'[^']*'|[^\s"']+))?""")
_WORD = re.compile(r"\w+")
# ASCII bytes with every character `\w` does not match made a space
_ASCII_WORD_BYTES = bytes(code if chr(code).isalnum() or code == 0x5F else 0x20
                          for code in range(128)) + b" " * 128


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class MediaRef:
    """An embed the author wrote: `![caption](media/x.mp4){poster=4.5}` at a body line."""

    kind: str  # 'video' | 'audio' | 'image' | 'platform' (a YouTube/Vimeo link)
    src: str
    alt: str
    line: int | None
    attrs: tuple[tuple[str, str], ...] = ()
    standalone: bool = True  # alone in its paragraph (a figure), not inline in text

    def attr(self, name: str) -> str | None:
        return dict(self.attrs).get(name)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str
    anchor: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str  # with media placeholders
    media: tuple[MediaRef, ...]
    faq: tuple[BodyFaqItem, ...]
    headings: tuple[Heading, ...]
    word_count: int
    warnings: tuple[tuple[int | None, str], ...] = ()
    # links to other Markdown files (`../2024/story.md#faq`), resolved once every
    # page's URL is known: (href as rendered, body line)
    source_links: tuple[tuple[str, int | None], ...] = ()


def word_count(text: str) -> int:
    """How many runs of word characters (`\\w+`) `text` has. An ASCII text is counted as
    bytes made spaces wherever `\\w` does not match, then split: four times faster than
    the regex, which was a quarter of the Markdown stage's CPU."""
    if text.isascii():
        return len(text.encode("ascii").translate(_ASCII_WORD_BYTES).split())
    return len(_WORD.findall(text))


@lru_cache(maxsize=4)
def markdown_engine(allow_html: bool) -> MarkdownIt:
    """One configured parser per process (creation costs more than a typical article)."""
    md = MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(attrs_plugin)
    md.use(container_plugin, "faq")
    md.use(unclosed_bracket_plugin)
    md.use(heading_anchors_plugin, levels=(2, 3),
           slug_func=lambda text: slugify(text) or "section")
    md.core.ruler.push("reelpress_media", _collect_media)
    md.add_render_rule("image", _render_image)
    return md


def render_body(body: str, *, body_line: int = 1, allow_html: bool = False,
                base_path: str = "/") -> RenderedBody:
    """Parse and render one article body (pure: same input, same output)."""
    fast = render_fast_body(body, base_path=base_path)
    if fast is not None:  # the native engine, byte for byte the same (markup/fast_blocks.py)
        return RenderedBody(
            html=fast.html, media=(),
            faq=tuple(BodyFaqItem(question, answer, body_line + line)
                      for question, answer, line in fast.faq),
            headings=tuple(Heading(level, text, anchor) for level, text, anchor in fast.headings),
            word_count=word_count(body),
            source_links=tuple(dict.fromkeys((href, body_line + line)
                                             for href, line in fast.links)))
    return render_reference(body, body_line=body_line, allow_html=allow_html,
                            base_path=base_path)


def render_reference(body: str, *, body_line: int = 1, allow_html: bool = False,
                     base_path: str = "/") -> RenderedBody:
    """`render_body` through markdown-it-py alone: the reference the fast path must equal."""
    with cyclic_gc_paused():
        return _render_reference(body, body_line, allow_html, base_path)


def _render_reference(body: str, body_line: int, allow_html: bool, base_path: str
                      ) -> RenderedBody:
    md = markdown_engine(allow_html)
    env: dict[str, Any] = {"reelpress_media": [], "reelpress_body_line": body_line}
    tokens = _parse(md, body, env)
    tokens, faq, faq_warnings = extract_faq(tokens, md, env, body_line)
    _prefix_root_links(tokens, base_path)
    source_links = _source_links(tokens, body_line)
    headings = tuple(
        Heading(int(tok.tag[1]), inline_text(tokens[i + 1]), str(tok.attrs.get("id", "")))
        for i, tok in enumerate(tokens) if tok.type == "heading_open" and tok.tag in ("h2", "h3")
    )
    html = md.renderer.render(tokens, md.options, env)
    return RenderedBody(
        html=html,
        media=tuple(env["reelpress_media"]),
        faq=faq,
        headings=headings,
        word_count=word_count(body),
        warnings=tuple(faq_warnings),
        source_links=source_links,
    )


def _parse(md: MarkdownIt, text: str, env: dict[str, Any]) -> list[Token]:
    """`md.parse`, and once more with a final newline where mdit-py-plugins' container
    rule reads past the end of a text that ends inside a quoted list (`> *\\n> \\n> `
    raised IndexError): a traceback for three lines of Markdown."""
    given = dict(env)  # its lists are empty: the media stage's, filled by the parse
    try:
        return md.parse(text, env)
    except IndexError:
        if text.endswith("\n"):
            raise
        env.clear()
        env.update({key: [] if isinstance(value, list) else value
                    for key, value in given.items()})
        return md.parse(text + "\n", env)


def render_fragment(text: str, *, allow_html: bool = False, base_path: str = "/") -> str:
    """Markdown of an FAQ answer or a summary; raw HTML stays escaped unless allowed, and
    root-relative links get the site's sub-path, as in bodies."""
    fast = render_fast(text, base_path=base_path, fragment=True)
    if fast is not None:
        return fast.html
    return fragment_reference(text, allow_html=allow_html, base_path=base_path)


def fragment_reference(text: str, *, allow_html: bool = False, base_path: str = "/") -> str:
    """`render_fragment` through markdown-it-py alone."""
    md = markdown_engine(allow_html)
    env: dict[str, Any] = {"reelpress_fragment": True}
    tokens = _parse(md, text, env)
    _prefix_root_links(tokens, base_path)
    return md.renderer.render(tokens, md.options, env)


def local_media_kind(text: str) -> str | None:
    """'image' / 'video' / 'audio' when a Markdown fragment embeds a local media file
    (which fragments cannot process), else None."""
    if "![" not in text:  # no image syntax at all: skip the parse
        return None
    tokens = _parse(markdown_engine(False), text, {"reelpress_fragment": True})
    for token in tokens:
        for child in token.children or []:
            if child.type == "image" and (kind := media_kind(str(child.attrs.get("src", "")))):
                return kind
    return None


_FRAGMENT_SEPARATOR = "<<reelpress-fragment-separator>>"
_RENDERED_SEPARATOR = "<p>&lt;&lt;reelpress-fragment-separator&gt;&gt;</p>\n"
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:", re.MULTILINE)


def render_fragments(texts: tuple[str, ...], *, allow_html: bool = False,
                     base_path: str = "/") -> tuple[str, ...]:
    """Several short Markdown fragments (FAQ answers) in one parse: a parse has a fixed
    cost that dominates for short texts. Falls back to one parse each whenever joining
    could change the result (link definitions, or a fragment that swallows the separator).
    When the fast path takes every fragment, each is rendered on its own (the gate refuses
    headings, the one thing a joint parse shares between fragments)."""
    fast = [render_fast(text, base_path=base_path, fragment=True) for text in texts]
    if all(item is not None for item in fast):
        return tuple(item.html for item in fast if item is not None)
    return fragments_reference(texts, allow_html=allow_html, base_path=base_path)


def fragments_reference(texts: tuple[str, ...], *, allow_html: bool = False,
                        base_path: str = "/") -> tuple[str, ...]:
    """`render_fragments` through markdown-it-py alone."""
    if len(texts) < 2 or any(_DEFINITION.search(text) or _FRAGMENT_SEPARATOR in text
                             for text in texts):
        return tuple(fragment_reference(text, allow_html=allow_html, base_path=base_path)
                     for text in texts)
    joined = f"\n\n{_FRAGMENT_SEPARATOR}\n\n".join(texts)
    parts = fragment_reference(joined, allow_html=allow_html,
                               base_path=base_path).split(_RENDERED_SEPARATOR)
    if len(parts) != len(texts):
        return tuple(fragment_reference(text, allow_html=allow_html, base_path=base_path)
                     for text in texts)
    return tuple(parts)


def _collect_media(state: Any) -> None:
    """Core rule: turn local media images into numbered placeholders (and parse {flags}).
    Fragments (FAQ answers) have no media stage behind them: their images stay images."""
    if state.env.get("reelpress_fragment"):
        return
    refs: list[MediaRef] = state.env.setdefault("reelpress_media", [])
    body_line = state.env.get("reelpress_body_line", 1)
    tokens = state.tokens
    for index, block in enumerate(tokens):
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        for position, child in enumerate(children):
            if child.type != "image":
                continue
            src = str(child.attrs.get("src", ""))
            kind = media_kind(src) or ("platform" if platform_video(src) else None)
            if kind is None:
                continue
            attrs = {k: str(v) for k, v in child.attrs.items() if k not in ("src", "alt")}
            _absorb_braced_attrs(children, position, attrs)
            meaningful = [c for c in children if not (c.type == "text" and not c.content.strip())
                          and c.type != "softbreak"]
            standalone = len(meaningful) == 1 and index > 0 and \
                tokens[index - 1].type == "paragraph_open"
            if standalone:
                tokens[index - 1].hidden = True
                tokens[index + 1].hidden = True
            line = body_line + block.map[0] if block.map else None
            alt = "".join(c.content for c in child.children or []) or child.content
            child.meta["reelpress_media_index"] = len(refs)
            refs.append(MediaRef(kind, src, alt, line, tuple(sorted(attrs.items())), standalone))


def _absorb_braced_attrs(children: list[Token], position: int, attrs: dict[str, str]) -> None:
    """`{poster=4.5 loop}` right after a media image: flags and dotted values the attrs
    plugin does not accept."""
    if position + 1 >= len(children) or children[position + 1].type != "text":
        return
    follower = children[position + 1]
    match = _BRACED_ATTRS.match(follower.content)
    if not match:
        return
    for name, value in _ATTR_ITEM.findall(match.group(1)):
        attrs[name] = value.strip("\"'") if value else ""
    follower.content = follower.content[match.end():]


def _render_image(renderer: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if "reelpress_media_index" in token.meta:
        return PLACEHOLDER.format(token.meta["reelpress_media_index"])
    token.attrSet("loading", "lazy")
    token.attrSet("decoding", "async")
    return renderer.image(tokens, idx, options, env)


def _prefix_root_links(tokens: list[Token], base_path: str) -> None:
    """Root-relative links (`/about/`) must include the site's sub-path (`/news/about/`)."""
    if base_path == "/":
        return
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if href.startswith("/") and not href.startswith("//") and \
                        not href.startswith(base_path):
                    child.attrSet("href", base_path + href.lstrip("/"))


def _source_links(tokens: list[Token], body_line: int) -> tuple[tuple[str, int | None], ...]:
    found: list[tuple[str, int | None]] = []
    for token in tokens:
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if is_source_link(href):
                    found.append((href, body_line + token.map[0] if token.map else None))
    return tuple(dict.fromkeys(found))
