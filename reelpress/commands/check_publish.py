"""Checks before publishing, on the built site: structured data against Google's rules
(a VideoObject's duration against its file, probed with ffmpeg) and each page's
first-load weight (HTML, CSS, JS, the images a browser fetches at once at their
largest candidate, video posters) against `[check] page_weight_kb`.

Problems are warnings at `site/PAGE:LINE` naming the source article; `--strict` makes
them fatal. The JSON-LD parsing half is shared with the link checker (`check_html`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from reelpress.commands.check import _ORIGIN, _index_site, _Resolver
from reelpress.commands.check_html import scan_html
from reelpress.core.diagnostics import Diagnostic, warning
from reelpress.core.settings import CheckSettings as CheckSettings  # re-exported
from reelpress.structured import rules


@dataclass(frozen=True)
class SourceOf:
    """The article a page was built from: its file, title and the title's line."""

    rel: str
    title: str
    title_line: int | None = None


class _FirstLoad(HTMLParser):
    """URLs a browser fetches before any interaction: stylesheets, scripts, images not
    marked lazy (from a `<picture>`, its first `<source>`), video posters."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._picture_source: str | None = None
        self._in_picture = False
        self._in_noscript = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "noscript":
            self._in_noscript = True
        elif self._in_noscript:
            return
        elif tag == "link" and values.get("rel", "").lower() == "stylesheet":
            self.urls.append(values.get("href", ""))
        elif tag == "script" and values.get("src"):
            self.urls.append(values["src"])
        elif tag == "video" and values.get("poster"):
            self.urls.append(values["poster"])
        elif tag == "picture":
            self._in_picture, self._picture_source = True, None
        elif tag == "source" and self._in_picture and self._picture_source is None:
            self._picture_source = values.get("srcset", "")
        elif tag == "img" and values.get("loading", "").lower() != "lazy":
            chosen = self._picture_source or values.get("srcset") or values.get("src", "")
            self.urls.append(largest_candidate(chosen))

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture":
            self._in_picture = False
        elif tag == "noscript":
            self._in_noscript = False


def largest_candidate(srcset: str) -> str:
    """The widest candidate of a srcset (`a.jpg 480w, b.jpg 960w` -> b.jpg), or the URL."""
    best, best_width = "", -1.0
    for part in srcset.split(","):
        words = part.split()
        if not words:
            continue
        width = float(words[1][:-1]) if len(words) > 1 and words[1][-1] in "wx" and \
            re.fullmatch(r"[\d.]+", words[1][:-1]) else 0.0
        if width > best_width:
            best, best_width = words[0], width
    return best


def check_publishing(site_dir: Path, *, base_url: str, settings: CheckSettings,
                     sources: dict[str, SourceOf], site_label: str = "site",
                     probe_duration=None) -> list[Diagnostic]:  # noqa: ANN001
    """Warnings for every page: structured data rules, then its first-load weight.
    `probe_duration(path) -> seconds | None` measures a video file (ffmpeg)."""
    site_dir = Path(site_dir)
    index = _index_site(site_dir)
    base_path = urlsplit(base_url).path or "/"
    resolver = _Resolver(index, "/" + base_path.strip("/") + "/" if base_path.strip("/")
                         else "/", base_url)
    measured: dict[str, float | None] = {}
    found: list[Diagnostic] = []
    for page in sorted(f for f in index.files if f.endswith(".html")):
        text = (site_dir / page).read_text(encoding="utf-8", errors="replace")
        source = sources.get(page)
        where = f"{site_label}/{page}"
        hint = f"from {source.rel}" if source else ""

        def local_file(url: str, page: str = page) -> str | None:
            internal = resolver.internal_path(url, _ORIGIN + resolver.base_path + page)
            return resolver.locate(internal[0]).file if internal else None

        if settings.structured_data:
            for block, line in scan_html(text).json_ld:
                try:
                    document = json.loads(block)
                except json.JSONDecodeError:
                    continue  # the link checker reports invalid JSON
                messages = rules.document_problems(document, source.title if source else None)
                messages += _duration_problems(document, local_file, site_dir, measured,
                                               probe_duration)
                for message in messages:
                    title_hint = (f"from {source.rel}:{source.title_line}" if source and
                                  "headline" in message and source.title_line else hint)
                    found.append(warning(where, line, message, title_hint))
        weight = _first_load_bytes(text, local_file, site_dir)
        if weight > settings.page_weight_kb * 1000:
            found.append(warning(where, None, f"first load weighs {weight / 1000:.0f} KB, over"
                                 f" [check] page_weight_kb = {settings.page_weight_kb}",
                                 (hint + "; " if hint else "") + "use a smaller hero image or"
                                 " poster, or raise the budget"))
    return found


def _duration_problems(document: object, local_file, site_dir: Path,  # noqa: ANN001
                       measured: dict[str, float | None], probe_duration) -> list[str]:  # noqa: ANN001
    """A VideoObject's `duration` must match its file (Google compares them)."""
    found: list[str] = []
    if probe_duration is None:
        return found
    for item in rules.objects(document):
        data = item.data
        if item.kind != "VideoObject" or not data.get("contentUrl"):
            continue
        stated = rules.iso_seconds(data.get("duration", ""))
        file = local_file(str(data["contentUrl"]))
        if stated is None or file is None:
            continue
        if file not in measured:
            measured[file] = probe_duration(site_dir / file)
        actual = measured[file]
        if actual is not None and abs(actual - stated) > 1.0:
            found.append(f"VideoObject duration {data['duration']} does not match"
                         f" {PurePosixPath(file).name} ({actual:.1f} s)")
    return found


def _first_load_bytes(text: str, local_file, site_dir: Path) -> int:  # noqa: ANN001
    parser = _FirstLoad()
    parser.feed(text)
    total = len(text.encode("utf-8"))
    for url in dict.fromkeys(u.strip() for u in parser.urls if u.strip()):
        file = local_file(url)
        if file is not None:
            total += (site_dir / file).stat().st_size
    return total


def probe_seconds(path: Path) -> float | None:
    """A video file's duration by ffmpeg, None when ffmpeg or the file cannot say."""
    from reelpress.media.video.ffmpeg import FFmpegNotFound, ProbeError, find_ffmpeg, probe
    try:
        return probe(find_ffmpeg(None), path).duration
    except (FFmpegNotFound, ProbeError, OSError):
        return None


def sources_by_page(content_dir: Path, config) -> dict[str, SourceOf]:  # noqa: ANN001
    """Built page (`story/index.html`) -> the Markdown file it comes from."""
    from reelpress.content.loader import find_sources, load_page
    found: dict[str, SourceOf] = {}
    if not content_dir.is_dir():
        return found
    for source in find_sources(content_dir):
        rel = f"{content_dir.name}/{source.rel_to_content}"
        page, _ = load_page(Path(source.path), rel=rel,
                            rel_to_content=PurePosixPath(source.rel_to_content), config=config)
        if page is None:
            continue
        lines = Path(source.path).read_text(encoding="utf-8", errors="replace").splitlines()
        title_line = next((n for n, line in enumerate(lines, start=1)
                           if line.startswith("title:")), None)
        found[page.output_path] = SourceOf(rel, page.meta.title, title_line)
    return found
