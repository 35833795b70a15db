"""Benchmark this checkout against a previous commit, side by side.

    python bench/compare_previous.py [--rev HEAD~1] [--sizes 1000] [--runs 3]

The previous commit is checked out with `git worktree add` under bench/work/ and
both builds are timed by this checkout's bench/run.py on the same corpus. Runs
alternate (current, previous, current, ...) so that a drift of the machine's
speed during the session hits both sides alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work"
SCENARIOS = ("cold", "noop", "edit_body", "edit_title", "edit_template", "edit_config")
COLUMNS = (("wall_s", "wall s"), ("cpu_s", "CPU s"), ("peak_tree_pss_mib", "PSS MiB"))


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO_DIR), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def add_worktree(rev: str) -> Path:
    sha = git("rev-parse", "--verify", f"{rev}^{{commit}}")
    tree = WORK_DIR / f"rev-{sha[:10]}"
    if not (tree / ".git").exists():
        subprocess.run(["git", "-C", str(REPO_DIR), "worktree", "add", "--detach", "--force",
                        str(tree), sha], check=True, capture_output=True, text=True)
    return tree


def remove_worktree(tree: Path) -> None:
    subprocess.run(["git", "-C", str(REPO_DIR), "worktree", "remove", "--force", str(tree)],
                   capture_output=True, text=True)


def one_run(cli: Path, size: int, out: Path) -> dict | None:
    command = [sys.executable, str(BENCH_DIR / "run.py"), "--sizes", str(size), "--runs", "1",
               "--cli", str(cli), "--json", str(out)]
    result = subprocess.run(command, capture_output=True, text=True)
    if not out.is_file():
        print(result.stderr[-2000:], file=sys.stderr)
        return None
    size_result = json.loads(out.read_text("utf-8"))["sizes"][0]
    if "failed" in size_result:
        print(f"  {cli}: {size_result['failed']} failed:\n{size_result['output']}",
              file=sys.stderr)
    return size_result


def side_by_side(size: int, sides: dict[str, list[dict]]) -> list[str]:
    labels = list(sides)
    header = "| articles | scenario | " + " | ".join(
        f"{title} {label}" for _key, title in COLUMNS for label in labels)
    header += f" | wall {labels[0]}/{labels[1]} |"
    lines = [header, "|" + "---:|" * (2 + len(COLUMNS) * len(labels) + 1)]
    for scenario in SCENARIOS:
        cells, walls = [], {}
        for key, _title in COLUMNS:
            for label in labels:
                values = [run[key] for result in sides[label]
                          for run in result.get("scenarios", {}).get(scenario, {}).get("runs", [])]
                if values:
                    median = statistics.median(values)
                    cells.append(f"{median:.2f}" if key != "peak_tree_pss_mib" else f"{median:.0f}")
                    if key == "wall_s":
                        walls[label] = median
                else:
                    cells.append("–")
        ratio = (f"{walls[labels[0]] / walls[labels[1]]:.2f}"
                 if len(walls) == 2 and walls[labels[1]] else "")
        lines.append(f"| {size} | {scenario} | " + " | ".join(cells) + f" | {ratio} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD~1", help="commit to compare with (default HEAD~1)")
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the worktree afterwards")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    try:
        tree = add_worktree(args.rev)
    except subprocess.CalledProcessError as failure:
        print(f"cannot check out {args.rev}: {failure.stderr.strip()}", file=sys.stderr)
        return 2
    clis = {"current": REPO_DIR / "build.py", args.rev: tree / "build.py"}
    missing = [label for label, cli in clis.items() if not cli.is_file()]
    if missing:
        print(f"no build.py in: {', '.join(missing)}", file=sys.stderr)
        if not args.keep:
            remove_worktree(tree)
        return 2
    changed = git("diff", "--stat", args.rev, "--", "reelpress", "build.py")
    if not changed:
        print(f"note: reelpress/ and build.py are the same in {args.rev} and the working tree; "
              "differences below are noise (try --rev with an older commit)", file=sys.stderr)
    out_dir = WORK_DIR / "compare"
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"current = {git('log', '-1', '--format=%h %s')} (working tree as it is)\n"
          f"{args.rev} = {git('log', '-1', '--format=%h %s', args.rev)}\n")
    try:
        for size in sizes:
            sides: dict[str, list[dict]] = {label: [] for label in clis}
            for run in range(args.runs):
                for label, cli in clis.items():
                    print(f"  {size} articles, run {run + 1}/{args.runs}: {label}",
                          file=sys.stderr)
                    safe = label.replace("~", "-").replace("/", "-")
                    result = one_run(cli, size, out_dir / f"{safe}-{size}-{run}.json")
                    if result is not None:
                        sides[label].append(result)
            print("\n".join(side_by_side(size, sides)) + "\n")
    finally:
        if not args.keep:
            remove_worktree(tree)
    return 0


if __name__ == "__main__":
    sys.exit(main())
