"""The benchmark's corpus generator: deterministic, and shaped like the issue's corpus."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS_SCRIPT = REPO / "bench" / "corpus.py"
ARTICLES = 50


def generate(out_dir: Path, *extra: str, articles: int = ARTICLES) -> Path:
    subprocess.run(
        [sys.executable, str(CORPUS_SCRIPT), str(out_dir), "--articles", str(articles), *extra],
        check=True, capture_output=True, text=True,
    )
    return out_dir


def tree_digest(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file()
    }


def split_front_matter(text: str) -> tuple[dict, str]:
    match = re.match(r"---\n(.*?)\n---\n", text, flags=re.S)
    assert match, "article does not start with a YAML front matter block"
    return yaml.safe_load(match.group(1)), text[match.end():]


def prose_words(markdown: str) -> int:
    without_code = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    without_targets = re.sub(r"\]\([^)]*\)", "]", without_code)
    return len(re.findall(r"[A-Za-z][A-Za-z'-]*", without_targets))


@pytest.fixture(scope="module")
def reelpress_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("corpus") / "site")


def load_articles(root: Path) -> dict[str, tuple[dict, str]]:
    return {path.stem: split_front_matter(path.read_text("utf-8"))
            for path in sorted((root / "content").glob("*.md"))}


def test_same_seed_gives_identical_files(reelpress_corpus: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again")
    assert tree_digest(again) == tree_digest(reelpress_corpus)


def test_other_seed_gives_other_articles(reelpress_corpus: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", "--seed", "2")
    assert set(tree_digest(other)) != set(tree_digest(reelpress_corpus))


def test_site_toml_has_the_documented_keys(reelpress_corpus: Path) -> None:
    config = tomllib.loads((reelpress_corpus / "site.toml").read_text("utf-8"))
    assert set(config) == {"title", "base_url", "language", "timezone", "search"}
    assert config["search"] == {"enabled": False}  # Hugo and Pelican index nothing either
    assert config["base_url"].startswith("https://") and config["timezone"] == "Europe/Paris"


def test_front_matter_has_the_promised_fields(reelpress_corpus: Path) -> None:
    articles = load_articles(reelpress_corpus)
    assert len(articles) == ARTICLES
    all_tags: set[str] = set()
    for name, (meta, _body) in articles.items():
        assert set(meta) == {"title", "date", "author", "summary", "tags", "faq"}, name
        assert isinstance(meta["date"], (date, datetime))
        assert 2 <= len(meta["tags"]) <= 3 and len(set(meta["tags"])) == len(meta["tags"])
        assert 3 <= len(meta["faq"]) <= 5
        for item in meta["faq"]:
            assert set(item) == {"q", "a"}
            assert item["q"].endswith("?") and prose_words(item["a"]) >= 10
        all_tags.update(meta["tags"])
    assert 15 <= len(all_tags) <= 40


def test_dates_spread_over_about_three_years_some_with_times(reelpress_corpus: Path) -> None:
    dates = [meta["date"] for meta, _ in load_articles(reelpress_corpus).values()]
    with_time = [d for d in dates if isinstance(d, datetime)]
    assert 0 < len(with_time) < len(dates)
    days = [d.date() if isinstance(d, datetime) else d for d in dates]
    assert (max(days) - min(days)).days > 700


def test_bodies_have_600_to_900_words_and_news_markup(reelpress_corpus: Path) -> None:
    slugs = {path.stem for path in (reelpress_corpus / "content").glob("*.md")}
    for name, (_meta, body) in load_articles(reelpress_corpus).items():
        assert 600 <= prose_words(body) <= 900, name
        assert re.search(r"^## \S", body, flags=re.M), name
        assert re.search(r"^- \S", body, flags=re.M), name
        assert re.search(r"^1\. \S", body, flags=re.M), name
        assert re.search(r"(?<!\*)\*[^*\s][^*]*\*(?!\*)|\*\*[^*]+\*\*", body), name
        targets = re.findall(r"\]\(([^)]+)\)", body)
        internal = [t for t in targets if not t.startswith("https://")]
        assert all(t.removesuffix(".md") in slugs for t in internal), name


def test_code_block_in_every_tenth_article(reelpress_corpus: Path) -> None:
    for name, (_meta, body) in load_articles(reelpress_corpus).items():
        index = int(name.rsplit("-", 1)[1])
        assert (body.count("```") == 2) == (index % 10 == 0), name


def test_links_reach_other_articles_and_external_sites(reelpress_corpus: Path) -> None:
    bodies = "\n".join(body for _meta, body in load_articles(reelpress_corpus).values())
    assert len(re.findall(r"\]\([a-z0-9-]+\.md\)", bodies)) > ARTICLES
    assert len(re.findall(r"\]\(https://", bodies)) > ARTICLES // 2


def test_hugo_flavor_carries_the_same_articles(reelpress_corpus: Path, tmp_path: Path) -> None:
    hugo = generate(tmp_path / "hugo", "--flavor", "hugo")
    assert tomllib.loads((hugo / "config.toml").read_text("utf-8"))["baseURL"]
    for layout in ("baseof.html", "single.html", "list.html"):
        assert (hugo / "layouts" / "_default" / layout).is_file()
    single = (hugo / "layouts" / "_default" / "single.html").read_text("utf-8")
    assert ".Params.faq" in single and ".Content" in single and ".Params.tags" in single
    ours = load_articles(reelpress_corpus)
    for path in sorted((hugo / "content" / "posts").glob("*.md")):
        meta, body = split_front_matter(path.read_text("utf-8"))
        our_meta, our_body = ours[path.stem]
        assert meta["title"] == our_meta["title"] and meta["tags"] == our_meta["tags"]
        assert prose_words(body) == prose_words(our_body)
        assert "](/posts/" in body and ".md)" not in body
    assert len(list((hugo / "content" / "posts").glob("*.md"))) == ARTICLES


def test_pelican_flavor_has_pelican_metadata(reelpress_corpus: Path, tmp_path: Path) -> None:
    pelican = generate(tmp_path / "pelican", "--flavor", "pelican")
    assert "PATH = " in (pelican / "pelicanconf.py").read_text("utf-8")
    ours = load_articles(reelpress_corpus)
    for path in sorted((pelican / "content").glob("*.md")):
        head, body = path.read_text("utf-8").split("\n\n", 1)
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        assert set(meta) == {"Title", "Date", "Author", "Summary", "Tags", "Slug"}
        assert meta["Title"] == ours[path.stem][0]["title"]
        assert meta["Tags"].split(", ") == ours[path.stem][0]["tags"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:\d\d)?", meta["Date"])
        assert "](" in body and "{filename}/" in body and "Frequently asked questions" in body


def test_unknown_flavor_is_refused_with_a_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(CORPUS_SCRIPT), str(tmp_path), "--flavor", "jekyll"],
        capture_output=True, text=True,
    )
    assert result.returncode == 2 and "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr
