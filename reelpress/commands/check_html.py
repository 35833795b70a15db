"""Read one built file and list what it points at: the parsing half of the link checker.

Each HTML file is parsed once with `html.parser` (stdlib, lenient like a
browser); the result is a frozen `PageScan` of references with line numbers,
the anchors the page offers, and the raw JSON-LD blocks. CSS files get a
regex scan for `url(...)` and `@import`, which is all a stylesheet can point at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from reelpress.core.urls import srcset_urls

# (tag, attribute) -> kind of reference, as the report names it.
_URL_ATTRIBUTES: dict[tuple[str, str], str] = {
    ("a", "href"): "link",
    ("area", "href"): "link",
    ("img", "src"): "image",
    ("input", "src"): "image",
    ("video", "src"): "video",
    ("video", "poster"): "poster",
    ("audio", "src"): "audio",
    ("source", "src"): "source",
    ("track", "src"): "track",
    ("script", "src"): "script",
    ("iframe", "src"): "iframe",
    ("embed", "src"): "embed",
    ("object", "data"): "embed",
    ("use", "href"): "svg",
    ("use", "xlink:href"): "svg",
    ("image", "href"): "image",
}
_SRCSET_TAGS = {"img", "source"}
# <meta property|name=...> whose content is a URL worth checking when it is ours.
_URL_META = {
    "og:image",
    "og:image:url",
    "og:image:secure_url",
    "og:video",
    "og:video:url",
    "og:video:secure_url",
    "og:audio",
    "og:url",
    "twitter:image",
    "twitter:player",
    "twitter:player:stream",
}
_JSON_LD_TYPE = "application/ld+json"
_REFRESH_URL = re.compile(r"^\s*\d+(?:\.\d*)?\s*[;,]\s*url\s*=\s*['\"]?([^'\"]*)", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(
    r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+["']([^"']+)"""
)


@dataclass(frozen=True)
class Reference:
    """A URL found in a file: where (1-based line), what kind, as written."""

    url: str
    kind: str
    line: int


@dataclass(frozen=True)
class PageScan:
    """What one file offers (`anchors`) and what it points at (`references`)."""

    references: tuple[Reference, ...]
    anchors: frozenset[str]
    json_ld: tuple[tuple[str, int], ...]  # (raw text, line of the <script> tag)
    base_href: str | None


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[Reference] = []
        self.anchors: set[str] = set()
        self.json_ld: list[tuple[str, int]] = []
        self.base_href: str | None = None
        self._json_ld_parts: list[str] | None = None
        self._json_ld_line = 0

    def _add(self, url: str | None, kind: str) -> None:
        if url is not None:
            self.references.append(Reference(url, kind, self.getpos()[0]))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        anchor = values.get("id")
        if anchor:
            self.anchors.add(anchor)
        if tag == "a" and values.get("name"):
            self.anchors.add(values["name"] or "")
        for name, value in attrs:
            kind = _URL_ATTRIBUTES.get((tag, name))
            if kind:
                self._add(value, kind)
            elif value and (
                (name == "srcset" and tag in _SRCSET_TAGS) or (name, tag) == ("imagesrcset", "link")
            ):
                for url in srcset_urls(value):
                    self._add(url, "image")
        if tag == "link":
            self._add(values.get("href"), _link_kind(values.get("rel") or ""))
        elif tag == "meta":
            self._scan_meta(values)
        elif tag == "base" and self.base_href is None:
            self.base_href = values.get("href")
        elif tag == "script" and _is_json_ld(values.get("type")):
            self._json_ld_parts, self._json_ld_line = [], self.getpos()[0]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def _scan_meta(self, values: dict[str, str | None]) -> None:
        key = (values.get("property") or values.get("name") or "").strip().lower()
        if key in _URL_META:
            self._add(values.get("content"), "meta")
        elif (values.get("http-equiv") or "").strip().lower() == "refresh":
            match = _REFRESH_URL.match(values.get("content") or "")
            if match:
                self._add(match.group(1), "redirect")

    def handle_data(self, data: str) -> None:
        if self._json_ld_parts is not None:
            self._json_ld_parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json_ld_parts is not None:
            self.json_ld.append(("".join(self._json_ld_parts), self._json_ld_line))
            self._json_ld_parts = None


def _is_json_ld(script_type: str | None) -> bool:
    return (script_type or "").split(";")[0].strip().lower() == _JSON_LD_TYPE


def _link_kind(rel: str) -> str:
    words = rel.lower().split()
    if "stylesheet" in words:
        return "stylesheet"
    if "icon" in words or "apple-touch-icon" in words:
        return "icon"
    if "alternate" in words:
        return "alternate"
    return "link"


def scan_html(text: str) -> PageScan:
    """Every reference, anchor and JSON-LD block of one HTML document."""
    scanner = _Scanner()
    scanner.feed(text)
    scanner.close()
    if scanner._json_ld_parts is not None:  # unterminated <script>: keep what was there
        scanner.json_ld.append(("".join(scanner._json_ld_parts), scanner._json_ld_line))
    return PageScan(
        references=tuple(scanner.references),
        anchors=frozenset(scanner.anchors),
        json_ld=tuple(scanner.json_ld),
        base_href=scanner.base_href,
    )


def scan_css(text: str) -> PageScan:
    """`url(...)` and `@import` references of a stylesheet, comments ignored."""
    # Blank comments out but keep their newlines, so line numbers stay right.
    text = _CSS_COMMENT.sub(lambda match: "\n" * match.group().count("\n"), text)
    references = []
    for match in _CSS_URL.finditer(text):
        url = next(group for group in match.groups() if group is not None)
        line = text.count("\n", 0, match.start()) + 1
        references.append(Reference(url.strip(), "css", line))
    return PageScan(tuple(references), frozenset(), (), None)
