"""Deterministic synthetic news corpus for the build benchmark.

    python bench/corpus.py OUT_DIR --articles N [--seed S] [--flavor reelpress|hugo|pelican]

Every flavor carries the same articles (same titles, dates, tags, FAQ and body
text), so reelpress, Hugo and Pelican do comparable work. Only the standard
library is used: the generator must run anywhere the benchmark runs.

Each article is drawn from its own `random.Random` seeded by (seed, index, corpus
size), so a run is byte-for-byte reproducible across machines and Python versions.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

FLAVORS = ("reelpress", "hugo", "pelican")
BODY_WORDS = (600, 900)
CODE_EVERY = 10  # every tenth article (index 0, 10, 20, ...) carries a fenced code block
CORPUS_START = datetime(2023, 1, 2, 6, 0)
CORPUS_DAYS = 3 * 365

TAGS = (
    "politics", "economy", "climate", "energy", "health", "science", "technology",
    "education", "housing", "transport", "culture", "music", "film", "books", "sport",
    "football", "cycling", "elections", "europe", "africa", "asia", "americas",
    "justice", "police", "migration", "labour", "agriculture", "food", "travel",
    "weather", "space", "ai", "privacy", "media", "business", "startups", "markets",
    "cities", "environment", "history",
)
AUTHORS = (
    "Amina Diallo", "Lucas Moreau", "Sofia Rossi", "Jonas Weber", "Chloé Martin",
    "Mateo García", "Hana Kobayashi", "Olivia Brown", "Yusuf Demir", "Ingrid Larsen",
    "Pierre Lefèvre", "Nadia Haddad",
)
NOUNS = (
    "council", "minister", "tram", "budget", "harbour", "festival", "school", "hospital",
    "river", "market", "court", "union", "farmer", "museum", "bridge", "station", "report",
    "survey", "vaccine", "satellite", "reactor", "stadium", "library", "factory", "port",
    "airport", "forest", "coast", "village", "district", "parliament", "senate", "mayor",
    "orchestra", "novel", "archive", "laboratory", "network", "platform", "election",
    "strike", "storm", "drought", "harvest", "exhibition", "league", "referee", "vote",
    "treaty", "summit", "bank", "currency", "price", "rent", "tenant", "landlord", "nurse",
    "teacher", "student", "driver", "pilot", "engineer", "researcher", "journalist",
    "witness", "judge", "lawyer", "company", "investor", "supplier", "ministry", "agency",
)
VERBS = (
    "approves", "rejects", "delays", "expands", "reviews", "questions", "announces",
    "cuts", "doubles", "restores", "opens", "closes", "funds", "blocks", "backs",
    "challenges", "revises", "publishes", "welcomes", "warns", "plans", "tests",
)
ADJECTIVES = (
    "new", "regional", "national", "local", "controversial", "long-awaited", "historic",
    "delayed", "costly", "cheaper", "greener", "rural", "urban", "coastal", "digital",
    "public", "private", "independent", "temporary", "permanent", "ambitious", "modest",
)
FILLER = (
    "the", "a", "of", "in", "on", "for", "with", "after", "before", "during", "while",
    "and", "but", "because", "although", "since", "as", "to", "from", "by", "at", "this",
    "that", "their", "its", "more", "less", "many", "several", "most", "some", "other",
    "said", "told", "added", "expected", "reported", "according", "officials", "residents",
    "year", "month", "week", "morning", "evening", "plan", "proposal", "decision", "talks",
    "figures", "data", "costs", "funding", "project", "service", "changes", "crisis",
    "growth", "decline", "support", "critics", "experts", "analysts", "people", "families",
)
QUESTION_STARTS = (
    "What does the", "Why did the", "When will the", "How much will the", "Who pays for the",
    "Where can readers find the", "Is the", "How does the",
)
EXTERNAL_SITES = (
    "https://www.example.org/reports/", "https://data.example.net/sets/",
    "https://news.example.com/world/", "https://archive.example.edu/items/",
)
CODE_SNIPPETS = (
    ("python", "import csv\n\nwith open(\"results.csv\") as handle:\n"
               "    rows = list(csv.DictReader(handle))\n"
               "print(sum(float(row[\"turnout\"]) for row in rows) / len(rows))"),
    ("sql", "SELECT district, COUNT(*) AS complaints\nFROM reports\n"
            "WHERE year = 2024\nGROUP BY district\nORDER BY complaints DESC;"),
    ("json", "{\n  \"station\": \"north\",\n  \"readings\": [12.5, 13.1, 12.9],\n"
             "  \"unit\": \"celsius\"\n}"),
    ("bash", "curl -s https://data.example.net/sets/prices.csv \\\n"
             "  | cut -d, -f2 \\\n  | sort -n | tail -n 5"),
)


@dataclass(frozen=True)
class FaqEntry:
    question: str
    answer_markdown: str


@dataclass(frozen=True)
class Article:
    """One article, independent of the flavor it is written for."""

    index: int
    slug: str
    title: str
    date: datetime
    has_time: bool
    author: str
    summary: str
    tags: tuple[str, ...]
    faq: tuple[FaqEntry, ...]
    blocks: tuple[str, ...]  # Markdown blocks; internal links are written as {link:slug}
    word_count: int


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def count_words(markdown: str) -> int:
    """Words of prose as a reader counts them: code blocks, link targets and markup left out."""
    without_code = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    without_targets = re.sub(r"\]\([^)]*\)", "]", without_code)
    return len(re.findall(r"[A-Za-z][A-Za-z'-]*", without_targets))


class _Writer:
    """Draws sentences, lists and links from one article's random stream."""

    def __init__(self, rng: random.Random, slugs: list[str], own_slug: str) -> None:
        self.rng = rng
        self.other_slugs = [s for s in slugs if s != own_slug] or [own_slug]

    def words(self, count: int) -> list[str]:
        pools = (FILLER, FILLER, NOUNS, VERBS, ADJECTIVES)
        return [self.rng.choice(self.rng.choice(pools)) for _ in range(count)]

    def sentence(self, count: int, decorate: bool = True) -> str:
        """A sentence of exactly `count` counted words, sometimes with emphasis or a link."""
        words = self.words(count)
        if decorate and count >= 6:
            roll = self.rng.random()
            start = self.rng.randrange(1, count - 3)
            if roll < 0.18:
                words[start] = f"*{words[start]}*"
            elif roll < 0.28:
                words[start] = f"**{words[start]}**"
            elif roll < 0.43:
                target = "{link:" + self.rng.choice(self.other_slugs) + "}"
                words[start : start + 2] = [f"[{words[start]} {words[start + 1]}]({target})"]
            elif roll < 0.53:
                site = self.rng.choice(EXTERNAL_SITES)
                ref = f"{site}{self.rng.randrange(1000, 99999)}"
                words[start : start + 2] = [f"[{words[start]} {words[start + 1]}]({ref})"]
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph(self, budget: int) -> str:
        sentences, left = [], budget
        while left > 0:
            size = min(left, self.rng.randint(8, 22))
            if 0 < left - size < 4:  # never leave a stub sentence of 1-3 words
                size = left
            sentences.append(self.sentence(size))
            left -= size
        return " ".join(sentences)

    def heading(self) -> tuple[str, int]:
        words = [self.rng.choice(ADJECTIVES), self.rng.choice(NOUNS), self.rng.choice(FILLER),
                 self.rng.choice(NOUNS)]
        text = " ".join(words)
        return "## " + text[0].upper() + text[1:], count_words(text)

    def bullet_list(self, numbered: bool) -> tuple[str, int]:
        items = [self.sentence(self.rng.randint(4, 12), decorate=False)
                 for _ in range(self.rng.randint(3, 5))]
        lines = [f"{n}. {item}" if numbered else f"- {item}" for n, item in enumerate(items, 1)]
        return "\n".join(lines), sum(count_words(item) for item in items)


