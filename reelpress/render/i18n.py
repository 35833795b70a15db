"""The language of a page: the theme's strings through gettext catalogs, dates and numbers
through Babel.

Catalog layers for one language, most specific first: `[strings]` of site.toml, the
site's `i18n/<lang>.po`, then each theme's `i18n/<lang>.po` down to the default theme;
`pt-BR` falls back to `pt`, and a string no layer has stays in English (the msgid).
`.po` files are compiled by Babel when the build reads them, so nobody ships `.mo` files.
Templates use Jinja's i18n extension (`{% trans %}`, `_()`); the translations of the page
being rendered come from the `i18n` value of its context, so one environment serves
every language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gettext
import hashlib
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from babel.dates import format_date, format_datetime, format_skeleton, format_timedelta
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Diagnostic, Reporter, error, warning
from reelpress.core.languages import babel_locale, candidates, is_rtl, language_name
from reelpress.core.project import ProjectPaths

if TYPE_CHECKING:
    from reelpress.render.article import StoredHTML

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass(frozen=True)
class Catalogs:
    """Compiled catalogs (`.mo` bytes, picklable for render workers) per lower-cased
    language tag, most specific layer first."""

    site_language: str
    layers: Mapping[str, tuple[bytes, ...]]
    digest: str = ""  # of every source: a changed translation re-renders the pages

    def translations(self, language: str) -> gettext.NullTranslations:
        return _translations(tuple(mo for name in candidates(language)
                                   for mo in self.layers.get(name, ())))

    def locale(self, language: str | None, tzinfo: dt.tzinfo | None = None) -> PageLocale:
        code = language or self.site_language
        return PageLocale(code, "rtl" if is_rtl(code) else "ltr", self.translations(code),
                          tzinfo, self.digest)


EMPTY_CATALOGS = Catalogs("en", {})


@functools.lru_cache(maxsize=64)
def _translations(layers: tuple[bytes, ...]) -> gettext.NullTranslations:
    """One chain of catalogs, most specific first (parsed once per process: every page of
    a language shares it, and nothing changes it after this)."""
    chain = [gettext.GNUTranslations(io.BytesIO(mo)) for mo in layers]
    if not chain:
        return gettext.NullTranslations()
    for upper, lower in zip(chain, chain[1:], strict=False):
        upper.add_fallback(lower)
    return chain[0]


@functools.lru_cache(maxsize=8192)  # a listing of 5,000 stories has ~1,000 distinct days
def _long_date(day: dt.date, locale: str) -> str:
    return format_date(day, "long", locale=locale)


@functools.lru_cache(maxsize=8192)
def _short_date(day: dt.date, locale: str) -> str:
    return format_skeleton("MMMd", dt.datetime(day.year, day.month, day.day), locale=locale)


@functools.lru_cache(maxsize=1024)  # every article shows its reading time: a few dozen values
def _short_minutes(minutes: int, locale: str) -> str:
    return format_timedelta(dt.timedelta(minutes=minutes), format="short", threshold=1,
                            granularity="minute", locale=locale)


@dataclass(frozen=True)
class PageLocale:
    """What a page needs to speak its language: strings, direction, formats."""

    code: str                                # 'fr', as written
    direction: str                           # 'ltr' or 'rtl'
    translations: gettext.NullTranslations
    tzinfo: dt.tzinfo | None = None          # None: show a moment in its own offset
    catalogs: str = ""                       # digest of the catalogs the strings come from

    def digest_parts(self) -> object:
        """What a view holding this locale depends on (the build graph keys by it)."""
        return (self.code, self.direction, self.catalogs, str(self.tzinfo))

    @property
    def babel(self) -> str:
        locale = babel_locale(self.code)
        return str(locale) if locale is not None else "en"

    def gettext(self, message: str, **values: Any) -> str:
        text = self.translations.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: Any) -> str:
        text = self.translations.ngettext(singular, plural, count)
        return text % {"num": self.number(count), **values}

    def _moment(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tzinfo) if self.tzinfo else moment

    def date(self, moment: dt.datetime) -> str:
        """'July 14, 2025' / '14 juillet 2025'."""
        return _long_date(self._moment(moment).date(), self.babel)

    def short_date(self, moment: dt.datetime) -> str:
        """'Jul 14' / '14 juil.'."""
        return _short_date(self._moment(moment).date(), self.babel)

    def datetime(self, moment: dt.datetime) -> str:
        """Long date and short time in the locale's own order, and the zone (an update is
        news only with its time): '14 juillet 2025, 18:00 CEST'."""
        locale = babel_locale(self.code) or babel_locale("en")
        assert locale is not None
        pattern = str(locale.datetime_formats["long"]).format(
            locale.time_formats["short"].pattern, locale.date_formats["long"].pattern)
        moment = self._moment(moment)
        text = format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=self.babel)
        zone = moment.tzname()
        return f"{text} {zone}" if zone else text

    def minutes(self, minutes: int) -> str:
        """'5 min' (a duration, in the locale's abbreviation)."""
        return _short_minutes(minutes, self.babel)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.babel)

    def name_of(self, language: str) -> str:
        """A language's own name ('Français'), for a link that switches to it."""
        return language_name(language)


