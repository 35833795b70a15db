"""Front matter -> `PageMeta`: every field checked, problems reported with their line."""

from __future__ import annotations

import datetime as dt
import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reelpress.content.frontmatter import LineFinder
from reelpress.core.config import SiteConfig, did_you_mean
from reelpress.core.diagnostics import Diagnostic, error, warning
from reelpress.core.languages import is_language, slugify, windows_reserved
from reelpress.core.records import pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class FaqItem:
    """One question; `answer` is Markdown as written, `line` where it was written."""

    question: str
    answer: str
    line: int | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str
    date: dt.datetime
    updated: dt.datetime | None = None
    author: str | None = None
    summary: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    image_alt: str | None = None
    image_line: int | None = None
    video: str | None = None
    video_caption: str | None = None
    video_line: int | None = None
    faq: tuple[FaqItem, ...] = ()
    draft: bool = False
    slug: str | None = None
    slug_line: int | None = None
    lang: str | None = None
    canonical: str | None = None
    template: str | None = None
    kind: str = "article"  # 'article' | 'page' (a standalone page: About, Contact...)
    dated: bool = True  # False: a page without a date (`date` is then UNDATED)
    image_caption: str | None = None
    image_credit: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # for templates, untouched
    translation_key: str | None = None  # articles sharing one are translations of each other
    video_chapters: tuple[str, ...] = ()  # `chapters:` of the video, "1:30 The rescue" each
    video_credit: str | None = None

    @property
    def is_page(self) -> bool:
        return self.kind == "page"


# The date of a page written without one: sorts first, never "in the future".
UNDATED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PAGE_KINDS = ("article", "page")

KNOWN_KEYS = (
    "title", "date", "updated", "author", "summary", "description", "tags", "image",
    "image_alt", "video", "video_caption", "faq", "draft", "slug", "lang", "canonical",
    "template", "type", "image_caption", "image_credit", "extra", "translation_key",
    "chapters", "video_credit",
)
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:(?:\s|$)")
_TOP_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[^\S\n]*:(?:[^\S\n]|$)", re.MULTILINE)
_OTHER_LINE_BREAK = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SLUG_SAFE = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")
_UNICODE_SLUG_SAFE = re.compile(r"^[^\W_][\w.-]*(/[^\W_][\w.-]*)*$")
_TEMPLATE_SAFE = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\.html$")


# A slug given in the front matter is refused beyond this (per path segment).
MAX_GIVEN_SEGMENT_BYTES = 200
# Files the site writes itself at its root: a page folder with one of these names collides.
SITE_FILES = frozenset({"index.html", "404.html", "robots.txt", "sitemap.xml", "feed.xml",
                        "rss.xml", "feed.json"})


def unsafe_name(segment: str) -> str | None:
    """Why one path segment cannot be a file or folder name on every system, or None."""
    if windows_reserved(segment):
        return f"{segment!r} is a reserved file name on Windows"
    if len(segment.encode("utf-8")) > MAX_GIVEN_SEGMENT_BYTES:
        return f"a name longer than {MAX_GIVEN_SEGMENT_BYTES} bytes"
    return None


