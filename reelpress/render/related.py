"""Related stories under each article: others sharing a tag, newest first."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence

from reelpress.core.languages import slugify
from reelpress.render.article import Article, RelatedStory


def with_related(articles: Sequence[Article], count: int) -> list[Article]:
    """Each story gets up to `count` others sharing one of its tags, newest first (ties:
    by path); pages get none. `articles` may come in any order."""
    if count < 1:
        return list(articles)
    newest_first = sorted((a for a in articles if not a.is_page),
                          key=lambda a: (a.date, a.source.rel), reverse=True)
    by_tag: dict[str, list[Article]] = defaultdict(list)
    for article in newest_first:
        for tag in dict.fromkeys(slugify(t) for t in article.meta.tags):
            by_tag[tag].append(article)
    rank = {article.source.rel: index for index, article in enumerate(newest_first)}
    result: list[Article] = []
    for article in articles:
        if article.is_page or not article.meta.tags:
            result.append(article)
            continue
        candidates: dict[str, Article] = {}
        for tag in dict.fromkeys(slugify(t) for t in article.meta.tags):
            taken = 0
            for other in by_tag[tag]:  # newest first: the first `count` others suffice
                if other.source.rel == article.source.rel:
                    continue
                candidates[other.source.rel] = other
                taken += 1
                if taken == count:
                    break
        chosen = sorted(candidates.values(), key=lambda a: rank[a.source.rel])[:count]
        related = tuple(RelatedStory(a.meta.title, a.url_path, a.date) for a in chosen)
        result.append(dataclasses.replace(article, related=related) if related else article)
    return result
