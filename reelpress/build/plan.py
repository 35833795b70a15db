"""Every output of the site planned as data (`render/site_pages`), each section planned
again only when what it reads changed: a page's spec from its article, the listings
from the teasers, a sitemap entry from its article. In a preview, an edit re-plans the
sections its records reach; a CLI build plans everything once."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from reelpress.build.digest import digest
from reelpress.build.memo import ResidentGraph
from reelpress.render.article import Article
from reelpress.render.outputs import OutputSpec
from reelpress.render.pages import pages_of, stories_of
from reelpress.render.search_pages import search_languages
from reelpress.render.site_pages import (
    article_spec,
    feed_specs,
    listing_specs,
    sitemap_entries,
    sitemap_entry,
    sitemap_specs,
    tag_index,
)
from reelpress.render.views import SiteView


@dataclass(frozen=True)
class SitePlan:
    specs: list[OutputSpec]
    site_key: str  # the digest of the code and of everything the site's views share


def plan_site(everything: Sequence[Article], site: SiteView, code: str,
              resident: ResidentGraph) -> SitePlan:
    site_key = sys.intern(digest(code, site))  # one object from build to build: `is` holds
    teasers = resident.teasers_of(everything)
    stories = tuple(teaser for teaser in teasers if not teaser.is_page)
    articles = stories_of(everything)
    config = site.config
    tags = resident.tag_index.get("", (site_key, stories),
                                 lambda _: tag_index(stories, config.slug_style))
    languages = tuple(search_languages((t.lang for t in teasers), config.language)) \
        if config.search.enabled else ()
    specs = [resident.page_specs.get(a.source.rel, a, article_spec) for a in everything]
    specs += resident.listings.get("", (site_key, stories, tags, languages),
                                   lambda _: listing_specs(stories, tags, languages, site))
    specs += feed_specs(articles, stories, tags, site)
    entries = tuple(resident.sitemap_entries.get(a.source.rel, (site_key, a),
                                         lambda source: sitemap_entry(site, source[1]))
                    for a in articles)
    specs += sitemap_specs(sitemap_entries(site, entries, tags.updated, tags.names,
                                           pages_of(everything)), site)
    return SitePlan(specs, site_key)
