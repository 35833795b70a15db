"""Which link destinations name another Markdown file of the site (`../2024/story.md#faq`):
resolved to that page's URL once every page's URL is known."""

from __future__ import annotations

import re

_SOURCE_LINK = re.compile(r"^(?![a-z][a-z0-9+.-]*:|//|/|#)[^?#]*\.md(?:#[^?]*)?$", re.IGNORECASE)


def is_source_link(href: str) -> bool:
    """A relative link to another Markdown file of the site."""
    return bool(_SOURCE_LINK.match(href))
