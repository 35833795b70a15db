"""`--timings`: per-stage CPU seconds of a real build, read back the way bench/run.py reads
them, and never a byte of the site."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from sitebuilder import REPO, article, run_cli, snapshot, write_site

_spec = importlib.util.spec_from_file_location("bench_stages", REPO / "bench" / "stages.py")
assert _spec is not None and _spec.loader is not None
stages = importlib.util.module_from_spec(_spec)
sys.modules["bench_stages"] = stages
_spec.loader.exec_module(stages)

BODY = "Intro with *emphasis* and a [link](https://example.org/).\n\n## Part\n\n- one\n- two\n"


def _site(root: Path) -> Path:
    # past the worker pool's threshold, so the workers' CPU is counted too
    files = {f"content/story-{n:03}.md": article(f"Story {n}", f"2025-0{1 + n % 6}-1{n % 9}",
                                                 BODY, tags="[alpha, beta]")
             for n in range(60)}
    return write_site(root, files)


def test_timings_table_names_every_stage_and_adds_up(tmp_path: Path) -> None:
    root = _site(tmp_path / "site")
    process = run_cli(root, "build", "-q", "--timings")
    assert process.returncode == 0, process.stderr
    table = stages.parse_stage_table(process.stdout)
    for name in ("load", "markdown", "media planning", "assemble", "article render",
                 "listings", "feeds", "sitemap", "write", "render overhead", "commit", "total"):
        assert name in table, (name, process.stdout)
    assert table["markdown"] > 0 and table["article render"] > 0 and table["feeds"] > 0
    parts = sum(value for name, value in table.items() if name != "total")
    assert parts <= table["total"] + 0.05, process.stdout  # rounding of 11 rows


def test_timings_change_no_output_byte(tmp_path: Path) -> None:
    plain = _site(tmp_path / "plain")
    timed = _site(tmp_path / "timed")
    assert run_cli(plain, "build", "-q").returncode == 0
    timed_run = run_cli(timed, "build", "-q", "--timings")
    assert timed_run.returncode == 0
    assert "stage" in timed_run.stdout

    def contents(root: Path) -> dict[str, bytes]:
        return {path: (root / "site" / path).read_bytes() for path in snapshot(root / "site")}

    assert contents(plain) == contents(timed)


def test_median_and_table_of_parsed_runs() -> None:
    runs = [{"load": 1.0, "markdown": 3.0, "total": 4.0},
            {"load": 2.0, "markdown": 1.0, "total": 3.0},
            {"load": 3.0, "markdown": 2.0, "total": 5.0}]
    medians = stages.median_stages(runs)
    assert medians == {"load": 2.0, "markdown": 2.0, "total": 4.0}
    text = stages.stage_table([{"size": 10, "cold_stages": medians}])
    assert "| markdown | 2.00 (50 %) |" in text and "| total | 4.00 |" in text
