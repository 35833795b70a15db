"""schema.org JSON-LD as plain dicts, and a serialiser that is safe inside <script>.

Builders take plain values (strings, datetimes, lists of dicts) so they are pure and
exhaustively testable; the renderer decides what to pass.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup

# Characters that could end the <script> element or open an HTML comment, plus the two
# line separators some JavaScript parsers reject, are written as JSON \\u escapes: the
# JSON value is unchanged, the markup stays inert.
# (str.replace per character, each only when present: str.translate with a dict looks
# every character up, 40 us for an article's JSON-LD, 3 % of rendering its page.)
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def to_script_json(data: Any) -> Markup:
    """Serialise for `<script type="application/ld+json">`: valid JSON, no breakout."""
    text = _COMPACT.encode(data)
    for character, escaped in _SCRIPT_SAFE:
        if character in text:
            text = text.replace(character, escaped)
    return Markup(text)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def present(**fields: Any) -> dict[str, Any]:
    """The fields that have a value, in the order given: schema.org leaves out what is
    not known rather than stating it empty."""
    return {name: value for name, value in fields.items() if value}


def person(name: str, url: str | None = None) -> dict[str, Any]:
    return {"@type": "Person", "name": name, **present(url=url)}


def organization(name: str, url: str | None = None, logo_url: str | None = None
                 ) -> dict[str, Any]:
    return {"@type": "Organization", "name": name,
            **present(url=url, logo=logo_url and {"@type": "ImageObject", "url": logo_url})}


def news_article(*, url: str, headline: str, description: str | None,
                 published: dt.datetime, modified: dt.datetime | None,
                 authors: Sequence[dict[str, Any]], images: Sequence[str],
                 publisher: dict[str, Any] | None, language: str,
                 keywords: Sequence[str] = (), word_count: int | None = None,
                 videos: Sequence[dict[str, Any]] = (),
                 translations: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """`translations` are (language, absolute URL) of the same story in other languages."""
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": headline[:110],
        "datePublished": iso(published),
        "dateModified": iso(modified or published),
        "inLanguage": language,
        **present(description=description, author=list(authors), image=list(images),
                  publisher=publisher, keywords=list(keywords), wordCount=word_count,
                  video=list(videos),
                  workTranslation=[{"@type": "NewsArticle", "@id": other_url, "url": other_url,
                                    "inLanguage": other_language}
                                   for other_language, other_url in translations]),
    }


def faq_page(*, url: str, items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """`items` are (question text, answer HTML), exactly as shown on the page."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "@id": url + "#faq",
        "mainEntity": [
            {"@type": "Question", "name": question,
             "acceptedAnswer": {"@type": "Answer", "text": answer}}
            for question, answer in items
        ],
    }


def breadcrumb_list(trail: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """`trail` is (name, absolute URL) from the home page to the current page."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def website(*, name: str, url: str, description: str | None, language: str,
            publisher: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": name,
        "url": url,
        "inLanguage": language,
        **present(description=description, publisher=publisher),
    }


PAGE_TYPES = {"about": "AboutPage", "contact": "ContactPage"}


def web_page(*, url: str, name: str, description: str | None, language: str,
             page_type: str = "WebPage", site_url: str | None = None,
             modified: dt.datetime | None = None, images: Sequence[Any] = (),
             publisher: dict[str, Any] | None = None) -> dict[str, Any]:
    """A standalone page: WebPage, or AboutPage / ContactPage."""
    return {
        "@context": "https://schema.org",
        "@type": page_type,
        "@id": url,
        "url": url,
        "name": name,
        "inLanguage": language,
        **present(description=description,
                  isPartOf=site_url and {"@type": "WebSite", "url": site_url},
                  dateModified=modified and iso(modified),
                  primaryImageOfPage=images and images[0], publisher=publisher),
    }


def image_object(url: str, *, caption: str | None = None, credit: str | None = None,
                 creator: str | None = None, copyright_notice: str | None = None
                 ) -> dict[str, Any]:
    """A credited photo, as Google's image-metadata guidance reads it: `creditText`,
    `creator` and `copyrightNotice` (the credit stands in for what is not known)."""
    return {"@type": "ImageObject", "url": url, "contentUrl": url,
            **present(caption=caption), **credit_fields(credit, creator, copyright_notice)}


def credit_fields(credit: str | None, creator: str | None = None,
                  copyright_notice: str | None = None) -> dict[str, Any]:
    """`creditText`, `creator` and `copyrightNotice` of a credited photo or video (any
    CreativeWork); the credit stands in for what is not known."""
    name = creator or credit
    return present(creditText=credit, creator=name and {"@type": "Person", "name": name},
                   copyrightNotice=copyright_notice or credit)