# --- Jinja -----------------------------------------------------------------------------------


_ENGLISH = gettext.NullTranslations()  # a page without a locale: every msgid as written


def _page_translations(context: jinja2.runtime.Context) -> gettext.NullTranslations:
    page = context.get("i18n")
    return page.translations if isinstance(page, PageLocale) else _ENGLISH


# New-style gettext (autoescaped, always a `%` format) written out: Jinja's own wraps each
# callable in two more calls and `_` in a third (80,000 calls in a 5,000-article build).
@functools.lru_cache(maxsize=1024)
def _label(translations: gettext.NullTranslations, message: str, autoescape: bool) -> str:
    """A translated string without variables (most of a page's): looked up, wrapped and
    `%`-formatted once per catalog chain, not on every page."""
    text = translations.gettext(message)
    return (Markup(text) if autoescape else text) % {}


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str, /, **variables: Any) -> str:
    translations = _page_translations(context)
    if not variables:
        return _label(translations, message, context.eval_ctx.autoescape)
    return _formatted(context, translations.gettext(message), variables)


def _formatted(context: jinja2.runtime.Context, text: str, variables: dict[str, Any]) -> str:
    """A translated string as new-style gettext gives it: autoescaped, `%`-formatted."""
    return (Markup(text) if context.eval_ctx.autoescape else text) % variables


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int, /,
              **variables: Any) -> str:
    variables.setdefault("num", count)
    return _formatted(context, _page_translations(context).ngettext(singular, plural, count),
                      variables)


@jinja2.pass_context
def _pgettext(context: jinja2.runtime.Context, where: str, message: str, /,
              **variables: Any) -> str:
    variables.setdefault("context", where)
    return _formatted(context, _page_translations(context).pgettext(where, message),
                      variables)


@jinja2.pass_context
def _npgettext(context: jinja2.runtime.Context, where: str, singular: str, plural: str,
               count: int, /, **variables: Any) -> str:
    variables.setdefault("context", where)
    variables.setdefault("num", count)
    return _formatted(context,
                      _page_translations(context).npgettext(where, singular, plural, count),
                      variables)


def _page_locale(context: jinja2.runtime.Context) -> PageLocale:
    page = context.get("i18n")
    return page if isinstance(page, PageLocale) else EMPTY_CATALOGS.locale(None)


@jinja2.pass_context
def _date_filter(context: jinja2.runtime.Context, moment: dt.datetime) -> str:
    return _page_locale(context).date(moment)


@jinja2.pass_context
def _datetime_filter(context: jinja2.runtime.Context, moment: dt.datetime) -> str:
    return _page_locale(context).datetime(moment)


@jinja2.pass_context
def _number_filter(context: jinja2.runtime.Context, value: float) -> str:
    return _page_locale(context).number(value)


