"""Where media jobs run, as site.toml says: this machine's pool (the default) or a
Dask cluster. The `[media]` schema, ExecutorSettings, lives with the other tables in
core/settings.py; the cluster side is in media/dask_session.py, which alone imports
`distributed`.

    [media]
    executor = "dask"                  # "local" (default) or "dask"
    scheduler = "tcp://encoder1:8786"  # or REELPRESS_DASK_SCHEDULER, or --scheduler
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reelpress.core.settings import ExecutorSettings

ENV_SCHEDULER = "REELPRESS_DASK_SCHEDULER"


@dataclass(frozen=True)
class ExecutorChoice:
    """The executor for one build and where its scheduler address came from."""

    settings: ExecutorSettings
    scheduler: str = ""
    origin: str = "site.toml"  # shown as the diagnostic's location

    @property
    def is_dask(self) -> bool:
        return bool(self.scheduler) or self.settings.executor == "dask"


def choose_executor(settings: ExecutorSettings, cli_scheduler: str | None,
                    environ: Mapping[str, str]) -> ExecutorChoice:
    """`--scheduler` means Dask; otherwise [media] executor decides, and the address
    comes from REELPRESS_DASK_SCHEDULER, then [media] scheduler."""
    if cli_scheduler:
        return ExecutorChoice(settings, cli_scheduler, "--scheduler")
    if settings.executor != "dask":
        return ExecutorChoice(settings)
    if environ.get(ENV_SCHEDULER):
        return ExecutorChoice(settings, environ[ENV_SCHEDULER], ENV_SCHEDULER)
    return ExecutorChoice(settings, settings.scheduler, "site.toml")


__all__ = ["ENV_SCHEDULER", "ExecutorChoice", "ExecutorSettings", "choose_executor"]
