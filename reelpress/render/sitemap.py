"""sitemap.xml (with Google's video extension), sitemap index and robots.txt as strings.

Pure: the integrator passes records with absolute URLs and writes the text out.
Limits come from sitemaps.org (50,000 URLs per file) and Google's video sitemap
documentation (description up to 2,048 characters, duration 1..28,800 s).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from reelpress.render.feeds_xml import element, require_aware, w3c_datetime

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
VIDEO_NS = "http://www.google.com/schemas/sitemap-video/1.1"
XHTML_NS = "http://www.w3.org/1999/xhtml"
MAX_URLS_PER_SITEMAP = 50_000
MAX_VIDEO_DESCRIPTION = 2048
MAX_VIDEO_TITLE = 100
MAX_VIDEO_SECONDS = 28_800


@dataclass(frozen=True)
class SitemapVideo:
    """A video on a page. Google needs `content_loc` or `player_loc` (at least one)."""

    thumbnail_loc: str
    title: str
    description: str
    content_loc: str | None = None
    player_loc: str | None = None
    duration: float | None = None
    publication_date: datetime | None = None

    def __post_init__(self) -> None:
        if not (self.content_loc or self.player_loc):
            raise ValueError(f"SitemapVideo {self.title!r} needs content_loc or player_loc")
        if self.publication_date is not None:
            require_aware(self.publication_date, f"SitemapVideo {self.title!r} publication_date")


@dataclass(frozen=True)
class SitemapEntry:
    """One page: absolute `loc`, last modification, the videos it carries, and its
    language versions as (hreflang, absolute URL), itself included."""

    loc: str
    lastmod: datetime | date | None = None
    videos: tuple[SitemapVideo, ...] = ()
    alternates: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.lastmod, datetime):
            require_aware(self.lastmod, f"SitemapEntry {self.loc!r} lastmod")


def uri(url: str) -> str:
    """Sitemaps need URIs: a Unicode path (slug_style = "unicode") is percent-encoded."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def _shorten(text: str, limit: int) -> str:
    """Cut at a word boundary with an ellipsis; search engines reject longer values."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


def _video_duration(seconds: float) -> str:
    """Whole seconds clamped into Google's accepted 1..28800 range."""
    return str(min(MAX_VIDEO_SECONDS, max(1, round(seconds))))


def _video_lines(video: SitemapVideo) -> list[str]:
    lines = [
        "    <video:video>",
        "      " + element("video:thumbnail_loc", video.thumbnail_loc),
        "      " + element("video:title", _shorten(video.title, MAX_VIDEO_TITLE)),
        "      " + element("video:description", _shorten(video.description, MAX_VIDEO_DESCRIPTION)),
    ]
    if video.content_loc:
        lines.append("      " + element("video:content_loc", video.content_loc))
    if video.player_loc:
        lines.append("      " + element("video:player_loc", video.player_loc))
    if video.duration is not None:
        lines.append("      " + element("video:duration", _video_duration(video.duration)))
    if video.publication_date is not None:
        lines.append(
            "      " + element("video:publication_date", w3c_datetime(video.publication_date))
        )
    lines.append("    </video:video>")
    return lines


def sitemap_xml(entries: Iterable[SitemapEntry]) -> str:
    """A <urlset>; the video namespace is declared only when a page has a video.

    A URL given twice is listed once (the first record wins). More than
    50,000 URLs need `split_sitemap` + `sitemap_index_xml` instead.
    """
    first_by_loc: dict[str, SitemapEntry] = {}
    for entry in entries:
        first_by_loc.setdefault(entry.loc, entry)
    unique = list(first_by_loc.values())
    if len(unique) > MAX_URLS_PER_SITEMAP:
        raise ValueError(
            f"{len(unique)} URLs exceed the sitemap limit of {MAX_URLS_PER_SITEMAP}; "
            "use split_sitemap() and sitemap_index_xml()"
        )
    has_video = any(entry.videos for entry in unique)
    video_ns = f' xmlns:video="{VIDEO_NS}"' if has_video else ""
    xhtml_ns = f' xmlns:xhtml="{XHTML_NS}"' if any(e.alternates for e in unique) else ""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             f'<urlset xmlns="{SITEMAP_NS}"{video_ns}{xhtml_ns}>']
    for entry in unique:
        lines.append("  <url>")
        lines.append("    " + element("loc", uri(entry.loc)))
        if entry.lastmod is not None:
            lines.append("    " + element("lastmod", w3c_datetime(entry.lastmod)))
        # Google's hreflang annotation: every version lists all versions, itself included
        lines.extend("    " + element("xhtml:link", rel="alternate", hreflang=lang, href=uri(href))
                     for lang, href in entry.alternates)
        for video in entry.videos:
            lines.extend(_video_lines(video))
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def split_sitemap(
    entries: Iterable[SitemapEntry], per_file: int = MAX_URLS_PER_SITEMAP
) -> list[tuple[SitemapEntry, ...]]:
    """Chunks of at most `per_file` entries, in order, for one sitemap file each."""
    items = list(entries)
    return [tuple(items[i : i + per_file]) for i in range(0, len(items), per_file)] or [()]


def sitemap_index_xml(sitemaps: Sequence[tuple[str, datetime | date | None]]) -> str:
    """A <sitemapindex> listing (absolute sitemap URL, lastmod) pairs."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{SITEMAP_NS}">']
    for url, lastmod in sitemaps:
        lines.append("  <sitemap>")
        lines.append("    " + element("loc", url))
        if lastmod is not None:
            lines.append("    " + element("lastmod", w3c_datetime(lastmod)))
        lines.append("  </sitemap>")
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def _one_line(value: str) -> str:
    """robots.txt is line-based: a newline in a value would inject a directive."""
    return "".join(value.split())


def robots_txt(sitemap_url: str, disallow: tuple[str, ...] = ()) -> str:
    """Allow every crawler except the `disallow` path prefixes; point at the sitemap.

    Paths are made root-relative (`drafts/` -> `/drafts/`) and must include the
    site's base path. Crawlers read robots.txt only at the host root, so on a
    project site (`https://user.github.io/project/`) the file is informative only.
    """
    lines = ["User-agent: *"]
    paths = [_one_line(path) for path in disallow if _one_line(path)]
    if paths:
        lines += [f"Disallow: {p if p.startswith('/') else '/' + p}" for p in paths]
    else:
        lines.append("Disallow:")
    lines += ["", f"Sitemap: {_one_line(sitemap_url)}"]
    return "\n".join(lines) + "\n"
