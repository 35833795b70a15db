"""Every URL the site writes comes from here, so a sub-path or relative URLs are one switch."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit


def url_base_path(base_url: str) -> str:
    """The URL path a site lives under: '/' or '/news/'."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def normalize_base_path(base_path: str | None) -> str:
    """`news` / `/news` / `/news/` -> `/news/`; None or empty -> `/`."""
    return "/" + "".join(f"{segment}/" for segment in (base_path or "/").split("/") if segment)


@dataclass(frozen=True)
class UrlScheme:
    """How site paths ('paris-rescue/', 'media/x.mp4') become links."""

    base_url: str            # absolute, ends with '/': https://example.org/news/
    relative: bool = False   # links relative to the page (works from the file system)

    @property
    def base_path(self) -> str:
        return url_base_path(self.base_url)

    def absolute(self, site_path: str) -> str:
        return self.base_url + site_path.lstrip("/")

    def link(self, site_path: str, from_page: str = "") -> str:
        """A link to `site_path` written on the page at `from_page` (its site path)."""
        site_path = site_path.lstrip("/")
        if not self.relative:
            return self.base_path + site_path
        from_dir = from_page if from_page.endswith("/") or not from_page else \
            posixpath.dirname(from_page) + "/"
        target = site_path or "./"
        relative = posixpath.relpath("/" + target, "/" + from_dir)
        if site_path.endswith("/") or not site_path:
            relative = relative.rstrip("/") + "/"
            if relative == "./":
                relative = "./"
        if self.relative and (site_path.endswith("/") or not site_path):
            # file:// has no directory index: point at the index.html itself
            relative = (relative if relative != "./" else "") + "index.html"
        return relative


_ROOT_LINK = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')


def relativize_root_links(html: str, urls: UrlScheme, from_page: str) -> str:
    """With relative URLs, rewrite the body's root-relative links (`/news/about/`, already
    prefixed with the base path by the markup stage) so they work from the file system."""
    if not urls.relative:
        return html
    base_path = urls.base_path

    def one(match: re.Match[str]) -> str:
        value = match.group(2)
        if not value.startswith(base_path):
            return match.group(0)
        target = value[len(base_path):]
        cut = min((i for i in (target.find("?"), target.find("#")) if i >= 0), default=len(target))
        return f'{match.group(1)}="{urls.link(target[:cut], from_page)}{target[cut:]}"'

    return _ROOT_LINK.sub(one, html)


# One pass over `="` (a literal first: the engine scans for it, then looks back at the
# name; an alternation of names first cost 4x on a 5 MB page). A link that is a fragment
# (`#fn1`) stays as it is, unmatched: a page of footnotes has thousands.
_URLS = re.compile(r'="(?:(?<=\bsrcset=")|(?:(?<=\bhref=")|(?<=\bsrc=")|(?<=\bposter="))(?!#))'
                   r'([^"]*)"')
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def absolutize(html: str, page_url: str) -> str:
    """Feed readers need absolute URLs: resolve every href/src/poster/srcset against the page.
    Each distinct value is resolved once (a long article links the same pages again and
    again, and `urljoin` costs more than the rest of the pass)."""
    resolved: dict[str, str] = {}

    def join(value: str) -> str:
        if value not in resolved:
            resolved[value] = value if _SCHEME.match(value) else urljoin(page_url, value)
        return resolved[value]

    def one(match: re.Match[str]) -> str:
        value = match.group(1)
        if html.endswith("srcset", 0, match.start()):
            parts = [f"{urljoin(page_url, url)} {descriptors}".rstrip()
                     for url, descriptors in srcset_candidates(value)]
            return f'="{", ".join(parts)}"'
        joined = join(value)
        return match.group(0) if joined is value else f'="{joined}"'

    return _URLS.sub(one, html)


def srcset_candidates(srcset: str) -> list[tuple[str, str]]:
    """(URL, descriptors) of each image candidate of a `srcset`, following the HTML
    spec's parsing rules: a URL may itself contain commas (`a,b.jpg 2x`); only a comma
    after the URL and its descriptors separates candidates, and a URL's trailing commas
    end it."""
    candidates: list[tuple[str, str]] = []
    position, length = 0, len(srcset)
    while position < length:
        while position < length and (srcset[position].isspace() or srcset[position] == ","):
            position += 1
        start = position
        while position < length and not srcset[position].isspace():
            position += 1
        url = srcset[start:position]
        if not url:
            break
        if url.endswith(","):
            candidates.append((url.rstrip(","), ""))
            continue
        depth, start = 0, position  # descriptors up to the next comma outside parentheses
        while position < length and (srcset[position] != "," or depth):
            depth += {"(": 1, ")": -1}.get(srcset[position], 0)
            position += 1
        candidates.append((url, srcset[start:position].strip()))
    return candidates


def srcset_urls(srcset: str) -> list[str]:
    """The image candidate URLs of a `srcset`."""
    return [url for url, _ in srcset_candidates(srcset)]


def page_path_for_output(output_path: str) -> str:
    """'a/b/index.html' -> 'a/b/'; '404.html' -> '404.html'."""
    if output_path == "index.html":
        return ""
    if output_path.endswith("/index.html"):
        return output_path[: -len("index.html")]
    return output_path


def published_static(path: str, assets: Mapping[str, str]) -> str:
    """A site path as site.toml writes it (`static/logo.png`) as the theme files are
    published (`static/logo.3f9a1c2e.png`); any other path as it is."""
    path = path.lstrip("/")
    if path.startswith("static/"):
        return assets.get(path.removeprefix("static/"), path)
    return path
