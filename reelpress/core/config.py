"""site.toml: read with tomllib, validated once (every problem reported together), frozen."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin, get_type_hints
from urllib.parse import urlsplit

from reelpress.core.author_pages import author_page_problems
from reelpress.core.diagnostics import Diagnostic, error, warning
from reelpress.core.languages import SLUG_STYLES, is_language
from reelpress.core.project import ProjectPaths
from reelpress.core.settings import (
    CheckSettings,
    ExecutorSettings,
    ImageSettings,
    SearchSettings,
    VideoSettings,
)
from reelpress.core.strings_table import strings_table
from reelpress.core.urls import url_base_path


@dataclass(frozen=True)
class Author:
    key: str
    name: str
    url: str | None = None
    bio: str | None = None
    photo: str | None = None  # a site path (static/...) or an absolute URL
    social: tuple[tuple[str, str], ...] = ()  # (network name, profile URL)
    listed: bool = False  # a key of [authors]: it has a page /authors/KEY/


@dataclass(frozen=True)
class MenuItem:
    """One link of `[[menu.main]]` / `[[menu.footer]]`: to a page of the site (`page`,
    its URL path like 'about/') or to any URL (`url`)."""

    name: str
    page: str | None = None
    url: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Publisher:
    name: str
    url: str | None = None
    logo: str | None = None


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.toml says, validated; derived URL parts are properties."""

    title: str
    base_url: str
    language: str = "en"
    timezone: str = "UTC"
    description: str = ""
    theme: str = "default"
    authors: Mapping[str, Author] = field(default_factory=dict)
    default_author: str | None = None
    publisher: Publisher | None = None
    faq_jsonld: bool = True
    relative_urls: bool = False
    per_page: int = 20
    feed_entries: int = 20
    related_stories: int = 3  # under each article; 0: none
    ffmpeg: str | None = None
    allow_html: bool = False  # [build] allow_html: raw HTML in Markdown is kept
    menus: Mapping[str, tuple[MenuItem, ...]] = field(default_factory=dict)  # 'main', 'footer'
    extra: Mapping[str, Any] = field(default_factory=dict)  # [extra]: for templates, untouched
    slug_style: str = "ascii"  # "ascii" transliterates URLs, "unicode" keeps letters as written
    # [strings]: language -> msgid -> translation (a tuple: one per plural form)
    strings: Mapping[str, Mapping[str, str | tuple[str, ...]]] = field(default_factory=dict)
    search: SearchSettings = field(default_factory=SearchSettings)
    sections: Mapping[str, Any] = field(default_factory=dict)
    video: VideoSettings = field(default_factory=VideoSettings)
    check: CheckSettings = field(default_factory=CheckSettings)
    images: ImageSettings = field(default_factory=ImageSettings)
    media: ExecutorSettings = field(default_factory=ExecutorSettings)  # where media jobs run

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' or '/news/'."""
        return url_base_path(self.base_url)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def section(self, name: str) -> Mapping[str, Any]:
        return self.sections.get(name, {})


_TOP_LEVEL: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "base_url": str,
    "language": str,
    "timezone": str,
    "description": str,
    "theme": str,
    "authors": dict,
    "author": str,
    "publisher": dict,
    "faq_jsonld": bool,
    "relative_urls": bool,
    "per_page": int,
    "feed_entries": int,
    "related_stories": int,
    "ffmpeg": str,
    "menu": dict,
    "extra": dict,
    "slug_style": str,
}
MENU_NAMES = ("main", "footer")
_AUTHOR_KEYS = ["name", "url", "bio", "photo", "social"]
# Tables owned by later stages; each is checked against that stage's settings dataclass.
SECTION_NAMES = ("video", "images", "media", "build", "search", "strings", "check", "deploy")
_BUILD_KEYS: dict[str, type] = {"allow_html": bool}
# A theme is named, never given as a path: `themes/<name>/` of the site or a built-in one.
THEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TYPE_WORDS = {str: "a string", bool: "true or false", int: "a whole number", dict: "a table"}


def key_line(text: str, key: str, table: str | None = None) -> int | None:
    """Best-effort line of `key = ...` (inside `[table]` when given): tomllib keeps no positions."""
    current: str | None = None
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]+", line)
        if header:
            current = header.group(1)
            if table is None and current == key:
                return number
            continue
        if current == table and pattern.match(line):
            return number
    return None


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def load_config(paths: ProjectPaths, *, base_url: str | None = None
                ) -> tuple[SiteConfig | None, tuple[Diagnostic, ...]]:
    """Read and validate site.toml, with `base_url` (from --base-url) in place of its own;
    return (None, problems) when it cannot be used."""
    where = paths.relative(paths.config_file)
    if not paths.config_file.is_file():
        return None, (
            error(where, None, "site.toml not found", f"create it in {paths.root} with at least "
                  "title and base_url, or pass --root DIR"),
        )
    text = paths.config_file.read_text(encoding="utf-8", errors="replace")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        match = re.search(r"line (\d+)", str(exc))
        if line is None and match:
            line = int(match.group(1))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        return None, (error(where, line, f"invalid TOML: {message}", "fix the syntax"),)
    if base_url:
        _, problems = validate_config({"title": "-", "base_url": base_url}, "", "--base-url")
        if any(p.is_error for p in problems):
            return None, tuple(p for p in problems if p.is_error)
        raw["base_url"] = base_url
    return validate_config(raw, text, where)