def install_i18n(env: jinja2.Environment) -> None:
    """Jinja's i18n extension (new-style gettext: autoescaped, `%(name)s` placeholders),
    resolved per render from the page's `i18n`; plus `format_date`, `format_datetime` and
    `format_number` filters in the page's locale."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext, pgettext=_pgettext,
                       npgettext=_npgettext)
    env.filters.update(format_date=_date_filter, format_datetime=_datetime_filter,
                       format_number=_number_filter)


# --- loading catalogs ------------------------------------------------------------------------


def _catalog_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def _checked(catalog: Catalog, where: str, problems: list[Diagnostic]) -> Catalog:
    """Drop translations whose placeholders the original lacks (they would fail to render)."""
    for message in list(catalog):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else \
            (message.string,)
        allowed = {name for text in ids for name in _PLACEHOLDER.findall(text)} | {"num"}
        for text in strings:
            unknown = sorted(set(_PLACEHOLDER.findall(text)) - allowed)
            if unknown:
                problems.append(warning(where, message.lineno, f"translation of {ids[0]!r} "
                                        f"uses the unknown placeholder %({unknown[0]})s",
                                        "it is ignored; use the placeholders of the msgid"))
                catalog.delete(message.id, message.context)
                break
    return catalog


_PO_LINE = re.compile(r'\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+'
                      r'"(?:[^"\\]|\\.)*"|"(?:[^"\\]|\\.)*")?\s*')


def _read_po(path: Path, shown: str, problems: list[Diagnostic]) -> bytes | None:
    """Babel's reader guesses at broken lines; a line that is not a keyword with a quoted
    string, a continuation string or a comment is reported instead."""
    try:
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if not _PO_LINE.fullmatch(line):
                problems.append(error(shown, number, "invalid .po file: expected a keyword "
                                      'and a quoted string, like msgstr "..."'))
                return None
        with path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except PoFileError as exc:
        where = getattr(exc, "lineno", None)  # Babel counts from 0
        problems.append(error(shown, where + 1 if isinstance(where, int) else None,
                              f"invalid .po file: {re.sub(r' on -?[0-9]+$', '', str(exc))}"))
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems.append(error(shown, None, f"cannot read the catalog: {exc}"))
        return None
    return _catalog_bytes(_checked(catalog, shown, problems))


def _strings_catalog(language: str, strings: Mapping[str, str | tuple[str, ...]],
                     plurals: Mapping[str, str]) -> bytes:
    """A `[strings]` table as a catalog; a list of texts fills the plural forms of a
    msgid the theme uses with a plural."""
    catalog = Catalog(locale=babel_locale(language) or "en")
    for msgid, text in strings.items():
        plural = plurals.get(msgid)
        if plural is not None:
            forms = (text,) * catalog.num_plurals if isinstance(text, str) else text
            catalog.add((msgid, plural), tuple(forms))
        else:
            catalog.add(msgid, text if isinstance(text, str) else text[0])
    return _catalog_bytes(catalog)


def _plural_ids(sources: Iterable[Path]) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sources:
        try:
            with path.open("rb") as handle:
                for message in read_po(handle):
                    if isinstance(message.id, (list, tuple)):
                        found.setdefault(message.id[0], message.id[1])
        except (OSError, PoFileError, UnicodeDecodeError, ValueError):
            continue
    return found


def load_catalogs(i18n_dirs: Iterable[Path], site_language: str,
                  strings: Mapping[str, Mapping[str, str | tuple[str, ...]]],
                  relative: Any = str) -> tuple[Catalogs, list[Diagnostic]]:
    """Every `<lang>.po` of `i18n_dirs` (most specific folder first) and the `[strings]`
    tables; `relative(path)` names a file in a message."""
    problems: list[Diagnostic] = []
    layers: dict[str, list[bytes]] = {}
    digest = hashlib.sha1()
    sources: list[Path] = []
    for folder in i18n_dirs:
        if folder.is_dir():
            sources.extend(sorted(folder.glob("*.po")))
    plurals = _plural_ids(sources)
    for language, table in sorted(strings.items()):
        layers.setdefault(language.lower(), []).append(
            _strings_catalog(language, table, plurals))
        digest.update(repr((language, sorted(table.items()))).encode())
    for path in sources:
        compiled = _read_po(path, relative(path), problems)
        if compiled is not None:
            layers.setdefault(path.stem.replace("_", "-").lower(), []).append(compiled)
            digest.update(path.stem.encode() + b"\0" + compiled)
    return Catalogs(site_language, {k: tuple(v) for k, v in layers.items()},
                    digest.hexdigest()), problems


def site_catalogs(i18n_dirs: Iterable[Path], config: SiteConfig, paths: ProjectPaths,
                  reporter: Reporter) -> Catalogs:
    """The build's catalogs; problems in them go to `reporter`."""
    catalogs, problems = load_catalogs(i18n_dirs, config.language, config.strings,
                                       paths.relative)
    reporter.extend(problems)
    return catalogs


# --- media markup ----------------------------------------------------------------------------
# The media stage writes its few visible words (fallbacks, labels) in English once per
# media file, whatever page shows it; each page puts them in its own language here.
_MEDIA_MARKERS = re.compile(r"Download the (?:video|audio)|label=\"Chapters\"|reelpress-facade")
_PLAY = re.compile(r'aria-label="Play: (.*?) \(loads ([^()"]*)\)"')
_WATCH = re.compile(r"Watch &#8220;(.*?)&#8221; on ([^<]*)</a>")


def localize_media(html: str, locale: PageLocale) -> str:
    """Media HTML (media/html.py, media/facade.py) with its words in the page's language."""
    if not _MEDIA_MARKERS.search(html):
        return html
    strings = locale.translations
    for english, translated in (
            ("Your browser cannot play this video.",
             strings.gettext("Your browser cannot play this video.")),
            ("Download the video (MP4)", strings.gettext("Download the video (MP4)")),
            ("Download the audio (M4A)", strings.gettext("Download the audio (M4A)")),
            ('label="Chapters"', 'label="{}"'.format(escape(strings.gettext("Chapters"))))):
        if translated != english:
            html = html.replace(english, translated if english.startswith("label") else
                                str(escape(translated)))
    play = str(escape(strings.gettext("Play: %(title)s (loads %(platform)s)")))
    watch = str(escape(strings.gettext("Watch “%(title)s” on %(platform)s")))
    html = _PLAY.sub(lambda m: 'aria-label="{}"'.format(
        play % {"title": m.group(1), "platform": m.group(2)}), html)
    return _WATCH.sub(lambda m: "{}</a>".format(
        watch % {"title": m.group(1), "platform": m.group(2)}), html)


def with_localized_media(body: StoredHTML, locale: PageLocale) -> StoredHTML:
    """An article body whose media HTML speaks the page's language; the embeds are part
    of its digest, so a page is keyed by its language."""
    embeds = tuple(localize_media(html, locale) for html in body.embeds)
    return body if embeds == body.embeds else dataclasses.replace(body, embeds=embeds)
