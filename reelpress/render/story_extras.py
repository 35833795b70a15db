"""What follows a story: related stories and plain share links (no third-party script,
no request until the reader clicks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from reelpress.render.article import Article

# The share URL patterns the networks document; `{url}` and `{title}` are percent-encoded.
SHARE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("Email", "mailto:?subject={title}&body={url}"),
    ("Bluesky", "https://bsky.app/intent/compose?text={title}%20{url}"),
    ("Mastodon", "https://mastodonshare.com/?text={title}&url={url}"),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    ("X", "https://x.com/intent/post?text={title}&url={url}"),
    ("WhatsApp", "https://wa.me/?text={title}%20{url}"),
)


def share_links(url: str, title: str) -> list[dict[str, str]]:
    quoted = {"url": quote(url, safe=""), "title": quote(title, safe="")}
    return [{"name": name, "link": pattern.format(**quoted)} for name, pattern in SHARE_PATTERNS]


def _english_date(moment: dt.datetime) -> str:
    return f"{moment.strftime('%B')} {moment.day}, {moment.year}"


def related_links(article: Article, link: Callable[[str], str],
                  display_date: Callable[[dt.datetime], str] = _english_date
                  ) -> list[dict[str, Any]]:
    """`display_date` formats in the page's language (render.i18n.PageLocale.date)."""
    return [{"title": story.title, "link": link(story.url_path),
             "date_iso": story.date.isoformat(timespec="seconds"),
             "date_display": display_date(story.date)}
            for story in article.related]


__all__ = ["SHARE_PATTERNS", "related_links", "share_links"]
