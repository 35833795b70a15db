"""Check a built site for broken internal references, missing anchors and bad JSON-LD.

Internal means relative, root-relative, or absolute under `base_url`. Each file
is read once; existence checks are set lookups against one walk of the site, so
thousands of pages stay fast. URLs resolve the way a browser does (`urljoin`,
dot segments, percent-decoding) and files the way a static host serves them:
`/a/b/` is `a/b/index.html`, and `/a/b` is fine when `a/b/index.html` exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from reelpress.commands.check_html import PageScan, Reference, scan_css, scan_html
from reelpress.commands.check_text import (
    TEXT_SUFFIXES,
    file_control_character,
    json_control_character,
)
from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.tree import walk
from reelpress.core.urls import normalize_base_path

_HTML_SUFFIXES = (".html", ".htm")
_SCANNED_SUFFIXES = (*_HTML_SUFFIXES, ".css")
# Stands in for the site's host while resolving relative and root-relative URLs.
_ORIGIN_HOST = "reelpress.invalid"
_ORIGIN = "http://" + _ORIGIN_HOST


@dataclass(frozen=True, order=True)
class BrokenLink:
    """One problem on one page. `page` is relative to the site directory."""

    page: str
    url: str
    kind: str
    reason: str
    line: int | None = None

    def describe(self) -> str:
        """The problem without its location: `broken link 'foo/' (no such file)`."""
        if self.kind == "json-ld" and not self.url:
            return f"invalid JSON-LD ({self.reason})"
        if self.kind == "text":
            return self.reason
        return f"broken {self.kind} {self.url!r} ({self.reason})"

    def format(self, site_label: str = "site") -> str:
        """`site/index.html:12: broken link 'foo/' (no such file)`."""
        where = f"{site_label}/{self.page}" if site_label else self.page
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.describe()}"


@dataclass(frozen=True)
class CheckReport:
    """The result of `check_site`: counts and every problem, sorted by page and line."""

    site_label: str
    pages: int
    references: int
    broken: tuple[BrokenLink, ...]

    @property
    def ok(self) -> bool:
        return not self.broken

    def format(self) -> str:
        """Terminal text: one line per problem, then a summary line."""
        lines = [problem.format(self.site_label) for problem in self.broken]
        verdict = f"{len(self.broken)} problem(s)" if self.broken else "no broken links"
        lines.append(f"checked {self.pages} file(s), {self.references} reference(s): {verdict}")
        return "\n".join(lines)

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """The problems as build diagnostics (path is `site_label/page`)."""
        return tuple(
            error(
                f"{self.site_label}/{problem.page}",
                problem.line,
                problem.describe(),
                _hint(problem),
            )
            for problem in self.broken
        )


def _hint(problem: BrokenLink) -> str:
    if problem.kind == "json-ld" and not problem.url:
        return 'fix the JSON in the page\'s <script type="application/ld+json">'
    if "base path" in problem.reason:
        return "build with the site's base path, or use relative URLs"
    if problem.kind == "anchor":
        return "add the id to the target page or fix the #fragment"
    if problem.kind == "text":
        return "remove it from the source (or report a reelpress bug)"
    return "fix the URL or add the missing file"


@dataclass(frozen=True)
class _SiteIndex:
    """Every file and directory of the built site, site-relative POSIX paths."""

    files: frozenset[str]
    dirs: frozenset[str]


def _index_site(site_dir: Path) -> _SiteIndex:
    files: set[str] = set()
    dirs: set[str] = {""}
    for rel, _, is_dir in walk(site_dir):
        (dirs if is_dir else files).add(rel)
    return _SiteIndex(frozenset(files), frozenset(dirs))


@dataclass(frozen=True)
class _Target:
    """A reference resolved to a file in the site (or why it could not be)."""

    file: str | None
    fragment: str
    reason: str = ""


class _Resolver:
    """Turns URLs on a page into site files; remembers the site index and base URL."""

    def __init__(self, index: _SiteIndex, base_path: str, base_url: str | None) -> None:
        self.index = index
        self.base_path = base_path
        base = urlsplit(base_url) if base_url else None
        self.base_host = (base.hostname or "").lower() if base else None
        self.base_url_path = normalize_base_path(base.path) if base else "/"

    def internal_path(self, url: str, document_url: str) -> tuple[str, str] | None:
        """(absolute URL path in the site, fragment) for internal URLs; None for external."""
        parts = urlsplit(urljoin(document_url, url))
        if parts.scheme.lower() not in ("http", "https"):
            return None  # mailto:, tel:, data:, javascript:, ...
        host = (parts.hostname or "").lower()
        if parts.netloc == _ORIGIN_HOST:
            return parts.path or "/", parts.fragment
        if host != self.base_host:
            return None
        path = parts.path or "/"
        if not (path + "/").startswith(self.base_url_path):
            return None  # same host, another site (e.g. another GitHub Pages project)
        return self.base_path + path[len(self.base_url_path) :].lstrip("/"), parts.fragment

    def locate(self, url_path: str) -> _Target:
        """The file a static host serves for `url_path`, or the reason it serves none."""
        path = unquote(url_path)
        if not (path + "/").startswith(self.base_path):
            return _Target(None, "", f"outside the site's base path {self.base_path!r}")
        rel = path[len(self.base_path) :]
        if rel == "" or rel.endswith("/"):
            folder = rel.rstrip("/")
            if folder not in self.index.dirs:
                return _Target(None, "", "no such directory")
            index_file = rel + "index.html"
            if index_file in self.index.files:
                return _Target(index_file, "")
            return _Target(None, "", "directory has no index.html")
        if rel in self.index.files:
            return _Target(rel, "")
        if rel in self.index.dirs:
            if rel + "/index.html" in self.index.files:
                return _Target(rel + "/index.html", "")
            return _Target(None, "", "directory has no index.html")
        return _Target(None, "", "no such file")


def _scan_file(path: Path) -> PageScan:
    text = path.read_text(encoding="utf-8", errors="replace")
    return scan_css(text) if path.suffix.lower() == ".css" else scan_html(text)


def _has_anchor(fragment: str, anchors: frozenset[str]) -> bool:
    if fragment in ("", "top") or fragment.startswith(":~:"):  # HTML spec: #top = page top
        return True
    return fragment in anchors or unquote(fragment) in anchors


def _json_ld_strings(value: object) -> Iterator[str]:
    """String values of a JSON-LD document, except `@id`/`@context` (identifiers, not links)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("@id", "@context"):
                yield from _json_ld_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_ld_strings(item)
    elif isinstance(value, str) and value.startswith(("http://", "https://")):
        yield value


