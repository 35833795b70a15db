"""Preview latency: from saving an article to its new text visible in an open Chromium.

    python bench/preview_latency.py [--sizes 1000,5000] [--edits 15]

For each size: the benchmark corpus (bench/work/corpus/) is copied and built once, then
`reelpress serve` runs on it (port chosen by the server, 127.0.0.1) and Chromium opens
one article. Each edit appends a sentence with a unique marker to that article's
Markdown; the time counts from the write to the reloaded page's first contentful paint,
read from the page's own clock (`painted`; the marker is in its HTML), and, as
`seen`, to the moment Playwright finds the marker (it polls after a navigation, so this
is later). Prints p50/p95 per size and the server's own "Rebuilt in" times, and writes
bench/results/preview-latency.json.
Not a test: the numbers depend on the machine and its load (printed with them).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from run import RESULTS_DIR, WORK_DIR, ensure_corpus

REPO_DIR = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVING = re.compile(r"Serving .* at (http://\S+) ")
REBUILT = re.compile(r"Rebuilt in ([0-9.]+) s")
# epoch milliseconds of the page's first contentful paint (else its DOMContentLoaded)
PAINTED_AT = """() => {
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return performance.timeOrigin + (paint ? paint.startTime : nav.domContentLoadedEventEnd);
}"""


class Preview:
    """`reelpress serve` in a child process; its lines reach a queue as they come."""

    def __init__(self, root: Path) -> None:
        command = [sys.executable, "-c", "import sys; from reelpress.cli import main; "
                   "sys.exit(main(sys.argv[1:]))", "serve", "--root", str(root), "--port", "0"]
        env = {**os.environ, "PYTHONPATH": str(REPO_DIR), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 600) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if (match := pattern.search(line)) is not None:
                return match

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_size(size: int, edits: int, seed: int) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    pristine = ensure_corpus(size, seed, "reelpress")
    root = WORK_DIR / f"preview-{size}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(pristine, root, ignore=shutil.ignore_patterns(".bench-stamp"))
    subprocess.run([sys.executable, "-c", "import sys; from reelpress.cli import main; "
                    "sys.exit(main(sys.argv[1:]))", "build", "--root", str(root), "-q"],
                   check=True, env={**os.environ, "PYTHONPATH": str(REPO_DIR)})
    target = sorted((root / "content").glob("*.md"))[size // 2]
    preview = Preview(root)
    latencies: list[float] = []
    server_times: list[float] = []
    painted: list[float] = []
    try:
        url = preview.wait_for(SERVING).group(1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(url + target.stem + "/")
            page.wait_for_load_state("load")
            for number in range(edits):
                marker = f"preview-latency-marker-{size}-{number}-{time.time_ns()}"
                written = time.time()
                with open(target, "a", encoding="utf-8") as handle:
                    handle.write(f"\n\nThe benchmark appended {marker} here.\n")
                started = time.perf_counter()
                page.get_by_text(marker).wait_for(timeout=120_000)
                latencies.append(time.perf_counter() - started)
                # the reloaded page's own clock: when it first painted (its text is in the
                # HTML); Playwright notices the text later, by polling after the navigation
                painted.append(page.evaluate(PAINTED_AT) / 1000 - written)
                # this edit's build is over before the next one
                server_times.append(float(preview.wait_for(REBUILT).group(1)))
            browser.close()
    finally:
        preview.stop()
    return {"articles": size, "edits": edits, "p50_s": round(percentile(latencies, 0.5), 4),
            "p95_s": round(percentile(latencies, 0.95), 4),
            "median_s": round(statistics.median(latencies), 4),
            "latencies_s": [round(value, 4) for value in latencies],
            "painted_p50_s": round(percentile(painted, 0.5), 4),
            "painted_p95_s": round(percentile(painted, 0.95), 4),
            "painted_s": [round(value, 4) for value in painted],
            "server_rebuild_s": server_times, "load": os.getloadavg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    results = [measure_size(int(size), args.edits, args.seed) for size in args.sizes.split(",")]
    print("| articles | edits | painted p50 (s) | painted p95 (s) | seen p50 (s) | seen p95 (s) "
          "| load (1 min) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in results:
        load = row["load"]
        assert isinstance(load, tuple)
        print(f"| {row['articles']} | {row['edits']} | {row['painted_p50_s']} | "
              f"{row['painted_p95_s']} | {row['p50_s']} | {row['p95_s']} | {load[0]:.2f} |")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "preview-latency.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
