"""Build-speed benchmark of reelpress, through the real CLI, optionally against Hugo and Pelican.

    python bench/run.py [--sizes 1000,5000] [--runs 5] [--compare]

For each size: generate the corpus once (bench/work/corpus/), then per run copy it
to a fresh directory and time, in order: a cold build, a no-op rebuild, an edit of
one article's body, an override of the article template, and an edit of site.toml.
Prints a Markdown table and writes bench/results/latest.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import corpus
import measure
import stages
from compare_tools import compare_tools, tool_table

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work"
RESULTS_DIR = BENCH_DIR / "results"
SCENARIOS = ("cold", "noop", "edit_body", "edit_title", "edit_template", "edit_config")
# Targets from the issue, stated for 5,000 articles.
TARGETS = {
    "cold_cpu_s": 12.5,  # issue 15: 2.5 ms of CPU per article
    "cold_peak_mib": 200.0,
    "noop_wall_s": 0.2,
    "edit_body_wall_s": 0.3,
}
APPENDED_SENTENCE = "\n\nThe benchmark appended this sentence to measure an incremental build.\n"


def ensure_corpus(size: int, seed: int, flavor: str) -> Path:
    """Generate a corpus once per (size, seed, flavor, generator version)."""
    stamp_text = f"{size}:{seed}:{flavor}:{_file_digest(Path(corpus.__file__))}"
    target = WORK_DIR / "corpus" / f"{flavor}-{size}-s{seed}"
    stamp = target / ".bench-stamp"
    if not (stamp.is_file() and stamp.read_text() == stamp_text):
        if target.exists():
            shutil.rmtree(target)
        corpus.write_corpus(target, size, seed, flavor)
        stamp.write_text(stamp_text)
    return target


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def find_theme_template(checkout: Path, name: str) -> Path | None:
    """The default theme's copy of template `name`, wherever this checkout keeps the theme."""
    for candidate in (checkout / "themes" / "default" / "templates" / name,
                      checkout / "reelpress" / "themes" / "default" / "templates" / name):
        if candidate.is_file():
            return candidate
    found = sorted(checkout.glob(f"**/themes/default/templates/{name}"))
    return found[0] if found else None


def edited_template(text: str, marker: str) -> tuple[str, str]:
    """The template with a changed HTML comment, and how it was changed.

    The comment must reach the output (so the rewrite count is meaningful), so it
    goes into an existing HTML comment, else inside the main content block of a
    child template (text outside blocks is dropped by Jinja), else at the top.
    """
    if "<!--" in text:
        return text.replace("<!--", f"<!-- {marker}", 1), "changed an HTML comment"
    for block in ("content", "main", "body", "article"):
        for opening in (f"{{% block {block} %}}", f"{{%- block {block} -%}}",
                        f"{{% block {block} -%}}", f"{{%- block {block} %}}"):
            if opening in text:
                return (text.replace(opening, f"{opening}<!-- {marker} -->", 1),
                        f"added an HTML comment in block '{block}'")
    if "{% extends" in text:
        return text, "no block found to hold a comment: template unchanged"
    return f"<!-- {marker} -->\n{text}", "added an HTML comment at the top"


class Workspace:
    """One run's private copy of the corpus and the build command for it."""

    def __init__(self, pristine: Path, root: Path, cli: Path, quiet: bool) -> None:
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(pristine, root, ignore=shutil.ignore_patterns(".bench-stamp"))
        self.root = root
        self.cli = cli
        self.quiet = quiet
        self.timings = stages.supports_timings(cli)

    def build(self) -> tuple[measure.Measurement, measure.TreeChange]:
        command = [sys.executable, str(self.cli), "build", "--root", str(self.root)]
        if self.quiet:
            command.append("-q")
        if self.timings:
            command.append("--timings")
        before = measure.snapshot(self.root / "site")
        result = measure.run_measured(command, cwd=self.cli.parent)
        change = measure.compare_snapshots(before, measure.snapshot(self.root / "site"))
        return result, change

    def edit_body(self, run: int) -> str:
        articles = sorted((self.root / "content").glob("*.md"))
        target = articles[len(articles) // 2]
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(APPENDED_SENTENCE.replace("this sentence", f"sentence {run}"))
        return target.relative_to(self.root).as_posix()

    def edit_title(self, run: int) -> str:
        """A headline change: its page, the listings and feeds that show it, no other."""
        articles = sorted((self.root / "content").glob("*.md"))
        target = articles[len(articles) // 3]
        text = target.read_text("utf-8")
        start = text.index("\ntitle:") + 1
        end = text.index("\n", start)
        target.write_text(text[:start] + f'title: "Benchmark headline {run}"' + text[end:],
                          encoding="utf-8")
        return target.relative_to(self.root).as_posix() + ": title changed"

    def edit_template(self, template_name: str, run: int) -> str:
        source = find_theme_template(self.cli.parent, template_name)
        if source is None:
            return f"theme template {template_name} not found: nothing overridden"
        text, how = edited_template(source.read_text("utf-8"), f"bench edit {run}")
        override = self.root / "templates" / template_name
        override.parent.mkdir(parents=True, exist_ok=True)
        override.write_text(text, encoding="utf-8")
        return f"templates/{template_name}: {how}"

    def edit_config(self) -> str:
        config = self.root / "site.toml"
        text = config.read_text("utf-8")
        config.write_text(text.replace(corpus.SITE_TITLE, corpus.SITE_TITLE + " (edited)", 1),
                          encoding="utf-8")
        return "site.toml: title changed"


def html_files(site: Path) -> int:
    return sum(1 for _ in site.rglob("*.html")) if site.is_dir() else 0


def run_size(size: int, args: argparse.Namespace) -> dict:
    pristine = ensure_corpus(size, args.seed, "reelpress")
    samples: dict[str, list[dict]] = {name: [] for name in SCENARIOS}
    notes: dict[str, str] = {}
    site_files = 0
    for run in range(args.runs):
        space = Workspace(pristine, WORK_DIR / "run" / f"reelpress-{size}", args.cli, quiet=True)
        steps = (
            ("cold", lambda: "empty cache, no site/"),
            ("noop", lambda: "nothing changed"),
            ("edit_body", lambda run=run, space=space: space.edit_body(run)),
            ("edit_title", lambda run=run, space=space: space.edit_title(run)),
            ("edit_template", lambda run=run, space=space: space.edit_template(args.template,
                                                                                run)),
            ("edit_config", lambda space=space: space.edit_config()),
        )
        for name, prepare in steps:
            if name not in args.scenarios:
                continue
            notes[name] = prepare()
            result, change = space.build()
            samples[name].append(_sample(result, change))
            if result.returncode != 0:
                print(f"  {size} run {run + 1} {name}: build failed (exit {result.returncode})\n"
                      f"{_indent(result.output_tail)}", file=sys.stderr)
                return {"size": size, "failed": name, "output": result.output_tail,
                        "scenarios": _summarise(samples), "notes": notes}
            if name == "cold":
                site_files = html_files(space.root / "site")
        print(f"  {size} articles: run {run + 1}/{args.runs} done "
              f"(cold {samples['cold'][-1]['wall_s']:.2f} s)", file=sys.stderr)
    shutil.rmtree(space.root, ignore_errors=True)
    return {"size": size, "html_files": site_files, "scenarios": _summarise(samples),
            "notes": notes,
            "cold_stages": stages.median_stages([s["stages"] for s in samples["cold"]
                                                 if s.get("stages")])}


def _sample(result: measure.Measurement, change: measure.TreeChange) -> dict:
    return {
        "wall_s": result.wall_s, "cpu_s": result.cpu_s,
        "peak_tree_rss_mib": result.peak_tree_rss_mib,
        "peak_tree_pss_mib": result.peak_tree_pss_mib,
        "max_process_rss_mib": result.max_process_rss_mib,
        "processes": result.peak_processes, "returncode": result.returncode,
        "rewritten": change.rewritten, "added": change.added, "removed": change.removed,
        "touched_paths": list(change.examples),
        "stages": stages.parse_stage_table(result.output_tail),
    }


def _summarise(samples: dict[str, list[dict]]) -> dict:
    summary = {}
    for name, runs in samples.items():
        if not runs:
            continue
        summary[name] = {"runs": runs}
        for key in runs[0]:
            if key in ("touched_paths", "stages"):
                continue
            values = [run[key] for run in runs]
            summary[name][key] = {"median": statistics.median(values), "min": min(values),
                                  "max": max(values)}
    return summary


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def check_targets(result: dict) -> list[dict]:
    """The issue's targets, judged on medians (they are stated for 5,000 articles)."""
    scenarios = result.get("scenarios", {})
    if "failed" in result or not scenarios:
        return []
    cold = scenarios["cold"]
    size = result["size"]
    checks = [
        ("cold CPU-s <= 12.5 (2.5 ms per article at 5,000)", cold["cpu_s"]["median"],
         TARGETS["cold_cpu_s"]),
        ("cold peak memory < 200 MiB (tree PSS)", cold["peak_tree_pss_mib"]["median"],
         TARGETS["cold_peak_mib"]),
    ]
    if "noop" in scenarios:
        checks.append(("no-op rebuild wall < 0.2 s", scenarios["noop"]["wall_s"]["median"],
                       TARGETS["noop_wall_s"]))
    if "edit_body" in scenarios:
        checks.append(("edit one body wall < 0.3 s",
                       scenarios["edit_body"]["wall_s"]["median"], TARGETS["edit_body_wall_s"]))
    verdicts = [{"target": label, "value": value, "limit": limit, "met": value <= limit,
                 "size": size} for label, value, limit in checks]
    if "noop" in scenarios:
        noop = scenarios["noop"]
        touched = noop["rewritten"]["max"] + noop["added"]["max"] + noop["removed"]["max"]
        verdicts.append({"target": "no-op touches no file in site/", "limit": 0, "size": size,
                         "value": touched, "met": touched == 0})
    return verdicts


def hugo_target(result: dict, tools: list[dict]) -> list[dict]:
    """The issue's last target: cold wall no slower than Hugo's in the same run."""
    cold = result.get("scenarios", {}).get("cold")
    hugo = [entry for entry in tools if entry["tool"] == "hugo" and entry["status"] == "ok"
            and entry["size"] == result["size"]]
    if not cold or not hugo or "failed" in result:
        return []
    limit = hugo[0]["cold"]["wall_s"]["median"]
    value = cold["wall_s"]["median"]
    return [{"target": "cold wall <= Hugo's (same run)", "value": value, "limit": limit,
             "met": value <= limit, "size": result["size"]}]


def _fmt(stat: dict, digits: int = 2) -> str:
    return (f"{stat['median']:.{digits}f} ({stat['min']:.{digits}f}–{stat['max']:.{digits}f})")


def markdown_report(report: dict) -> str:
    lines = ["## reelpress build benchmark", "",
             f"{report['machine']} · {report['commit']} · {report['runs']} runs, medians "
             f"(min–max) · load average {report.get('load_average_before', 0):.1f} before, "
             f"{report.get('load_average_after', 0):.1f} after (other work on the machine "
             "inflates wall times)", "",
             "| articles | scenario | wall s | CPU s | peak tree PSS MiB | peak tree RSS MiB "
             "| pages/s | files rewritten | added | removed |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    commits = {result.get(key) for result in report["sizes"] for key in ("commit", "commit_after")}
    if commits - {None, report["commit"]}:
        lines.insert(3, "**The code changed during the run** (a cache keyed by the code is then "
                     "rebuilt): " + "; ".join(
                         f"{r['size']}: {r.get('commit')}"
                         + (f" then {r['commit_after']}" if "commit_after" in r else "")
                         for r in report["sizes"]))
        lines.insert(4, "")
    for result in report["sizes"]:
        for name, stat in result.get("scenarios", {}).items():
            pages = (f"{result['size'] / stat['wall_s']['median']:.0f}"
                     if name == "cold" and stat["wall_s"]["median"] else "")
            lines.append(
                f"| {result['size']} | {name} | {_fmt(stat['wall_s'])} | {_fmt(stat['cpu_s'])} "
                f"| {stat['peak_tree_pss_mib']['median']:.0f} "
                f"| {stat['peak_tree_rss_mib']['median']:.0f} | {pages} "
                f"| {stat['rewritten']['median']:.0f} | {stat['added']['median']:.0f} "
                f"| {stat['removed']['median']:.0f} |")
        if "failed" in result:
            lines.append(f"| {result['size']} | **{result['failed']} failed** | | | | | | | | |")
    verdicts = [v for result in report["sizes"] for v in result.get("targets", [])]
    if verdicts:
        lines += ["", "| articles | target (issue: at 5,000) | median | met |",
                  "|---:|---|---:|---|"]
        lines += [f"| {v['size']} | {v['target']} | {v['value']:.2f} | "
                  f"{'yes' if v['met'] else '**no**'} |" for v in verdicts]
    notes = {name: note for result in report["sizes"] for name, note in
             result.get("notes", {}).items()}
    if notes:
        lines += ["", "Edits: " + "; ".join(f"{name}: {note}" for name, note in notes.items())]
    if report.get("tools"):
        lines += ["", tool_table(report["tools"], report["sizes"])]
    if stage_lines := stages.stage_table(report["sizes"]):
        lines += ["", stage_lines]
    return "\n".join(lines)


def git_commit(checkout: Path) -> str:
    """The code under test: last commit touching it, and a digest of the files as they are
    (others may edit or commit while a long run goes on; the digest sees both)."""
    try:
        out = subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%h %s", "--",
                              "reelpress", "build.py"],
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = "unknown commit"
    files = sorted(path for path in (checkout / "reelpress").rglob("*")
                   if path.is_file() and "__pycache__" not in path.parts)
    digest = hashlib.sha256()
    for path in [*files, checkout / "build.py"]:
        if path.is_file():
            digest.update(path.relative_to(checkout).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return f"{out} [code {digest.hexdigest()[:10]}]"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000",
                        help="comma-separated article counts (default 1000,5000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per size (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--compare", action="store_true",
                        help="also build the same corpus with Hugo and Pelican when installed")
    parser.add_argument("--tool-runs", type=int, default=None,
                        help="cold builds per tool with --compare (default: --runs)")
    parser.add_argument("--cli", type=Path, default=REPO_DIR / "build.py",
                        help="the build.py to benchmark (default: this checkout's)")
    parser.add_argument("--template", default="article.html",
                        help="theme template overridden by the edit_template scenario")
    parser.add_argument("--json", type=Path, default=RESULTS_DIR / "latest.json",
                        help="where to write the results (default bench/results/latest.json)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help="comma-separated scenarios to run, in their fixed order "
                             "(default all; e.g. 'cold' for a comparison with other tools)")
    parser.add_argument("--skip-reelpress", action="store_true",
                        help="only run the --compare tools")
    parser.add_argument("--reprint", type=Path, metavar="JSON",
                        help="print the tables of an earlier results file and exit")
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error(f"--sizes must be comma-separated integers, not {args.sizes!r}")
    args.scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    if not args.scenarios or set(args.scenarios) - set(SCENARIOS) or "cold" not in args.scenarios:
        parser.error(f"--scenarios: 'cold' and any of {', '.join(SCENARIOS[1:])}")
    if not args.sizes or min(args.sizes) < 1 or args.runs < 1:
        parser.error("--sizes and --runs must be positive")
    args.cli = args.cli.resolve()
    if not args.reprint and not args.skip_reelpress and not args.cli.is_file():
        parser.error(f"{args.cli} does not exist: pass --cli path/to/build.py")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.reprint:
        report = json.loads(args.reprint.read_text("utf-8"))
        for result in report["sizes"]:
            result["targets"] = check_targets(result) + hugo_target(result,
                                                                    report.get("tools", []))
        print(markdown_report(report))
        return 0
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    report = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
        "commit": git_commit(args.cli.parent), "cli": str(args.cli), "runs": args.runs,
        "seed": args.seed, "targets": TARGETS, "sizes": [],
        "load_average_before": os.getloadavg()[0],
    }
    for size in args.sizes if not args.skip_reelpress else []:
        print(f"reelpress, {size} articles, {args.runs} runs", file=sys.stderr)
        commit = git_commit(args.cli.parent)  # others may commit while a long run goes on
        result = run_size(size, args)
        result["commit"] = commit
        commit_after = git_commit(args.cli.parent)
        if commit_after != commit:
            result["commit_after"] = commit_after
        result["targets"] = check_targets(result)
        report["sizes"].append(result)
    if args.compare:
        report["tools"] = compare_tools(args.sizes, args.tool_runs or args.runs, args.seed,
                                        ensure_corpus, WORK_DIR)
        for result in report["sizes"]:
            result["targets"] += hugo_target(result, report["tools"])
    report["load_average_after"] = os.getloadavg()[0]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(markdown_report(report))
    print(f"\nresults written to {args.json}", file=sys.stderr)
    return 1 if any("failed" in result for result in report["sizes"]) else 0


if __name__ == "__main__":
    sys.exit(main())
