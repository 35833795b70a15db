"""Skip work whose inputs did not change: every output is recorded with the key of what
it was rendered from; an output with the same key as last time is kept as it is."""

from __future__ import annotations

import os
from collections.abc import Callable

import jinja2

from reelpress import __version__
from reelpress.build.cache import render_key
from reelpress.output.writer import SiteWriter
from reelpress.render.theme import Theme, template_dependencies


class OutputMemo:
    """One build's view of the previous build's render keys."""

    def __init__(self, writer: SiteWriter, previous: dict[str, tuple[str, int, int]],
                 theme: Theme,
                 env: jinja2.Environment, site_key: str):
        self.writer = writer
        self.previous = previous
        self.current: dict[str, str] = {}
        self.kept: dict[str, tuple[str, int, int]] = {}
        self.theme = theme
        self.env = env
        self.site_key = site_key
        self._template_keys: dict[str, str] = {}
        self.rendered = 0

    def template_key(self, name: str) -> str:
        """Changes when `name` or anything it extends/includes changes."""
        if name not in self._template_keys:
            self._template_keys[name] = self.theme.fingerprint_of(
                template_dependencies(self.env, name))
        return self._template_keys[name]

    def key(self, template: str | None, *inputs: object) -> str:
        template_part = self.template_key(template) if template else ""
        return render_key(__version__, self.site_key, template_part, *inputs)

    def unchanged(self, output: str, key: str) -> bool:
        """True (and the old file kept) when `output` was made from the same inputs and
        is still the file that build wrote (same size and mtime: not edited by hand)."""
        self.current[output] = key
        previous = self.previous.get(output)
        if previous is None or previous[0] != key:
            return False
        try:
            stat = os.stat(os.path.join(self.writer.site_dir, output))
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != previous[1:]:
            return False
        self.kept[output] = previous
        self.writer.record(output, False)  # the file is there, as that build left it
        return True

    def final_records(self) -> dict[str, tuple[str, int, int]]:
        """After the commit: each output's key with the signature of the file on disk."""
        records: dict[str, tuple[str, int, int]] = {}
        for output, key in self.current.items():
            kept = self.kept.get(output)
            if kept is not None:
                records[output] = kept
                continue
            try:
                stat = os.stat(os.path.join(self.writer.site_dir, output))
            except OSError:
                continue
            records[output] = (key, stat.st_size, stat.st_mtime_ns)
        return records

    def emit(self, output: str, key: str, produce: Callable[[], str]) -> None:
        if self.unchanged(output, key):
            return
        self.writer.write_text(output, produce())
        self.rendered += 1

    def forget(self, output: str) -> None:
        self.current.pop(output, None)
