"""The sample sites under tests/sites/ built with `python build.py` in a subprocess.

Each `invalid/<case>/` holds a broken site and a `case.toml` with the arguments, the exit
code and every line `build.py` must print for it (one line per problem, file and line).
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from sitebuilder import assert_no_traceback, problem_lines, read_page, run_cli

SITES = Path(__file__).parent / "sites"
INVALID = sorted(p.name for p in (SITES / "invalid").iterdir() if (p / "case.toml").is_file())


def copy_site(name: str, tmp_path: Path) -> Path:
    """Build a copy: a build writes site/ and a cache next to the sources."""
    root = tmp_path / Path(name).name
    shutil.copytree(SITES / name, root, ignore=shutil.ignore_patterns("case.toml"))
    return root


def test_every_invalid_case_is_collected() -> None:
    assert len(INVALID) >= 15


@pytest.mark.parametrize("case", INVALID)
def test_invalid_site_reports_each_problem(case: str, tmp_path: Path) -> None:
    spec = tomllib.loads((SITES / "invalid" / case / "case.toml").read_text(encoding="utf-8"))
    root = copy_site(f"invalid/{case}", tmp_path)
    process = run_cli(root, "build", *spec["args"])
    assert_no_traceback(process)
    assert process.returncode == spec["exit_code"], process.stderr
    expected = [line.replace("{root}", str(root)) for line in spec["messages"]]
    assert sorted(problem_lines(process.stderr)) == sorted(expected)
    if spec["exit_code"]:
        assert process.stderr.rstrip().splitlines()[-1].startswith("build failed:")
        assert not (root / "site").exists()
    else:
        assert (root / "site" / "index.html").is_file()


def test_minimal_site(tmp_path: Path) -> None:
    root = copy_site("minimal", tmp_path)
    process = run_cli(root, "build")
    assert process.returncode == 0, process.stderr
    assert process.stderr == ""
    assert process.stdout.startswith("built ")
    page = read_page(root / "site", "hello/index.html")
    assert page.find("h1").text() == "Hello, world"
    assert page.find("div", class_="article__body").find("strong").text() == "Minimal Times"
    [news] = page.jsonld_of("NewsArticle")
    assert news["datePublished"] == "2025-01-15T00:00:00+00:00"  # timezone defaults to UTC
    assert news["publisher"] == {"@type": "Organization", "name": "Minimal Times",
                                 "url": "https://example.org/"}
    assert "author" not in news  # no author anywhere: none invented
    home = read_page(root / "site", "index.html")
    assert [a.text() for a in home.find_all("h2", class_="card__title")] == ["Hello, world"]
    for rel in ("404.html", "archive/index.html", "tags/index.html", "feed.xml", "rss.xml",
                "feed.json", "sitemap.xml", "robots.txt"):
        assert (root / "site" / rel).is_file(), rel


def test_quiet_build_prints_nothing(tmp_path: Path) -> None:
    root = copy_site("minimal", tmp_path)
    process = run_cli(root, "build", "-q")
    assert (process.returncode, process.stdout, process.stderr) == (0, "", "")


def test_faq_sample_site(tmp_path: Path) -> None:
    root = copy_site("faq", tmp_path)
    process = run_cli(root, "build")
    assert process.returncode == 0, process.stderr
    page = read_page(root / "site", "ferry-strike/index.html")
    [faq] = page.jsonld_of("FAQPage")
    questions = [q["name"] for q in faq["mainEntity"]]
    assert questions == ["When do the ferries run again?", "Are tickets refunded?",
                         "What did the crews get?", "Will there be more strikes?",
                         "Who mediated?"]
    visible = [s.text() for s in page.find_all("summary", class_="faq__question")]
    assert visible == questions
    [news] = page.jsonld_of("NewsArticle")
    assert news["author"] == [{"@type": "Person", "name": "Ana Lima"}]
    assert news["datePublished"] == "2025-04-10T18:00:00+02:00"