def _title(rng: random.Random) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS), rng.choice(FILLER[:4]),
             rng.choice(ADJECTIVES), rng.choice(NOUNS)]
    return " ".join(word[0].upper() + word[1:] for word in words)


def _body(writer: _Writer, with_code: bool) -> tuple[tuple[str, ...], int]:
    """An intro, then 3-5 `##` sections; one bullet and one numbered list at least.

    Headings and lists are drawn first, then the paragraphs share the words left,
    so every body lands exactly on its target count.
    """
    rng = writer.rng
    target = rng.randint(*BODY_WORDS)
    section_count = rng.randint(3, 5)
    # each section: (heading, paragraph count, extra blocks placed after its first paragraph)
    extras: list[list[tuple[str, int]]] = [[] for _ in range(section_count)]
    extras[rng.randrange(section_count)].append(writer.bullet_list(numbered=False))
    extras[rng.randrange(section_count)].append(writer.bullet_list(numbered=True))
    if with_code:
        language, code = rng.choice(CODE_SNIPPETS)
        extras[rng.randrange(section_count)].append((f"```{language}\n{code}\n```", 0))
    headings = [writer.heading() for _ in range(section_count)]
    paragraph_counts = [rng.randint(1, 3) for _ in range(section_count)]
    fixed_words = sum(words for _, words in headings)
    fixed_words += sum(words for section in extras for _, words in section)
    paragraph_total = 1 + sum(paragraph_counts)  # plus the intro
    sizes = _split_words(rng, target - fixed_words, paragraph_total)
    blocks = [writer.paragraph(sizes.pop())]
    for (heading, _), count, section_extras in zip(headings, paragraph_counts, extras,
                                                   strict=True):
        blocks.append(heading)
        blocks.append(writer.paragraph(sizes.pop()))
        blocks.extend(text for text, _ in section_extras)
        blocks.extend(writer.paragraph(sizes.pop()) for _ in range(count - 1))
    return tuple(blocks), target


