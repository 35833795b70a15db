"""Language tags (BCP 47 as written in site.toml and front matter) checked against the
locale data Babel ships, and the two slug styles a site can choose."""

from __future__ import annotations

import functools
import re
import unicodedata

import babel
from anyascii import anyascii

SLUG_STYLES = ("ascii", "unicode")
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@functools.lru_cache(maxsize=256)
def babel_locale(tag: str) -> babel.Locale | None:
    """'fr', 'pt-BR', 'zh-Hant-TW' -> the Babel locale; None when Babel has no data."""
    if not _TAG.match(tag):
        return None
    try:
        return babel.Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, babel.UnknownLocaleError):
        return None


def is_language(tag: str) -> bool:
    return babel_locale(tag) is not None


@functools.lru_cache(maxsize=256)
def is_rtl(tag: str) -> bool:
    locale = babel_locale(tag)
    return locale is not None and locale.character_order == "right-to-left"


def candidates(tag: str) -> tuple[str, ...]:
    """Catalog names to try for a tag, most specific first: 'pt-BR' -> ('pt-br', 'pt')."""
    parts = tag.replace("_", "-").lower().split("-")
    return tuple("-".join(parts[:size]) for size in range(len(parts), 0, -1))


def language_name(tag: str, in_language: str | None = None) -> str:
    """'fr' -> 'Français' (the name in that language, for a language switch)."""
    locale = babel_locale(tag)
    if locale is None:
        return tag
    shown_in = babel_locale(in_language) if in_language else locale
    name = locale.get_display_name(shown_in or locale) or tag
    return name[:1].upper() + name[1:]


# A generated slug is one file or folder name: far below the 255-byte limit of file systems.
MAX_SLUG_BYTES = 100
# Names Windows cannot create (with any extension): a site built there, or copied there,
# would break.
_WINDOWS_RESERVED = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$", re.IGNORECASE)


def windows_reserved(name: str) -> bool:
    """`con`, `nul.txt`, `LPT1`...: a file or folder name Windows refuses."""
    return _WINDOWS_RESERVED.match(name) is not None


@functools.lru_cache(maxsize=65536)  # pure; listings and tags ask for the same names often
def slugify(text: str, style: str = "ascii") -> str:
    """'Fousseynou Cissé, hero!' -> 'fousseynou-cisse-hero'. `ascii` transliterates every
    script ('Москва' -> 'moskva'); `unicode` keeps letters, marks and digits as they are.
    At most MAX_SLUG_BYTES of UTF-8 (a 300-byte headline still makes a file name)."""
    if style == "unicode":
        folded = unicodedata.normalize("NFC", text).lower()
        kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in folded)
        return _shorten(re.sub(r"\s+", "-", kept.strip()))
    return _shorten(re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-"))


def _shorten(slug: str) -> str:
    """Cut to MAX_SLUG_BYTES, at a dash when one is in the second half."""
    if len(slug.encode("utf-8")) <= MAX_SLUG_BYTES:
        return slug
    cut = slug.encode("utf-8")[:MAX_SLUG_BYTES].decode("utf-8", "ignore")
    at_dash = cut.rsplit("-", 1)[0]
    return (at_dash if len(at_dash) >= MAX_SLUG_BYTES // 2 else cut).strip("-")