def validate_config(
    raw: dict[str, Any], text: str, where: str
) -> tuple[SiteConfig | None, tuple[Diagnostic, ...]]:
    problems: list[Diagnostic] = []
    known = list(_TOP_LEVEL) + list(SECTION_NAMES)
    for key, value in raw.items():
        if key in SECTION_NAMES:
            if not isinstance(value, dict):
                problems.append(error(where, key_line(text, key),
                                      f"{key}: expected a table [{key}]"))
            elif key == "build":
                _check_build_table(value, text, where, problems)
            continue
        expected = _TOP_LEVEL.get(key)
        if expected is None:
            problems.append(warning(where, key_line(text, key) or key_line(text, key, None),
                                    f"unknown key '{key}'", did_you_mean(key, known)))
            continue
        if not _is_type(value, expected):
            problems.append(error(where, key_line(text, key),
                                  f"{key}: expected {_TYPE_WORDS.get(expected, expected)}, "  # type: ignore[arg-type]
                                  f"got {value!r}"))
    for required in ("title", "base_url"):
        if required not in raw:
            problems.append(error(where, None, f"missing required key '{required}'",
                                  f"add {required} = \"...\" at the top of site.toml"))
    base_url = raw.get("base_url")
    if isinstance(base_url, str):
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(error(where, key_line(text, "base_url"),
                                  f"base_url: expected an absolute http(s) URL, got {base_url!r}",
                                  "for example https://example.org/ or https://user.github.io/news/"))
    timezone = raw.get("timezone", "UTC")
    if isinstance(timezone, str):
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.append(error(where, key_line(text, "timezone"),
                                  f"timezone: unknown time zone {timezone!r}",
                                  "use an IANA name such as Europe/Paris or UTC"))
    language = raw.get("language", "en")
    if isinstance(language, str) and not is_language(language):
        problems.append(error(where, key_line(text, "language"),
                              f"language: unknown language {language!r}",
                              "use a language tag such as 'en', 'fr', 'pt-BR' or 'ar'"))
    slug_style = raw.get("slug_style", "ascii")
    if isinstance(slug_style, str) and slug_style not in SLUG_STYLES:
        problems.append(error(where, key_line(text, "slug_style"),
                              f"slug_style: expected \"ascii\" or \"unicode\", got {slug_style!r}"))
    strings = strings_table(raw.get("strings"), language if isinstance(language, str) else "en",
                            lambda key, table: key_line(text, key, table), where, problems)
    theme = raw.get("theme")
    if isinstance(theme, str) and not THEME_NAME.match(theme):
        problems.append(error(where, key_line(text, "theme"),
                              f"theme: expected the name of a folder in themes/, got {theme!r}",
                              "a theme lives in themes/<name>/ of the site (or is built in); "
                              "paths are not accepted"))
    for key in ("per_page", "feed_entries"):
        value = raw.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value < 1:
            problems.append(error(where, key_line(text, key), f"{key}: must be at least 1"))
    authors = _authors(raw.get("authors"), text, where, problems)
    default_author = raw.get("author") if isinstance(raw.get("author"), str) else None
    publisher = _publisher(raw.get("publisher"), raw, text, where, problems)
    menus = _menus(raw.get("menu"), text, where, problems)
    if any(p.is_error for p in problems):
        return None, tuple(problems)
    config = SiteConfig(
        title=raw["title"],
        base_url=raw["base_url"] if raw["base_url"].endswith("/") else raw["base_url"] + "/",
        language=raw.get("language", "en"),
        timezone=timezone,
        description=raw.get("description", ""),
        theme=raw.get("theme", "default"),
        authors=authors,
        default_author=default_author,
        publisher=publisher,
        faq_jsonld=raw.get("faq_jsonld", True),
        relative_urls=raw.get("relative_urls", False),
        per_page=raw.get("per_page", 20),
        feed_entries=raw.get("feed_entries", 20),
        related_stories=max(0, raw.get("related_stories", 3)),
        ffmpeg=raw.get("ffmpeg"),
        allow_html=raw.get("build", {}).get("allow_html", False) is True,
        menus=menus,
        extra=dict(raw["extra"]) if isinstance(raw.get("extra"), dict) else {},
        slug_style=slug_style,
        strings=strings,
        sections={k: dict(v) for k, v in raw.items()
                  if k in SECTION_NAMES and isinstance(v, dict)},
    )
    video, video_problems = _media_settings(config, "video", VideoSettings, text, where)
    images, image_problems = _media_settings(config, "images", ImageSettings, text, where)
    search, search_problems = _media_settings(config, "search", SearchSettings, text, where)
    check, check_problems = _media_settings(config, "check", CheckSettings, text, where)
    media, media_problems = _media_settings(config, "media", ExecutorSettings, text, where)
    problems.extend(video_problems + image_problems + search_problems + check_problems
                    + media_problems)
    if video is None or images is None or search is None or check is None or media is None:
        return None, tuple(problems)
    return dataclasses.replace(config, video=video, images=images, search=search,
                               check=check, media=media), tuple(problems)


