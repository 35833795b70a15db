"""Skip work whose inputs did not change: every output is recorded with the key of what
it was rendered from; an output with the same key as last time is kept as it is."""

from __future__ import annotations

from collections.abc import Callable

import jinja2

from . import __version__
from .buildcache import render_key
from .output import SiteWriter
from .theme import Theme, template_dependencies


class OutputMemo:
    """One build's view of the previous build's render keys."""

    def __init__(self, writer: SiteWriter, previous: dict[str, str], theme: Theme,
                 env: jinja2.Environment, site_key: str):
        self.writer = writer
        self.previous = previous
        self.current: dict[str, str] = {}
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
        """True (and the old file kept) when `output` was made from the same inputs."""
        self.current[output] = key
        return self.previous.get(output) == key and self.writer.keep_previous(output)

    def emit(self, output: str, key: str, produce: Callable[[], str]) -> None:
        if self.unchanged(output, key):
            return
        self.writer.write_text(output, produce())
        self.rendered += 1

    def forget(self, output: str) -> None:
        self.current.pop(output, None)
