"""Small, pure helpers to write well-formed XML text for feeds and sitemaps.

Hand-written rather than `ElementTree.register_namespace`, which mutates a
process-wide registry; every value passes through `clean_text` first, because
XML 1.0 forbids most control characters and no escaping can represent them.
"""

from __future__ import annotations

import re
from datetime import date, datetime

# Characters XML 1.0 does not allow at all (section 2.2), plus lone surrogates
# and the two non-characters U+FFFE/U+FFFF.
_FORBIDDEN_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (they are dropped)."""
    return _FORBIDDEN_XML_CHARS.sub("", text)


def _escape(text: str) -> str:
    """`xml.sax.saxutils.escape`, whose module imports `urllib.request` (a seventh of a
    one-article build's imports); tests compare the two."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _quoteattr(text: str) -> str:
    """`xml.sax.saxutils.quoteattr`, likewise: the value escaped and quoted."""
    text = _escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"{}"'.format(text.replace('"', "&quot;"))


def xml_text(text: str) -> str:
    """Escaped character data."""
    return _escape(clean_text(text))


def xml_attrs(attrs: dict[str, str | None]) -> str:
    """` a="1" b="2"` for the non-None values, in the given order, quotes escaped."""
    return "".join(
        f" {name}={_quoteattr(clean_text(value))}"
        for name, value in attrs.items()
        if value is not None
    )


def _names(attrs: dict[str, str | None]) -> dict[str, str | None]:
    # Attribute names with a colon are passed as `xml__lang` keywords.
    return {name.replace("__", ":"): value for name, value in attrs.items()}


def open_tag(tag: str, **attrs: str | None) -> str:
    """`<tag a="1">` for an element whose children follow."""
    return f"<{tag}{xml_attrs(_names(attrs))}>"


def element(tag: str, text: str | None = None, **attrs: str | None) -> str:
    """One element on one line; empty-element form when `text` is None.

    A double underscore in an attribute keyword becomes ':' (`xml__lang`).
    """
    if text is None:
        return f"<{tag}{xml_attrs(_names(attrs))}/>"
    return f"{open_tag(tag, **attrs)}{xml_text(text)}</{tag}>"


def cdata(text: str) -> str:
    """A CDATA section that survives `]]>` inside the text (split into two sections)."""
    return "<![CDATA[" + clean_text(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def require_aware(value: datetime, what: str) -> None:
    """Feeds and sitemaps need an offset; a naive datetime would be guessed wrong."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")


def w3c_datetime(value: datetime | date) -> str:
    """RFC 3339 / W3C datetime with an offset, whole seconds: `2026-05-01T09:30:00+02:00`."""
    if isinstance(value, datetime):
        require_aware(value, "datetime")
        text = value.replace(microsecond=0).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value.isoformat()