class _Checker:
    """Validates one file's front matter; `line(...)` finds a key lazily."""

    def __init__(self, rel: str, front_matter: str, first_line: int):
        self.rel = rel
        self.front_matter = front_matter
        self.first_line = first_line
        self.problems: list[Diagnostic] = []
        self.lines = LineFinder(front_matter, first_line)

    def line(self, *path: str | int) -> int | None:
        return self.lines.line(tuple(path))

    def fail(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.problems.append(error(self.rel, self.line(*path), message, hint))

    def warn(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.problems.append(warning(self.rel, self.line(*path), message, hint))

    def _given(self, data: dict[str, Any], key: str, required: bool, example: str) -> Any:
        """The value of `key`, or None (an error first when it is required)."""
        value = data.get(key)
        if value is None and required:
            self.problems.append(error(self.rel, self.first_line, f"{key}: required",
                                       f"add '{key}: {example}' to the front matter"))
        return value

    def text(self, data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
        value = self._given(data, key, required, "...")
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail((key,), f"{key}: expected text, got {_show(value)}")
            return None
        if required and not value.strip():
            self.fail((key,), f"{key}: must not be empty")
            return None
        return value

    def moment(self, data: dict[str, Any], key: str, tz: dt.tzinfo, *,
               required: bool = False) -> dt.datetime | None:
        value = self._given(data, key, required, "2025-07-04")
        if value is None:
            return None
        parsed = parse_moment(value, tz)
        if parsed is None:
            self.fail((key,), f"{key}: expected a date like 2025-07-04, got {_show(value)}",
                      "or a date and time like 2025-07-04 18:30:00+02:00")
        elif not _in_range(parsed, tz):
            shown = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else \
                value.isoformat() if isinstance(value, dt.date) else _show(value)
            self.fail((key,), f"{key}: {shown} is out of range",
                      "use a year from 2 to 9998")
            return None
        return parsed


def _in_range(moment: dt.datetime, tz: dt.tzinfo) -> bool:
    """Feeds, sitemaps and JSON-LD convert to UTC and to the site's time zone: both must
    exist (0001-01-01 at +14:00 is in year 0 in UTC)."""
    try:
        return all(1 < shifted.year < 9999
                   for shifted in (moment, moment.astimezone(dt.UTC), moment.astimezone(tz)))
    except (OverflowError, ValueError):
        return False


def parse_moment(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    """A YAML date/datetime or ISO string -> aware datetime (site timezone when naive)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel, _SHORT_REPR.maxstring, _SHORT_REPR.maxother = 2, 50, 50
_SHORT_REPR.maxlist = _SHORT_REPR.maxtuple = _SHORT_REPR.maxdict = _SHORT_REPR.maxset = 4


def _show(value: Any) -> str:
    """A short repr whose cost does not grow with the value (a huge list, a long text)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "a very long number"
    text = _SHORT_REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _top_keys(front_matter: str) -> list[tuple[int, str]]:
    """(line offset, key) of each line that starts a top-level `key:`. One search of the
    whole text when its lines are split at newlines alone (no other character that
    `splitlines` breaks at), else line by line."""
    if _OTHER_LINE_BREAK.search(front_matter) is None:
        found, offset, last = [], 0, 0
        for match in _TOP_KEY_LINE.finditer(front_matter):
            offset += front_matter.count("\n", last, match.start())
            last = match.start()
            found.append((offset, match.group(1)))
        return found
    return [(offset, match.group(1)) for offset, match in
            enumerate(_TOP_KEY.match(line) for line in front_matter.splitlines()) if match]


def validate_meta(data: dict[str, Any], *, rel: str, front_matter: str, first_line: int,
                  config: SiteConfig, file_stem: str, in_pages: bool = False
                  ) -> tuple[PageMeta | None, list[Diagnostic]]:
    """Check front matter fields; return the record (None when an error makes it unusable).
    `in_pages`: the file is under content/pages/, so it is a page unless it says otherwise."""
    check = _Checker(rel, front_matter, first_line)
    seen_keys: dict[str, int] = {}
    for offset, key in _top_keys(front_matter):
        if key in seen_keys:
            check.problems.append(warning(
                rel, first_line + offset, f"'{key}' is given twice (first on line "
                f"{first_line + seen_keys[key]}); the last one wins", "remove one of them"))
        else:
            seen_keys[key] = offset
    for key in data:
        if key not in KNOWN_KEYS:
            check.warn((str(key),), f"unknown front matter key {_show(key)}",
                       did_you_mean(str(key), KNOWN_KEYS) or "it is ignored")
    tz = config.tzinfo
    title = check.text(data, "title", required=True)
    kind = _kind(data, check, in_pages)
    date = check.moment(data, "date", tz, required=kind == "article")
    dated = date is not None
    if kind == "page" and date is None and "date" not in data:
        date = UNDATED
    updated = check.moment(data, "updated", tz)
    author = check.text(data, "author")
    summary = check.text(data, "summary")
    description = check.text(data, "description")
    tags = _tags(data, check, config.slug_style)
    image = check.text(data, "image")
    image_alt = check.text(data, "image_alt")
    video = check.text(data, "video")
    video_caption = check.text(data, "video_caption")
    faq = _faq(data, check)
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        check.fail(("draft",), f"draft: expected true or false, got {_show(draft)}")
        draft = False
    slug = check.text(data, "slug")
    if slug is not None:
        slug = slug.strip().strip("/")
        safe = _UNICODE_SLUG_SAFE if config.slug_style == "unicode" else _SLUG_SAFE
        if not safe.match(slug) or slug != slug.lower():
            example = slugify(slug, config.slug_style) or "my-story"
            check.fail(("slug",), f"slug: {_show(slug)} is not a URL-safe slug",
                       f"use lowercase letters, digits and dashes, e.g. '{example}'")
            slug = None
        elif problem := _slug_problem(slug):
            check.fail(("slug",), f"slug: {_show(slug)}: {problem}", "choose another slug")
            slug = None
    elif not slugify(file_stem, config.slug_style):
        check.fail((), f"cannot derive a URL from the file name {file_stem!r}", "add a 'slug:'")
    elif problem := unsafe_name(slugify(file_stem, config.slug_style)):
        check.fail((), f"the file name {file_stem!r} gives the URL "
                   f"{slugify(file_stem, config.slug_style)!r}: "
                   f"{problem}", "add a 'slug:' or rename the file")
    lang = check.text(data, "lang")
    lang = lang.strip() if lang else None
    if lang is not None and not is_language(lang):
        check.fail(("lang",), f"lang: unknown language {lang!r}",
                   "use a language tag such as 'fr', 'en-GB' or 'ar'")
        lang = None
    translation_key = check.text(data, "translation_key")
    canonical = check.text(data, "canonical")
    if canonical is not None and not re.match(r"^https?://", canonical):
        check.fail(("canonical",), f"canonical: expected an absolute URL, got {_show(canonical)}")
    template = check.text(data, "template")
    if template is not None and not _TEMPLATE_SAFE.match(template):
        check.fail(("template",),
                   f"template: {_show(template)} is not a template name like 'article.html'")
    if updated and date and updated < date:
        check.warn(("updated",), "updated: is earlier than date")
    if author and config.authors and author not in config.authors and not any(
            a.name == author for a in config.authors.values()) and \
            (close := did_you_mean(author, list(config.authors))):
        # a plain name is fine; only a likely typo of an [authors] key is worth a warning
        check.warn(("author",), f"author: {_show(author)} is not in [authors] of site.toml", close)
    image_caption = check.text(data, "image_caption")
    image_credit = check.text(data, "image_credit")
    video_credit = check.text(data, "video_credit")
    extra = data.get("extra", {})
    if not isinstance(extra, dict):
        check.fail(("extra",), f"extra: expected a mapping of name: value, got {_show(extra)}")
        extra = {}
    if image and not image_alt:
        check.warn(("image",), "image: has no image_alt", "describe the photo for screen readers")
    chapters = data.get("chapters") or []
    if not isinstance(chapters, list) or not all(isinstance(c, str) for c in chapters):
        check.fail(("chapters",), "chapters: expected a list of lines like '1:30 The rescue'")
        chapters = []
    elif chapters and not video:
        check.warn(("chapters",), "chapters: without a video: they are ignored",
                   "add 'video: media/x.mp4', or put NAME.chapters.vtt next to a body video")
    if any(p.is_error for p in check.problems) or title is None or date is None:
        return None, check.problems
    meta = PageMeta(
        title=title, date=date, updated=updated, author=author, summary=summary,
        description=description, tags=tags, image=image, image_alt=image_alt,
        image_line=check.line("image") if image else None, video=video,
        video_caption=video_caption, video_line=check.line("video") if video else None,
        faq=faq, draft=draft, slug=slug, slug_line=check.line("slug") if slug else None,
        lang=lang, canonical=canonical, template=template,
        kind=kind, dated=dated, image_caption=image_caption, image_credit=image_credit,
        extra={str(key): value for key, value in extra.items()},
        translation_key=translation_key.strip() if translation_key else None,
        video_chapters=tuple(chapters), video_credit=video_credit,
    )
    return meta, check.problems


def _kind(data: dict[str, Any], check: _Checker, in_pages: bool) -> str:
    value = data.get("type")
    if value is None:
        return "page" if in_pages else "article"
    if value not in PAGE_KINDS:
        check.fail(("type",), f"type: expected 'article' or 'page', got {_show(value)}")
        return "page" if in_pages else "article"
    return str(value)


def _tags(data: dict[str, Any], check: _Checker, style: str) -> tuple[str, ...]:
    value = data.get("tags")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list):
        check.fail(("tags",), f"tags: expected a list like [politics, paris], got {_show(value)}")
        return ()
    tags: list[str] = []
    for index, tag in enumerate(value):
        if isinstance(tag, (int, float)) and not isinstance(tag, bool):
            tag = str(tag)
        if not isinstance(tag, str) or not tag.strip():
            check.fail(("tags", index), f"tags[{index}]: expected a tag name, got {_show(tag)}")
        elif not slugify(tag, "unicode"):
            check.fail(("tags", index), f"tags[{index}]: {_show(tag)} has no letters or digits")
        elif problem := unsafe_name(slugify(tag, style)):
            check.fail(("tags", index), f"tags[{index}]: {_show(tag)}: {problem}")
        elif tag.strip() not in tags:
            tags.append(tag.strip())
    return tuple(tags)


def _faq(data: dict[str, Any], check: _Checker) -> tuple[FaqItem, ...]:
    value = data.get("faq")
    if value is None:
        return ()
    if not isinstance(value, list):
        check.fail(("faq",), "faq: expected a list of items with q: and a:")
        return ()
    items: list[FaqItem] = []
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            check.fail(("faq", index), f"faq[{index}]: expected an item with q: and a:, "
                       f"got {_show(entry)}")
            continue
        question = entry.get("q", entry.get("question"))
        answer = entry.get("a", entry.get("answer"))
        for key in entry:
            if key not in ("q", "a", "question", "answer"):
                check.warn(("faq", index, str(key)), f"faq[{index}]: unknown key {_show(key)}",
                           did_you_mean(str(key), ["q", "a"]) or "use q: and a:")
        if not isinstance(question, str) or not question.strip():
            check.fail(("faq", index), f"faq[{index}] has no question", "add 'q:'")
            continue
        if isinstance(answer, (int, float)) and not isinstance(answer, bool):
            answer = str(answer)
        if not isinstance(answer, str) or not answer.strip():
            check.fail(("faq", index), f"faq[{index}] has no answer", "add 'a:'")
            continue
        items.append(FaqItem(question.strip(), answer.strip()))
    return tuple(items)


def _slug_problem(slug: str) -> str | None:
    """A URL-safe slug that still cannot be a folder of the site."""
    for segment in slug.split("/"):
        problem = unsafe_name(segment)
        if problem:
            return problem
    if slug.split("/", 1)[0] in SITE_FILES:
        return "the site writes a file of that name itself"
    return None
