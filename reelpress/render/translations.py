"""Which articles are translations of each other.

Two ways to say it: the same `translation_key:` in their front matter, or the same path
under language folders (`content/en/paris.md` and `content/fr/paris.md`; a file outside
any language folder, `content/paris.md`, pairs with them too, in the site's language).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from reelpress.content.loader import folder_language
from reelpress.core.diagnostics import Diagnostic, warning
from reelpress.render.article import Article, Translation


@dataclass(frozen=True)
class Version:
    """What grouping translations reads of one article."""

    rel: str
    group: tuple[str, str]  # ('key', translation_key) or ('path', path under language folders)
    lang: str | None
    translation_key: str | None
    url_path: str
    title: str


def version_of(article: Article) -> Version:
    return Version(article.source.rel, _group_key(article), article.meta.lang,
                   article.meta.translation_key, article.url_path, article.meta.title)


def _group_key(article: Article) -> tuple[str, str]:
    meta = article.meta
    if meta.translation_key:
        return ("key", meta.translation_key)
    rel_to_content = article.source.rel.partition("/")[2]  # 'content/fr/paris.md'
    folder, _, rest = rel_to_content.partition("/")
    if rest and folder_language(PurePosixPath(folder, rest)) is not None:
        return ("path", rest)
    return ("path", rel_to_content)


def translation_groups(versions: Sequence[Version], site_language: str
                       ) -> tuple[dict[str, tuple[Translation, ...]], list[Diagnostic]]:
    """URL path -> every language version of that story (site language first), for the
    articles that have at least one other language."""
    groups: dict[tuple[str, str], list[Version]] = defaultdict(list)
    for version in sorted(versions, key=lambda v: v.rel):
        groups[version.group].append(version)
    found: dict[str, tuple[Translation, ...]] = {}
    problems: list[Diagnostic] = []
    for (kind, _), members in groups.items():
        by_language: dict[str, Version] = {}
        for version in members:
            lang = version.lang or site_language
            other = by_language.get(lang)
            if other is None:
                by_language[lang] = version
            elif kind == "key":
                problems.append(warning(version.rel, None,
                                        f"translation_key {version.translation_key!r}: "
                                        f"{other.rel} is already the '{lang}' version",
                                        "give each language one article"))
        if len(by_language) < 2:
            continue
        versions_found = tuple(Translation(lang, v.url_path, v.title) for lang, v in sorted(
            by_language.items(), key=lambda item: (item[0] != site_language, item[0])))
        for version in by_language.values():
            found[version.url_path] = versions_found
    return found, problems


def with_translations(article: Article, translations: tuple[Translation, ...] | None
                      ) -> Article:
    """The article with its other-language versions (none: as it was)."""
    if translations is None:
        return article
    return dataclasses.replace(article, translations=translations)