def check_site(
    site_dir: Path,
    *,
    base_path: str = "/",
    base_url: str | None = None,
    site_label: str | None = None,
) -> CheckReport:
    """Check every HTML and CSS file under `site_dir`.

    `base_path` is the URL path the site is served under (`/project/` on a
    GitHub Pages project site); when left at `/` it is taken from `base_url`.
    Absolute URLs are checked only when they start with `base_url`.
    `site_label` names the folder in messages (default: the folder's name).
    """
    site_dir = Path(site_dir)
    if base_url and normalize_base_path(base_path) == "/":
        base_path = urlsplit(base_url).path or "/"
    resolver = _Resolver(_index_site(site_dir), normalize_base_path(base_path), base_url)
    scanned = sorted(f for f in resolver.index.files if f.lower().endswith(_SCANNED_SUFFIXES))
    scans = {rel: _scan_file(site_dir / rel) for rel in scanned}
    broken: list[BrokenLink] = []
    references = 0
    for page, scan in scans.items():
        page_url = _ORIGIN + resolver.base_path + page
        document_url = urljoin(page_url, scan.base_href) if scan.base_href else page_url
        for reference in scan.references:
            references += 1
            problem = _check_reference(resolver, scans, page, document_url, reference)
            if problem:
                broken.append(problem)
        for text, line in scan.json_ld:
            broken.extend(_check_json_ld(resolver, page, text, line))
    for rel in sorted(f for f in resolver.index.files if f.lower().endswith(TEXT_SUFFIXES)):
        found = file_control_character(site_dir / rel)
        if found:
            broken.append(BrokenLink(rel, "", "text",
                                     f"control character {found[1]} in the text", found[0]))
    return CheckReport(
        site_label=site_label if site_label is not None else site_dir.name,
        pages=len(scans),
        references=references,
        broken=tuple(sorted(broken, key=lambda b: (b.page, b.line or 0, b.url, b.kind))),
    )


def _check_reference(
    resolver: _Resolver,
    scans: dict[str, PageScan],
    page: str,
    document_url: str,
    reference: Reference,
) -> BrokenLink | None:
    url = reference.url.strip()
    if not url:
        return None  # an empty URL is the page itself
    internal = resolver.internal_path(url, document_url)
    if internal is None:
        return None
    url_path, fragment = internal
    target = resolver.locate(url_path)
    if target.file is None:
        return BrokenLink(page, reference.url, reference.kind, target.reason, reference.line)
    if not fragment or not target.file.lower().endswith(_HTML_SUFFIXES):
        return None  # #t=10 on a video, #page=2 on a PDF: not anchors
    if _has_anchor(fragment, scans[target.file].anchors):
        return None
    where = "on this page" if target.file == page else f"in {target.file}"
    return BrokenLink(
        page, reference.url, "anchor", f"no element with id {fragment!r} {where}", reference.line
    )


def _check_json_ld(resolver: _Resolver, page: str, text: str, line: int) -> list[BrokenLink]:
    """Invalid JSON is one problem; otherwise every internal URL in it must exist."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as problem:
        reason = f"{problem.msg} at line {problem.lineno} column {problem.colno}"
        return [BrokenLink(page, "", "json-ld", reason, line + problem.lineno - 1)]
    character = json_control_character(document)
    control = [BrokenLink(page, "", "text", f"control character {character} in JSON-LD", line)
               ] if character else []
    if resolver.base_host is None:
        return control
    found = control
    for url in dict.fromkeys(_json_ld_strings(document)):
        internal = resolver.internal_path(url, _ORIGIN + resolver.base_path + page)
        if internal is None:
            continue
        target = resolver.locate(internal[0])
        if target.file is None:
            found.append(BrokenLink(page, url, "json-ld url", target.reason, line))
    return found