def _media_settings(config: SiteConfig, name: str, settings_type: type, text: str,
                    where: str) -> tuple[Any, list[Diagnostic]]:
    """A `[video]` / `[images]` table mapped onto its stage's settings, values checked by
    the stage's own rules (`problems()`), each reported at its line."""
    settings, problems = settings_from_section(config, name, settings_type, text, where)
    found = list(problems)
    if settings is None:
        return None, found
    for problem in settings.problems():
        field_name, message = problem if isinstance(problem, tuple) else \
            (problem.split(":", 1)[0], problem.split(":", 1)[-1].strip())
        found.append(error(where, key_line(text, field_name, name),
                           f"[{name}] {field_name}: {message}"))
    return (None if any(p.is_error for p in found) else settings), found


def _check_build_table(table: dict[str, Any], text: str, where: str,
                       problems: list[Diagnostic]) -> None:
    for name, value in table.items():
        expected = _BUILD_KEYS.get(name)
        if expected is None:
            problems.append(warning(where, key_line(text, name, "build"),
                                    f"[build] unknown key '{name}'",
                                    did_you_mean(name, list(_BUILD_KEYS))))
        elif not _is_type(value, expected):
            problems.append(error(where, key_line(text, name, "build"),
                                  f"[build] {name}: expected {_TYPE_WORDS[expected]}, "
                                  f"got {value!r}"))


def _is_type(value: Any, expected: type | tuple[type, ...]) -> bool:
    if expected is int and isinstance(value, bool):
        return False
    return isinstance(value, expected)


def _authors(value: Any, text: str, where: str, problems: list[Diagnostic]) -> dict[str, Author]:
    authors: dict[str, Author] = {}
    if not isinstance(value, dict):
        return authors
    for key, entry in value.items():
        if isinstance(entry, str):
            authors[key] = Author(key, entry, listed=True)
        elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
            unknown = set(entry) - set(_AUTHOR_KEYS)
            for extra in sorted(unknown):
                problems.append(warning(where, key_line(text, extra, f"authors.{key}"),
                                        f"authors.{key}: unknown key '{extra}'",
                                        did_you_mean(extra, _AUTHOR_KEYS)))
            social = entry.get("social", {})
            if not isinstance(social, dict) or not all(
                    isinstance(v, str) for v in social.values()):
                problems.append(error(where, key_line(text, "social", f"authors.{key}"),
                                      f"authors.{key}.social: expected a table of name = "
                                      "\"https://...\" links"))
                social = {}
            photo = _text(entry, "photo")
            if photo and not photo.lstrip("/").startswith("static/") and \
                    not photo.startswith(("http://", "https://")):
                problems.append(warning(where, key_line(text, "photo", f"authors.{key}"),
                                        f"authors.{key}.photo: {photo!r} is not published",
                                        "put the file in static/ and write photo = "
                                        f"\"static/{photo.rsplit('/', 1)[-1]}\", or give "
                                        "an https:// URL"))
            authors[key] = Author(key, entry["name"], _text(entry, "url"), _text(entry, "bio"),
                                  _text(entry, "photo"),
                                  tuple((str(k), v) for k, v in social.items()), listed=True)
        else:
            problems.append(error(where, key_line(text, f"authors.{key}") or key_line(text, key),
                                  f"authors.{key}: expected a name or a table with name = \"...\""))
    problems.extend(author_page_problems(
        authors, lambda key: key_line(text, f"authors.{key}") or key_line(text, key, "authors"),
        where))
    return authors



