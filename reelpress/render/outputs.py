"""Outputs as data: each file of the site is an `OutputSpec` (where it goes, the pure
function and records that build its view, and the template or Python writer that turns
the view into text). The build engine digests the view for the output's key and renders
only specs whose key changed; nothing else decides what a page depends on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jinja2

if TYPE_CHECKING:
    from reelpress.render.views import CardCache

View = dict[str, Any]


@dataclass(frozen=True)
class OutputSpec:
    path: str                                      # site-relative file, e.g. 'tags/x/index.html'
    view: Callable[..., View]                      # module-level, pure: view(site, *args)
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    template: str | None = None                    # a Jinja template makes the text...
    writer: Callable[[View], str] | None = None    # ...or a module-level Python writer
    cards: bool = False                            # the view shows cards: given `cards=`

    def build_view(self, site: object, cards: CardCache) -> View:
        """The view; `cards`, the build's card memo, only to a view that shows cards."""
        if self.cards:
            return self.view(site, *self.args, **dict(self.kwargs), cards=cards)
        return self.view(site, *self.args, **dict(self.kwargs))

    @property
    def maker(self) -> str:
        """What turns the view into text, for the key: a template name or a writer."""
        if self.template is not None:
            return "template:" + self.template
        assert self.writer is not None, f"{self.path}: no template and no writer"
        return f"writer:{self.writer.__module__}.{self.writer.__qualname__}"


def render_view(spec: OutputSpec, view: View, env: jinja2.Environment) -> str:
    """The text of one output; Jinja errors propagate (the caller reports them)."""
    if spec.template is not None:
        return env.get_template(spec.template).render(**view)
    assert spec.writer is not None
    return spec.writer(view)
