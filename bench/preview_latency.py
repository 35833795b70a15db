"""Preview latency: from saving an article to its new text visible in an open Chromium.

    python bench/preview_latency.py [--sizes 1000,5000] [--edits 15]

For each size: the benchmark corpus (bench/work/corpus/) is copied and built once, then
`reelpress serve` runs on it (port chosen by the server, 127.0.0.1) and Chromium opens
one article. Each edit appends a sentence with a unique marker to that article's
Markdown. The page's own clock says when: a MutationObserver (installed before any page
script, on every document: a swapped page and a reloaded one alike) stamps the moment the
marker is in the DOM (`in DOM`), then a requestAnimationFrame and a task after it stamp
the frame that shows it (`painted`). `seen` is when Playwright finds the marker (it polls,
so later). The split: write -> the live-reload client hears of the change (the
`reelpress:event` performance mark; the watcher, the rebuild up to its commit, the event),
-> in DOM (fetch, parse, swap), -> painted; plus the watcher alone (write -> rebuild
start, measured in this process on a scratch folder, the preview's settings) and the
server's own "Rebuilt in" times. Prints p50/p95 per size and writes
bench/results/preview-latency.json.
Not a test: the numbers depend on the machine and its load (printed with them).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from run import RESULTS_DIR, WORK_DIR, ensure_corpus

REPO_DIR = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVING = re.compile(r"Serving .* at (http://\S+) ")
REBUILT = re.compile(r"Rebuilt in ([0-9.]+) s")
# Runs in every document before its scripts: stamps (epoch ms) when the marker named in
# sessionStorage is in the DOM, and when the frame showing it was painted.
STAMP_MARKER = """(() => {
  const seen = JSON.parse(sessionStorage.getItem("bench-seen") || "{}");
  window.__benchSeen = seen;
  const now = () => performance.timeOrigin + performance.now();
  const check = () => {
    const marker = sessionStorage.getItem("bench-marker");
    if (!marker || seen[marker] || !document.body ||
        !document.body.textContent.includes(marker)) { return; }
    const stamp = seen[marker] = {inDom: now()};
    requestAnimationFrame(() => {
      stamp.frame = now();
      setTimeout(() => {
        stamp.painted = now();
        sessionStorage.setItem("bench-seen", JSON.stringify(seen));
      }, 0);
    });
  };
  new MutationObserver(check).observe(document,
    {subtree: true, childList: true, characterData: true});
})();"""
PAINTED = """marker => {
  const stamp = window.__benchSeen && window.__benchSeen[marker];
  return stamp && stamp.painted ? stamp : null;
}"""
SWAPS = "(window.__reelpressLive && window.__reelpressLive.swaps) || 0"  # 0 before swaps
LAST_EVENT = """() => {
  const marks = performance.getEntriesByName("reelpress:event");
  return marks.length ? performance.timeOrigin + marks[marks.length - 1].startTime : null;
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


def watch_latency(samples: int = 20) -> list[float]:
    """Seconds from an appending write to the preview's rebuild callback: its watcher and
    debouncer with `serve`'s settings, on a scratch project (inotify does not care how
    big the site is)."""
    from reelpress.serve.preview import PreviewServer
    from reelpress.serve.watch import Debouncer, ProjectWatcher

    defaults = PreviewServer.__init__.__kwdefaults__ or {}
    # Earlier revisions (compared with --repo) had no `complete` hint.
    hinted = "complete" in inspect.signature(Debouncer.add).parameters
    bursts: queue.Queue[float] = queue.Queue()
    found: list[float] = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "content").mkdir()
        source = root / "content" / "story.md"
        source.write_text("---\ntitle: x\n---\n", encoding="utf-8")
        debouncer = Debouncer(lambda _: bursts.put(time.perf_counter()),
                              quiet=defaults.get("quiet", 0.03),
                              max_wait=defaults.get("max_wait", 1.0))

        def sink(paths: list[Path], complete: bool = False) -> None:
            if hinted:
                debouncer.add(paths, complete=complete)
            else:
                debouncer.add(paths)

        watcher = ProjectWatcher(root, sink)
        watcher.start()
        try:
            for number in range(samples):
                started = time.perf_counter()
                with open(source, "a", encoding="utf-8") as handle:
                    handle.write(f"line {number}\n")
                found.append(bursts.get(timeout=30) - started)
        finally:
            watcher.stop()
            debouncer.stop()
    return found


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
    seen: list[float] = []
    server_times: list[float] = []
    painted: list[float] = []
    in_dom: list[float] = []
    heard: list[float | None] = []  # write -> the client's event (a reload loses its mark)
    swaps = 0
    try:
        url = preview.wait_for(SERVING).group(1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.add_init_script(STAMP_MARKER)
            page.goto(url + target.stem + "/")
            page.wait_for_load_state("load")
            for number in range(edits):
                marker = f"preview-latency-marker-{size}-{number}-{time.time_ns()}"
                page.evaluate("m => sessionStorage.setItem('bench-marker', m)", marker)
                swapped_before = page.evaluate(SWAPS)
                written = time.time()
                started = time.perf_counter()
                with open(target, "a", encoding="utf-8") as handle:
                    handle.write(f"\n\nThe benchmark appended {marker} here.\n")
                page.get_by_text(marker).wait_for(timeout=120_000)
                seen.append(time.perf_counter() - started)
                stamp = page.wait_for_function(PAINTED, arg=marker, timeout=120_000).json_value()
                painted.append(stamp["painted"] / 1000 - written)
                in_dom.append(stamp["inDom"] / 1000 - written)
                event = None
                if page.evaluate(SWAPS) > swapped_before:
                    swaps += 1
                    mark = page.evaluate(LAST_EVENT)
                    event = mark / 1000 - written if mark is not None else None
                heard.append(event if event is not None and event > 0 else None)
                # this edit's build is over before the next one
                server_times.append(float(preview.wait_for(REBUILT).group(1)))
            browser.close()
    finally:
        preview.stop()

    def summary(values: list[float]) -> dict[str, float | None]:
        if not values:
            return {"p50_s": None, "p95_s": None}
        return {"p50_s": round(percentile(values, 0.5), 4),
                "p95_s": round(percentile(values, 0.95), 4)}

    pairs = [(event, dom) for event, dom in zip(heard, in_dom, strict=True) if event is not None]
    return {"articles": size, "edits": edits, "swapped": swaps,
            "painted": summary(painted), "seen": summary(seen), "in_dom": summary(in_dom),
            "write_to_event": summary([event for event, _ in pairs]),
            "event_to_dom": summary([dom - event for event, dom in pairs]),
            "dom_to_painted": summary([p - d for p, d in zip(painted, in_dom, strict=True)]),
            "server_rebuild": summary(server_times),
            "median_painted_s": round(statistics.median(painted), 4),
            "painted_s": [round(value, 4) for value in painted],
            "seen_s": [round(value, 4) for value in seen],
            "server_rebuild_s": server_times, "load": os.getloadavg()}


def ms(row: dict[str, object], name: str) -> str:
    """`p50 / p95` of one measure in milliseconds (`-` when not measured)."""
    values = row[name]
    assert isinstance(values, dict)
    if values["p50_s"] is None:
        return "-"
    return f"{values['p50_s'] * 1000:.0f} / {values['p95_s'] * 1000:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--edits", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    watch = watch_latency()
    results = [measure_size(int(size), args.edits, args.seed) for size in args.sizes.split(",")]
    print(f"watcher (write -> rebuild start): p50 {percentile(watch, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(watch, 0.95) * 1000:.1f} ms")
    print("milliseconds, p50 / p95:")
    print("| articles | edits (swapped) | painted | seen by Playwright | write -> event "
          "| event -> in DOM | in DOM -> painted | server rebuild | load (1 min) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in results:
        load = row["load"]
        assert isinstance(load, tuple)
        print(f"| {row['articles']} | {row['edits']} ({row['swapped']}) | {ms(row, 'painted')} "
              f"| {ms(row, 'seen')} | {ms(row, 'write_to_event')} | {ms(row, 'event_to_dom')} "
              f"| {ms(row, 'dom_to_painted')} | {ms(row, 'server_rebuild')} | {load[0]:.2f} |")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "preview-latency.json").write_text(json.dumps(
        {"watch_s": [round(value, 5) for value in watch], "sizes": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