def _text(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _menus(value: Any, text: str, where: str, problems: list[Diagnostic]
           ) -> dict[str, tuple[MenuItem, ...]]:
    """`[[menu.main]]` tables with `name` and `page` (a URL path of the site) or `url`."""
    menus: dict[str, tuple[MenuItem, ...]] = {}
    if not isinstance(value, dict):
        return menus
    lines = [number for number, line in enumerate(text.splitlines(), start=1)
             if re.match(r"^\s*\[\[\s*menu\.", line)]
    for name, entries in value.items():
        line = key_line(text, f"menu.{name}")
        if name not in MENU_NAMES:
            problems.append(warning(where, line, f"menu.{name}: unknown menu",
                                    did_you_mean(name, MENU_NAMES) or
                                    "use menu.main or menu.footer"))
            continue
        if not isinstance(entries, list):
            problems.append(error(where, line, f"menu.{name}: expected [[menu.{name}]] tables"))
            continue
        items: list[MenuItem] = []
        for index, entry in enumerate(entries):
            item_line = _nth_menu_line(text, lines, name, index)
            label = f"menu.{name}[{index}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or \
                    not entry["name"].strip():
                problems.append(error(where, item_line, f"{label}: needs name = \"...\""))
                continue
            for extra in sorted(set(entry) - {"name", "page", "url"}):
                problems.append(warning(where, item_line, f"{label}: unknown key '{extra}'",
                                        did_you_mean(extra, ["name", "page", "url"])))
            page, url = _text(entry, "page"), _text(entry, "url")
            if (page is None) == (url is None):
                problems.append(error(where, item_line,
                                      f"{label}: give either page = \"about\" or url = \"...\""))
                continue
            if page is not None:
                page = page.strip().strip("/") + "/"
            items.append(MenuItem(entry["name"].strip(), page, url, item_line))
        menus[name] = tuple(items)
    return menus


def _nth_menu_line(text: str, lines: list[int], name: str, index: int) -> int | None:
    """The line of the `index`-th `[[menu.NAME]]` header."""
    all_lines = text.splitlines()
    own = [n for n in lines if re.match(rf"^\s*\[\[\s*menu\.{re.escape(name)}\s*\]\]",
                                        all_lines[n - 1])]
    return own[index] if index < len(own) else None


def _publisher(value: Any, raw: dict[str, Any], text: str, where: str,
               problems: list[Diagnostic]) -> Publisher | None:
    if value is None:
        title = raw.get("title")
        return Publisher(title, raw.get("base_url")) if isinstance(title, str) else None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        problems.append(error(where, key_line(text, "publisher"),
                              "publisher: expected a table with name = \"...\" (and url, logo)"))
        return None
    for extra in sorted(set(value) - {"name", "url", "logo"}):
        problems.append(warning(where, key_line(text, extra, "publisher"),
                                f"publisher: unknown key '{extra}'",
                                did_you_mean(extra, ["name", "url", "logo"])))
    return Publisher(value["name"], value.get("url"), value.get("logo"))


def settings_from_section(config: SiteConfig, name: str, settings_type: type, text: str,
                          where: str) -> tuple[Any, tuple[Diagnostic, ...]]:
    """Map a `[name]` table onto a flat frozen settings dataclass, by field name and type."""
    table = config.section(name)
    hints = get_type_hints(settings_type)
    fields = {f.name for f in dataclasses.fields(settings_type)}
    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            problems.append(warning(where, key_line(text, key, name),
                                    f"[{name}] unknown key '{key}'",
                                    did_you_mean(key, sorted(fields))))
            continue
        coerced = _coerce(value, hints[key])
        if coerced is _INVALID:
            problems.append(error(where, key_line(text, key, name),
                                  f"[{name}] {key}: expected {_describe(hints[key])}, "
                                  f"got {value!r}"))
        else:
            values[key] = coerced
    # the valid fields still make settings, so their own checks run too: one run
    # reports every problem of the table
    return settings_type(**values), tuple(problems)


_INVALID = object()


def _coerce(value: Any, hint: Any) -> Any:
    origin = get_origin(hint)
    args = get_args(hint)
    if origin is tuple:
        if not isinstance(value, list):
            return _INVALID
        item_type = args[0]
        items = [_coerce(v, item_type) for v in value]
        return _INVALID if any(i is _INVALID for i in items) else tuple(items)
    if args and type(None) in args:  # Optional[X]
        inner = [a for a in args if a is not type(None)][0]
        return _coerce(value, inner)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool):
        return _INVALID
    return value if isinstance(hint, type) and isinstance(value, hint) else _INVALID


def _describe(hint: Any) -> str:
    origin = get_origin(hint)
    if origin is tuple:
        return f"a list of {_describe(get_args(hint)[0])}s"
    return {str: "a string", bool: "true or false", int: "a whole number",
            float: "a number"}.get(hint, str(hint))


def read_config_text(paths: ProjectPaths) -> str:
    try:
        return paths.config_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


__all__ = ["Author", "MenuItem", "Publisher", "SiteConfig", "load_config", "settings_from_section",
           "key_line", "did_you_mean", "read_config_text"]
