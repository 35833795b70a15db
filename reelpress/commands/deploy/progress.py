"""The progress line of a deploy: rewritten in place on a terminal, a few lines in a log."""

from __future__ import annotations

from typing import TextIO


class ProgressLine:
    """A `Progress` callback; on a non-terminal it prints at most one line per tenth."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self.stream = stream
        self.quiet = quiet
        self.live = stream.isatty()
        self.shown_tenth = -1
        self.drawn = False

    def __call__(self, done: int, total: int, done_bytes: int, total_bytes: int) -> None:
        if self.quiet or total == 0:
            return
        text = (f"uploading {done}/{total} file(s), "
                f"{done_bytes / 1e6:.1f}/{total_bytes / 1e6:.1f} MB")
        if self.live:
            self.stream.write(f"\r\x1b[K{text}")
            self.drawn = True
        else:
            tenth = done * 10 // total
            if tenth == self.shown_tenth:
                return
            self.shown_tenth = tenth
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
