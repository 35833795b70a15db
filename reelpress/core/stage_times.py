"""CPU seconds per build stage, over the whole process tree (workers included), so the
next speed-up is chosen from data. Cheap: one `getrusage` pair per stage in the main
process, one `process_time` pair per task in the workers. Never part of any output."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# The order `--timings` prints them in; stages a build did not run are left out.
STAGES = ("load", "markdown", "media planning", "assemble", "article render", "listings",
          "feeds", "sitemap", "write", "render overhead", "commit")


def tree_cpu() -> float:
    """User + system CPU of this process and of every child it has reaped (a process
    pool's workers count once the pool is shut down, ffmpeg once it has exited)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class StageTimes:
    """Per-stage CPU seconds of one build (whole tree) and the build's total."""

    cpu: tuple[tuple[str, float], ...] = ()
    total_cpu: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return dict(self.cpu)

    def table(self) -> str:
        """A small aligned table for `--timings`."""
        width = max((len(name) for name, _ in self.cpu), default=5)
        lines = [f"{'stage':<{width}}  CPU s", *(f"{name:<{width}}  {seconds:6.2f}"
                                                for name, seconds in self.cpu),
                 f"{'total':<{width}}  {self.total_cpu:6.2f}"]
        return "\n".join(lines)


@dataclass
class StageClock:
    """Laps of wall time and tree CPU between the orchestrator's checkpoints."""

    started_wall: float = field(default_factory=time.perf_counter)
    started_cpu: float = field(default_factory=tree_cpu)
    laps: dict[str, float] = field(default_factory=dict)       # wall seconds
    cpu_laps: dict[str, float] = field(default_factory=dict)   # tree CPU seconds
    # CPU of children still running, as they last reported it (`watch`)
    live: list[Callable[[], float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._last_wall, self._last_cpu = self.started_wall, self.started_cpu

    def watch(self, live_cpu: Callable[[], float]) -> None:
        """Count the CPU of children that outlive a stage (a build's worker pool) in the
        stage that spent it, not in the one that reaps them: `live_cpu` is what they
        have reported so far, and drops to 0 once they are reaped."""
        self.live.append(live_cpu)

    def lap(self, name: str) -> None:
        now_wall = time.perf_counter()
        now_cpu = tree_cpu() + sum(live_cpu() for live_cpu in self.live)
        self.laps[name] = round(self.laps.get(name, 0.0) + now_wall - self._last_wall, 4)
        self.cpu_laps[name] = self.cpu_laps.get(name, 0.0) + now_cpu - self._last_cpu
        self._last_wall, self._last_cpu = now_wall, now_cpu

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started_wall

    def stage_times(self, split: dict[str, tuple[str, dict[str, float]]]) -> StageTimes:
        """The CPU laps, each split into the parts its workers measured: `split[lap]` is
        (name for what the lap spent beyond its parts, {part: seconds})."""
        found: dict[str, float] = {}
        for lap, seconds in self.cpu_laps.items():
            rest, parts = split.get(lap, (lap, {}))
            for name, value in parts.items():
                found[name] = found.get(name, 0.0) + value
            found[rest] = found.get(rest, 0.0) + max(0.0, seconds - sum(parts.values()))
        rank = {name: index for index, name in enumerate(STAGES)}
        ordered = sorted(found.items(), key=lambda item: (rank.get(item[0], len(STAGES)),
                                                          item[0]))
        return StageTimes(tuple((name, round(value, 3)) for name, value in ordered),
                          round(tree_cpu() - self.started_cpu, 3))


def output_stage(view_name: str, maker: str) -> str:
    """Which stage an output's rendering counts under, from its view function's name and
    what makes its text ('template:article.html', 'writer:...write_sitemap')."""
    if "sitemap" in maker:
        return "sitemap"
    if view_name == "feed_view" or "feed" in maker:
        return "feeds"
    if view_name in ("article_view", "page_view"):
        return "article render"
    return "listings"
