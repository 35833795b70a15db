"""`{{ include_cached("partials/masthead.html") }}`: an include rendered once per distinct
value of what it reads.

The masthead and the footer of a build read the same site links, menus and strings on
nearly every page; rendered per page they were a tenth of the article template's time.
The text of a partial is a pure function of its template closure (fixed for one
environment: templates are not reloaded) and of the context values it can name, which
Jinja finds in its source (`jinja2.meta.find_undeclared_variables`, over everything it
extends, includes or imports). So the memo is keyed by the digest of those values, never
by a hand-written list, and a site's override of the partial (or of anything it extends)
is what gets rendered. A page's output key is the digest of its whole view plus its
template's closure, which names the partial (`partial_references`).

Loop variables are not in the context a function sees: pass them by name
(`include_cached("partials/card.html", card=card)`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import jinja2
import jinja2.meta
from jinja2 import nodes
from markupsafe import Markup

FUNCTION = "include_cached"
# the context values read without being named: the page's strings and formats
# (gettext and the format_* filters take them from `i18n`)
_IMPLICIT = frozenset({"i18n"})
# texts kept per environment, oldest dropped first: a build's pages share a few chromes,
# and a card is shown on four listings on average (8,192 of ~600 bytes: 5 MB at most)
_MEMO_SIZE = 8192


def partial_references(ast: nodes.Template) -> Iterator[str | None]:
    """The templates a parsed template renders through `include_cached(...)` (None for a
    name that is not a constant)."""
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == FUNCTION:
            first = call.args[0] if call.args else None
            yield first.value if isinstance(first, nodes.Const) and \
                isinstance(first.value, str) else None


def _names_read(env: jinja2.Environment, name: str,
                closure: Callable[[jinja2.Environment, str], frozenset[str]]
                ) -> tuple[str, ...] | None:
    """Every context name the partial and its closure can read; None when that cannot
    be known (a template named by a variable: `{% include page.box %}`)."""
    names: set[str] = set(_IMPLICIT)
    for member in closure(env, name):
        try:
            source, _, _ = env.loader.get_source(env, member)  # type: ignore[union-attr]
            ast = env.parse(source)
            if None in jinja2.meta.find_referenced_templates(ast) or \
                    None in partial_references(ast):
                return None
            names |= jinja2.meta.find_undeclared_variables(ast)  # compiles: may raise
        except (jinja2.TemplateError, OSError):
            continue  # rendering it raises the error, naming the template
    return tuple(sorted(names))


def cached_includes(env: jinja2.Environment,
                    closure: Callable[[jinja2.Environment, str], frozenset[str]],
                    digest: Callable[..., str] | None) -> Callable[..., Markup]:
    """The `include_cached` function of one environment (its memo lives and dies with it);
    `digest` (the build graph's canonical one) keys the memo; None: nothing is kept."""
    reads: dict[str, tuple[str, ...] | None] = {}
    texts: dict[str, Markup] = {}

    @jinja2.pass_context
    def include_cached(context: jinja2.runtime.Context, name: str, /, **values: Any) -> Markup:
        if name not in reads:
            reads[name] = _names_read(env, name, closure)
        names = reads[name]
        scope = {**context.get_all(), **values}

        def rendered() -> Markup:
            return Markup(env.get_template(name).render(scope))  # noqa: S704 - autoescaped

        if digest is None or names is None:
            return rendered()
        read = [(key, scope[key]) for key in names
                if key in scope and env.globals.get(key, scope) is not scope[key]]
        try:
            key = digest(name, read)
        except TypeError:  # a value that cannot be digested (a macro): not remembered
            return rendered()
        text = texts.get(key)
        if text is None:
            if len(texts) >= _MEMO_SIZE:
                del texts[next(iter(texts))]
            text = texts[key] = rendered()
        return text

    return include_cached
