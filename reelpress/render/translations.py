"""Which articles are translations of each other.

Two ways to say it: the same `translation_key:` in their front matter, or the same path
under language folders (`content/en/paris.md` and `content/fr/paris.md`; a file outside
any language folder, `content/paris.md`, pairs with them too, in the site's language).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePosixPath

from reelpress.content.loader import folder_language
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Diagnostic, Reporter, warning
from reelpress.render.article import Article, Translation


def _group_key(article: Article) -> tuple[str, str]:
    meta = article.meta
    if meta.translation_key:
        return ("key", meta.translation_key)
    rel_to_content = article.source.rel.partition("/")[2]  # 'content/fr/paris.md'
    folder, _, rest = rel_to_content.partition("/")
    if rest and folder_language(PurePosixPath(folder, rest)) is not None:
        return ("path", rest)
    return ("path", rel_to_content)


def translation_groups(articles: Sequence[Article], site_language: str
                       ) -> tuple[dict[str, tuple[Translation, ...]], list[Diagnostic]]:
    """URL path -> every language version of that story (site language first), for the
    articles that have at least one other language."""
    groups: dict[tuple[str, str], list[Article]] = defaultdict(list)
    for article in sorted(articles, key=lambda a: a.source.rel):
        groups[_group_key(article)].append(article)
    found: dict[str, tuple[Translation, ...]] = {}
    problems: list[Diagnostic] = []
    for (kind, _), members in groups.items():
        by_language: dict[str, Article] = {}
        for article in members:
            lang = article.meta.lang or site_language
            other = by_language.get(lang)
            if other is None:
                by_language[lang] = article
            elif kind == "key":
                problems.append(warning(article.source.rel, None,
                                        f"translation_key {article.meta.translation_key!r}: "
                                        f"{other.source.rel} is already the '{lang}' version",
                                        "give each language one article"))
        if len(by_language) < 2:
            continue
        versions = tuple(Translation(lang, a.url_path, a.meta.title) for lang, a in sorted(
            by_language.items(), key=lambda item: (item[0] != site_language, item[0])))
        for article in by_language.values():
            found[article.url_path] = versions
    return found, problems


def link_translations(articles: list[Article], config: SiteConfig, reporter: Reporter
                      ) -> list[Article]:
    """The articles with their `translations` filled in (order kept)."""
    groups, problems = translation_groups(articles, config.language)
    reporter.extend(problems)
    return [dataclasses.replace(a, translations=groups[a.url_path]) if a.url_path in groups
            else a for a in articles]
