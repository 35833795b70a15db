"""CPU seconds of `python build.py build` for a one-article site whose article is 1 MB of
one markup-dense shape (tests/markdown_shapes.py), cold (no cache), with the native fast
path and with markdown-it-py alone: the median of `--runs` builds. Prints a Markdown
table; the load average beside it.

    python bench/dense_markdown.py                     # every shape, both engines
    python bench/dense_markdown.py --shapes tables,mix --engines markdown-it --runs 3
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from markdown_shapes import SHAPES, dense_body  # noqa: E402

SITE_TOML = 'title = "Dense"\nbase_url = "https://example.org/"\n'
FRONT = "---\ntitle: Dense\ndate: 2025-01-01\n---\n"


def build_cpu(root: Path, engine: str) -> tuple[float, float]:
    """(CPU seconds of the child process tree, wall seconds) of one cold build."""
    shutil.rmtree(root / "site", ignore_errors=True)
    shutil.rmtree(root / ".reelpress-cache", ignore_errors=True)
    env = {**os.environ, "REELPRESS_MARKDOWN": engine if engine == "markdown-it" else ""}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--root", str(root),
                           "-q", "-j", "1"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"build failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(["empty", *SHAPES]))
    parser.add_argument("--engines", default="fast,markdown-it")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    engines = args.engines.split(",")
    print(f"load: {os.getloadavg()}", file=sys.stderr)
    print("| shape | " + " | ".join(f"{e} CPU s (wall)" for e in engines) + " |")
    print("|---|" + "---|" * len(engines))
    with tempfile.TemporaryDirectory() as work:
        for shape in args.shapes.split(","):
            root = Path(work) / shape
            (root / "content").mkdir(parents=True)
            (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
            body = "x\n" if shape == "empty" else dense_body(shape, args.size)
            (root / "content/a.md").write_text(FRONT + body, encoding="utf-8")
            cells = []
            for engine in engines:
                samples = [build_cpu(root, engine) for _ in range(args.runs)]
                cpu = statistics.median(cpu for cpu, _wall in samples)
                wall = statistics.median(wall for _cpu, wall in samples)
                cells.append(f"{cpu:.2f} ({wall:.2f})")
            print(f"| {shape} | " + " | ".join(cells) + " |", flush=True)
    print(f"load: {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