def _split_words(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split `total` words into `parts` paragraph sizes of uneven length, each >= 12."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    sizes = [12 + int((total - 12 * parts) * weight / sum(weights)) for weight in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def _faq(writer: _Writer) -> tuple[FaqEntry, ...]:
    rng = writer.rng
    entries = []
    for _ in range(rng.randint(3, 5)):
        question = (f"{rng.choice(QUESTION_STARTS)} {rng.choice(ADJECTIVES)} "
                    f"{rng.choice(NOUNS)} {rng.choice(VERBS).rstrip('s')}?")
        answer = writer.paragraph(rng.randint(15, 40))
        if rng.random() < 0.3:
            answer += "\n\n" + writer.bullet_list(numbered=False)[0]
        entries.append(FaqEntry(question, answer))
    return tuple(entries)


def build_corpus(articles: int, seed: int = 1) -> list[Article]:
    """The articles of one corpus; the same (articles, seed) always gives the same list."""
    heads = []
    for index in range(articles):
        rng = random.Random(f"reelpress-bench:{seed}:{articles}:{index}")
        title = _title(rng)
        heads.append((rng, title, f"{slugify(title)}-{index:05d}"))
    slugs = [slug for _, _, slug in heads]
    corpus = []
    for index, (rng, title, slug) in enumerate(heads):
        date = CORPUS_START + timedelta(days=rng.randrange(CORPUS_DAYS))
        has_time = rng.random() < 0.6
        if has_time:
            date = date.replace(hour=rng.randrange(6, 23), minute=rng.randrange(60))
        writer = _Writer(rng, slugs, slug)
        tag_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(TAGS))]
        tags: list[str] = []
        tag_count = rng.randint(2, 3)
        while len(tags) < tag_count:
            tag = rng.choices(TAGS, weights=tag_weights)[0]
            if tag not in tags:
                tags.append(tag)
        summary = writer.sentence(rng.randint(14, 26), decorate=False)
        faq = _faq(writer)
        blocks, words = _body(writer, with_code=index % CODE_EVERY == 0)
        corpus.append(Article(index, slug, title, date, has_time, rng.choice(AUTHORS), summary,
                              tuple(tags), faq, blocks, words))
    return corpus


# ---------------------------------------------------------------- writers per flavor

def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _yaml_block(text: str, indent: str) -> str:
    return "|\n" + "\n".join(indent + line if line else "" for line in text.split("\n"))


def _date_text(article: Article, sep: str = " ") -> str:
    if article.has_time:
        return article.date.strftime(f"%Y-%m-%d{sep}%H:%M:%S")
    return article.date.strftime("%Y-%m-%d")


def _resolve_links(markdown: str, link_format: str) -> str:
    return re.sub(r"\{link:([a-z0-9-]+)\}", lambda m: link_format.format(slug=m.group(1)), markdown)


def _body_text(article: Article, link_format: str) -> str:
    return _resolve_links("\n\n".join(article.blocks), link_format)


