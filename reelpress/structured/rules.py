"""What Google documents for the structured data reelpress writes, as pure checks of a
JSON-LD document: VideoObject, Clip, NewsArticle/Article, FAQPage. Each problem is one
sentence naming the type and the property, so `check` can print it beside the page.

Sources: Google Search Central, "Video (VideoObject, Clip, BroadcastEvent)", "Article",
"FAQ" structured data pages (required and recommended properties), 2026.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MAX_HEADLINE = 110  # Google: longer headlines are cut in rich results
_DURATION = re.compile(r"^P(?!$)(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")
_ARTICLE_TYPES = {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle"}


@dataclass(frozen=True)
class Found:
    """One object of a JSON-LD document with the video it belongs to (for Clips)."""

    kind: str
    data: dict[str, Any]
    parent: dict[str, Any] | None = None


def objects(value: Any, parent: dict[str, Any] | None = None) -> Iterator[Found]:
    """Every typed object in a document (graphs, nested videos, clips, questions)."""
    if isinstance(value, list):
        for item in value:
            yield from objects(item, parent)
    elif isinstance(value, dict):
        kinds = value.get("@type")
        for kind in kinds if isinstance(kinds, list) else [kinds]:
            if isinstance(kind, str):
                yield Found(kind, value, parent)
        for key, item in value.items():
            if key not in ("@context", "@type"):
                yield from objects(item, value if kinds == "VideoObject" else parent)


def iso_seconds(duration: str) -> float | None:
    """`PT1M33S` -> 93.0; None when it is not an ISO 8601 duration."""
    if not isinstance(duration, str) or not _DURATION.match(duration):
        return None
    days = re.search(r"(\d+)D", duration)
    time = duration.partition("T")[2]
    parts = {unit: float(n) for n, unit in re.findall(r"([\d.]+)([HMS])", time)}
    return (int(days.group(1)) * 86400 if days else 0) + parts.get("H", 0) * 3600 + \
        parts.get("M", 0) * 60 + parts.get("S", 0)


def _has_zone(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value and moment.tzinfo is not None


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _urls(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if _text(v)] + [v["url"] for v in items
                                            if isinstance(v, dict) and _text(v.get("url"))]


def video_problems(data: dict[str, Any]) -> list[str]:
    found = []
    if not _text(data.get("name")):
        found.append("VideoObject has no name")
    if not _urls(data.get("thumbnailUrl")):
        found.append("VideoObject has no thumbnailUrl (Google shows no video result without)")
    if "uploadDate" not in data:
        found.append("VideoObject has no uploadDate")
    elif not _has_zone(data["uploadDate"]):
        found.append(f"VideoObject uploadDate {data['uploadDate']!r} has no time and time zone"
                     " (use e.g. 2025-07-04T10:00:00+02:00)")
    if "duration" in data and iso_seconds(data["duration"]) is None:
        found.append(f"VideoObject duration {data['duration']!r} is not ISO 8601 (e.g. PT1M33S)")
    if not (data.get("contentUrl") or data.get("embedUrl")):
        found.append("VideoObject has neither contentUrl nor embedUrl")
    return found


def clip_problems(data: dict[str, Any], video: dict[str, Any] | None) -> list[str]:
    found = []
    name = data.get("name", "?")
    if not _text(data.get("name")):
        found.append("Clip has no name")
    start, end = data.get("startOffset"), data.get("endOffset")
    if not isinstance(start, int | float) or start < 0:
        found.append(f"Clip {name!r} startOffset must be a number of seconds >= 0")
    elif end is not None and (not isinstance(end, int | float) or end <= start):
        found.append(f"Clip {name!r} endOffset must be a number after startOffset")
    if not _text(data.get("url")):
        found.append(f"Clip {name!r} has no url")
    length = iso_seconds(video.get("duration", "")) if video else None
    if length is not None and isinstance(start, int | float) and start >= length + 1:
        found.append(f"Clip {name!r} starts after the end of its video")
    return found


def article_problems(kind: str, data: dict[str, Any], title: str | None = None) -> list[str]:
    """`title`: the article's full title, when known (the JSON-LD headline is cut at 110)."""
    found = []
    headline: str = str(data.get("headline") or "")
    if _text(headline) and title and len(title) > len(headline):
        headline = title
    if not _text(headline):
        found.append(f"{kind} has no headline")
    elif len(headline) > MAX_HEADLINE:
        found.append(f"{kind} headline is {len(headline)} characters; Google shows at most"
                     f" {MAX_HEADLINE}")
    if not _urls(data.get("image")):
        found.append(f"{kind} has no image (add image: or video: to the front matter)")
    if "datePublished" not in data:
        found.append(f"{kind} has no datePublished")
    elif not _has_zone(data["datePublished"]):
        found.append(f"{kind} datePublished {data['datePublished']!r} has no time zone")
    authors = data.get("author")
    authors = authors if isinstance(authors, list) else [authors]
    if not authors or not all(isinstance(a, dict) and _text(a.get("name")) for a in authors):
        found.append(f"{kind} author has no name")
    return found


def faq_problems(data: dict[str, Any]) -> list[str]:
    questions = data.get("mainEntity")
    if not isinstance(questions, list) or not questions:
        return ["FAQPage has no mainEntity questions"]
    found = []
    for index, question in enumerate(questions, start=1):
        answer = question.get("acceptedAnswer") if isinstance(question, dict) else None
        if not isinstance(question, dict) or question.get("@type") != "Question" or \
                not _text(question.get("name")):
            found.append(f"FAQPage question {index} is not a Question with a name")
        elif not isinstance(answer, dict) or answer.get("@type") != "Answer" or \
                not _text(answer.get("text")):
            found.append(f"FAQPage question {index} has no acceptedAnswer Answer with text")
    return found


def document_problems(document: Any, title: str | None = None) -> list[str]:
    """Every rule broken anywhere in one JSON-LD document, in document order."""
    found: list[str] = []
    for item in objects(document):
        if item.kind == "VideoObject":
            found += video_problems(item.data)
        elif item.kind == "Clip":
            found += clip_problems(item.data, item.parent)
        elif item.kind in _ARTICLE_TYPES:
            found += article_problems(item.kind, item.data, title)
        elif item.kind == "FAQPage":
            found += faq_problems(item.data)
    return list(dict.fromkeys(found))
