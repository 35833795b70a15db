"""What search indexing (Pagefind) adds to a cold build, and proof that a no-op rebuild
does not run the indexer, through the real CLI on the benchmark corpus.

    python bench/search_cost.py [--sizes 1000,5000] [--runs 3]

Per size and run, alternately: a cold build with `[search] enabled = false` and a cold
build with search on (the indexer is the real Pagefind binary behind a wrapper that
logs each run); then, with search on, a no-op rebuild and a one-article edit. Prints a
Markdown table and writes bench/results/search.json and search.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

import measure
from run import APPENDED_SENTENCE, REPO_DIR, RESULTS_DIR, WORK_DIR, ensure_corpus

sys.path.insert(0, str(REPO_DIR))
from reelpress.output.search import SearchSettings, find_indexer  # noqa: E402


def wrapper_for(log: Path, folder: Path) -> Path:
    """The real indexer behind a script that counts its runs in `log`."""
    real = find_indexer(SearchSettings())
    if real is None:
        raise SystemExit("no Pagefind indexer: pip install 'pagefind[bin]'")
    wrapper = folder / "pagefind-counting"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


def workspace(pristine: Path, root: Path, search: str) -> Path:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(pristine, root, ignore=shutil.ignore_patterns(".bench-stamp"))
    with open(root / "site.toml", "a", encoding="utf-8") as config:
        config.write(f"\n[search]\n{search}\n")
    return root


def build(root: Path) -> measure.Measurement:
    command = [sys.executable, str(REPO_DIR / "build.py"), "build", "--root", str(root), "-q"]
    result = measure.run_measured(command, cwd=REPO_DIR)
    if result.returncode != 0:
        raise SystemExit(f"build failed in {root}:\n{result.output_tail}")
    return result


def runs_logged(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.is_file() else 0


def measure_size(size: int, runs: int, seed: int) -> dict:
    pristine = ensure_corpus(size, seed, "reelpress")
    base = WORK_DIR / "search"
    base.mkdir(parents=True, exist_ok=True)
    log = base / f"indexer-{size}.log"
    wrapper = wrapper_for(log, base)
    samples: dict[str, list[float]] = {"cold_off": [], "cold_on": [], "noop_on": [],
                                       "edit_on": [], "cold_off_cpu": [], "cold_on_cpu": []}
    indexer_runs = {"cold": 0, "noop": 0, "edit": 0}
    index_bytes = 0
    for _ in range(runs):
        off = workspace(pristine, base / f"off-{size}", "enabled = false")
        result = build(off)
        samples["cold_off"].append(result.wall_s)
        samples["cold_off_cpu"].append(result.cpu_s)
        shutil.rmtree(off)
        on = workspace(pristine, base / f"on-{size}", f'command = "{wrapper}"')
        log.unlink(missing_ok=True)
        result = build(on)
        samples["cold_on"].append(result.wall_s)
        samples["cold_on_cpu"].append(result.cpu_s)
        indexer_runs["cold"] = runs_logged(log)
        index_bytes = sum(p.stat().st_size for p in (on / "site/pagefind").rglob("*")
                          if p.is_file())
        samples["noop_on"].append(build(on).wall_s)
        indexer_runs["noop"] = runs_logged(log) - indexer_runs["cold"]
        article = sorted((on / "content").glob("*.md"))[size // 2]
        with open(article, "a", encoding="utf-8") as handle:
            handle.write(APPENDED_SENTENCE)
        samples["edit_on"].append(build(on).wall_s)
        indexer_runs["edit"] = runs_logged(log) - indexer_runs["cold"] - indexer_runs["noop"]
        shutil.rmtree(on)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    return {"size": size, "runs": runs, "medians": medians, "samples": samples,
            "indexer_runs_last": indexer_runs, "index_mib": index_bytes / 2**20,
            "added_wall_s": medians["cold_on"] - medians["cold_off"],
            "added_cpu_s": medians["cold_on_cpu"] - medians["cold_off_cpu"]}


def markdown(results: list[dict]) -> str:
    lines = ["| articles | cold, search off (wall s) | cold, search on (wall s) | added wall s "
             "| added CPU s | index MiB | no-op wall s | indexer runs: cold / no-op / one edit |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        m, runs = r["medians"], r["indexer_runs_last"]
        lines.append(f"| {r['size']} | {m['cold_off']:.2f} | {m['cold_on']:.2f} | "
                     f"{r['added_wall_s']:+.2f} | {r['added_cpu_s']:+.2f} | {r['index_mib']:.1f} "
                     f"| {m['noop_on']:.2f} | {runs['cold']} / {runs['noop']} / {runs['edit']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = [measure_size(int(size), args.runs, args.seed) for size in args.sizes.split(",")]
    table = markdown(results)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "search.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS_DIR / "search.md").write_text("## Search indexing cost (medians)\n\n" + table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