def _yaml_front_matter(article: Article, date_sep: str, link_format: str) -> str:
    lines = [
        "---",
        f"title: {_yaml_str(article.title)}",
        f"date: {_date_text(article, date_sep)}",
        f"author: {_yaml_str(article.author)}",
        f"summary: {_yaml_str(article.summary)}",
        "tags: [" + ", ".join(article.tags) + "]",
        "faq:",
    ]
    for entry in article.faq:
        lines.append(f"  - q: {_yaml_str(entry.question)}")
        answer = _resolve_links(entry.answer_markdown, link_format)
        lines.append(f"    a: {_yaml_block(answer, '      ')}")
    lines.append("---")
    return "\n".join(lines)


def reelpress_article(article: Article) -> str:
    link = "{slug}.md"
    return _yaml_front_matter(article, " ", link) + "\n\n" + _body_text(article, link) + "\n"


def hugo_article(article: Article) -> str:
    link = "/posts/{slug}/"
    return _yaml_front_matter(article, "T", link) + "\n\n" + _body_text(article, link) + "\n"


def pelican_article(article: Article) -> str:
    """Pelican metadata cannot nest, so the FAQ becomes a section of the body."""
    date = article.date.strftime("%Y-%m-%d %H:%M" if article.has_time else "%Y-%m-%d")
    meta = [f"Title: {article.title}", f"Date: {date}", f"Author: {article.author}",
            f"Summary: {article.summary}", "Tags: " + ", ".join(article.tags),
            f"Slug: {article.slug}"]
    link = "{{filename}}/{slug}.md"
    faq = ["## Frequently asked questions"]
    for entry in article.faq:
        faq.append(f"**{entry.question}**")
        faq.append(_resolve_links(entry.answer_markdown, link))
    body = _body_text(article, link)
    return "\n".join(meta) + "\n\n" + body + "\n\n" + "\n\n".join(faq) + "\n"


SITE_TITLE = "Reelpress Bench Daily"
SITE_TOML = f"""title = "{SITE_TITLE}"
base_url = "https://example.org/"
language = "en"
timezone = "Europe/Paris"

[search]
enabled = false  # Hugo and Pelican index nothing either: bench/search_cost.py measures it
"""
HUGO_CONFIG = f"""baseURL = "https://example.org/"
languageCode = "en"
title = "{SITE_TITLE}"
timeZone = "Europe/Paris"
disableKinds = []
"""
HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="{{ .Site.LanguageCode }}">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify }}"></head>
<body>
<header><a href="{{ .Site.BaseURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date.Format "2 January 2006" }}</time> by {{ .Params.author }}</p>
<ul class="tags">{{ range .Params.tags }}
<li><a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>
{{ .Content }}
{{ with .Params.faq }}<section class="faq"><h2>Frequently asked questions</h2><dl>
{{ range . }}<dt>{{ .q }}</dt><dd>{{ .a | markdownify }}</dd>
{{ end }}</dl></section>{{ end }}
</article>
{{ end }}
""",
    "list.html": """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="articles">
{{ range .Pages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary }}</p></li>
{{ end }}</ul>
{{ end }}
""",
}
PELICAN_CONF = f"""AUTHOR = "Reelpress Bench"
SITENAME = "{SITE_TITLE}"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = False
RELATIVE_URLS = True
"""


def write_corpus(out_dir: Path, articles: int, seed: int = 1, flavor: str = "reelpress") -> int:
    """Write one flavor of the corpus into `out_dir`, replacing its content/; returns the count."""
    if flavor not in FLAVORS:
        raise ValueError(f"unknown flavor {flavor!r} (choose from {', '.join(FLAVORS)})")
    corpus = build_corpus(articles, seed)
    content_dir = out_dir / "content"
    if content_dir.exists():
        shutil.rmtree(content_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if flavor == "reelpress":
        (out_dir / "site.toml").write_text(SITE_TOML, encoding="utf-8")
        target, render = content_dir, reelpress_article
    elif flavor == "hugo":
        (out_dir / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
        layouts = out_dir / "layouts" / "_default"
        layouts.mkdir(parents=True, exist_ok=True)
        for name, text in HUGO_LAYOUTS.items():
            (layouts / name).write_text(text, encoding="utf-8")
        target, render = content_dir / "posts", hugo_article
    else:
        (out_dir / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
        target, render = content_dir, pelican_article
    target.mkdir(parents=True, exist_ok=True)
    for article in corpus:
        (target / f"{article.slug}.md").write_text(render(article), encoding="utf-8")
    return len(corpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--flavor", choices=FLAVORS, default="reelpress")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    count = write_corpus(args.out_dir, args.articles, args.seed, args.flavor)
    print(f"wrote {count} {args.flavor} articles to {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
