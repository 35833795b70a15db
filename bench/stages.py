"""Per-stage CPU seconds of reelpress builds, read from `build.py build --timings`.

The build measures them itself (reelpress/core/stage_times.py: tree CPU per stage in the
main process, per task in the workers); this module only parses the printed table and
summarises it as medians, so the next speed-up is chosen from data.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

_ROW = re.compile(r"^([a-z][a-z ]*?)\s+(\d+\.\d+)$")


def supports_timings(cli: Path) -> bool:
    """Whether the checkout behind `cli` has `--timings` (older commits do not)."""
    source = cli.parent / "reelpress" / "cli.py"
    return source.is_file() and '"--timings"' in source.read_text("utf-8")


def parse_stage_table(output: str) -> dict[str, float]:
    """{stage: CPU s} from the table `--timings` prints (the 'total' row included)."""
    rows: dict[str, float] = {}
    lines = output.splitlines()
    try:
        start = max(i for i, line in enumerate(lines) if line.startswith("stage ")
                    and line.rstrip().endswith("CPU s"))
    except ValueError:
        return rows
    for line in lines[start + 1:]:
        match = _ROW.match(line.strip())
        if not match:
            break
        rows[match.group(1).strip()] = float(match.group(2))
    return rows


def median_stages(samples: list[dict[str, float]]) -> dict[str, float]:
    """Median per stage over the runs that printed one (stage order kept)."""
    names = list(dict.fromkeys(name for sample in samples for name in sample))
    return {name: statistics.median(sample.get(name, 0.0) for sample in samples)
            for name in names}


def stage_table(sizes: list[dict]) -> str:
    """Cold builds: median CPU s per stage and its share of the total, one column per size."""
    columns = [(result["size"], result["cold_stages"]) for result in sizes
               if result.get("cold_stages")]
    if not columns:
        return ""
    names = list(dict.fromkeys(name for _, stages in columns for name in stages
                               if name != "total"))
    head = " | ".join(f"{size} articles: CPU s (share)" for size, _ in columns)
    lines = ["Cold build, CPU seconds per stage (whole process tree, medians; "
             "`build.py build --timings`):", "",
             f"| stage | {head} |", "|---|" + "---:|" * len(columns)]
    for name in [*names, "total"]:
        cells = []
        for _, stages in columns:
            total = stages.get("total") or sum(stages.values()) or 1.0
            value = stages.get(name, 0.0)
            cells.append(f"{value:.2f}" if name == "total" else
                         f"{value:.2f} ({100 * value / total:.0f} %)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
