"""Split a Markdown file into YAML front matter and body, and parse the YAML fast.

Positions are only needed when something is wrong, so the fast C loader parses every
file and the (slower) node composer runs only to find the line of a problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C loader is about ten times faster than the pure-Python one
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that keeps an impossible date (`2025-13-45`) as text: PyYAML raises a
    bare ValueError for it, and the schema then reports it on its own line."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)

_FENCE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class SplitSource:
    """A file's front matter text and body; `body_line` is the file line the body starts on."""

    front_matter: str | None
    body: str
    front_matter_line: int
    body_line: int


class FrontMatterError(ValueError):
    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def split_front_matter(text: str) -> SplitSource:
    """`---\\nyaml\\n---\\nbody`; a file without a leading `---` has no front matter."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return SplitSource(None, text, 1, 1)
    first_newline = text.index("\n") + 1
    closing = _FENCE.search(text, first_newline)
    if closing is None:
        raise FrontMatterError(1, "front matter starts with '---' but has no closing '---' line")
    front = text[first_newline:closing.start()]
    end = closing.end()
    if text.startswith("\r\n", end):
        end += 2
    elif text.startswith("\n", end):
        end += 1
    body_line = text.count("\n", 0, end) + 1
    return SplitSource(front, text[end:], 2, body_line)


def parse_yaml(front_matter: str, first_line: int) -> dict[str, Any]:
    """Parse front matter to a dict; errors carry the line in the Markdown file."""
    try:
        data = yaml.load(front_matter, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is noticed lines later: point at where it opened.
        opened = exc.context_mark is not None and any(
            word in (exc.context or "") for word in ("flow", "quoted"))
        mark = exc.context_mark if opened else (exc.problem_mark or exc.context_mark)
        line = first_line + mark.line if mark is not None else None
        problem = exc.problem or str(exc)
        context = f" {exc.context}" if exc.context else ""
        if opened and exc.problem_mark and exc.problem_mark.line != mark.line:
            context += f" that starts here (noticed on line {first_line + exc.problem_mark.line})"
        raise FrontMatterError(line, f"invalid YAML: {problem}{context}".strip()) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(first_line, f"invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(first_line, "front matter must be a mapping of key: value lines")
    return data


def locate(front_matter: str, first_line: int, path: tuple[str | int, ...]) -> int | None:
    """The file line of a key path like ('faq', 2, 'a'); the nearest existing parent otherwise."""
    try:
        node = yaml.compose(front_matter, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = first_line
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            for key_node, value_node in node.value:
                if key_node.value == step:
                    line = first_line + key_node.start_mark.line
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return line
            node = node.value[step]
            line = first_line + node.start_mark.line
        else:
            return line
    return line
