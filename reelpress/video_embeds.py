"""Adapter between the pipeline and the ffmpeg stage (reelpress.media.plan)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VideoStage:
    @classmethod
    def for_build(cls, paths, config, options, reporter):  # noqa: ANN001, ANN206
        return None
