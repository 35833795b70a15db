"""Related stories under each article: others sharing a tag, newest first.

The choice reads one small record per article (`Candidate`: its path, date, tag slugs and
what a link to it shows), so a caller can key it by those records alone: an edit of an
article's body leaves them, and so the choice, as they were."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from reelpress.core.languages import slugify
from reelpress.render.article import Article, RelatedStory


@dataclass(frozen=True)
class Candidate:
    """What choosing related stories reads of one article."""

    rel: str
    date: dt.datetime
    tags: tuple[str, ...]  # slugs, each once, in the article's order
    story: RelatedStory    # what the link under another article shows


def candidate_of(article: Article) -> Candidate | None:
    """What the choice reads of one article; none for pages and untagged stories."""
    if article.is_page or not article.meta.tags:
        return None
    return Candidate(article.source.rel, article.date,
                     tuple(dict.fromkeys(slugify(t) for t in article.meta.tags)),
                     RelatedStory(article.meta.title, article.url_path, article.date))


def candidates(articles: Sequence[Article]) -> tuple[Candidate, ...]:
    """The stories (pages are never related) with a tag."""
    return tuple(c for a in articles if (c := candidate_of(a)) is not None)


def related_stories(stories: tuple[Candidate, ...], count: int
                    ) -> dict[str, tuple[RelatedStory, ...]]:
    """Each story's up to `count` others sharing one of its tags, newest first (ties: by
    path), by the story's path; stories with none are left out."""
    if count < 1:
        return {}
    newest_first = sorted(stories, key=lambda c: (c.date, c.rel), reverse=True)
    by_tag: dict[str, list[Candidate]] = defaultdict(list)
    for story in newest_first:
        for tag in story.tags:
            by_tag[tag].append(story)
    rank = {story.rel: index for index, story in enumerate(newest_first)}
    chosen: dict[str, tuple[RelatedStory, ...]] = {}
    for story in stories:
        found: dict[str, Candidate] = {}
        for tag in story.tags:
            taken = 0
            for other in by_tag[tag]:  # newest first: the first `count` others suffice
                if other.rel == story.rel:
                    continue
                found[other.rel] = other
                taken += 1
                if taken == count:
                    break
        if found:
            best = sorted(found.values(), key=lambda c: rank[c.rel])[:count]
            chosen[story.rel] = tuple(c.story for c in best)
    return chosen


def with_related(articles: Sequence[Article], related: dict[str, tuple[RelatedStory, ...]]
                 ) -> list[Article]:
    """The articles (order kept) with their related stories filled in."""
    return [dataclasses.replace(a, related=related[a.source.rel])
            if related.get(a.source.rel, a.related) != a.related else a for a in articles]
