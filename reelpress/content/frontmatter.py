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
    """Safe loader whose scalar constructors never raise a bare Python error: an
    impossible date (`2025-13-45`) and an integer too long for `int()` stay text (the
    schema then reports them on their own line); a value an explicit tag cannot read
    (`!!float abc`, `!!bool maybe`) is a YAML error at its line."""


_CONSTRUCTOR_FAILURES = (ValueError, KeyError, AttributeError, IndexError, OverflowError,
                         TypeError)


def _unreadable(node: yaml.Node, what: str) -> yaml.constructor.ConstructorError:
    value = str(node.value)
    shown = value if len(value) <= 40 else value[:37] + "..."
    return yaml.constructor.ConstructorError(
        None, None, f"{node.tag.replace('tag:yaml.org,2002:', '!!')} {shown!r} is not {what}",
        node.start_mark)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    if yaml.constructor.SafeConstructor.timestamp_regexp.match(str(node.value)) is None:
        raise _unreadable(node, "a date")  # only an explicit !!timestamp gets here
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except _CONSTRUCTOR_FAILURES:
        return loader.construct_scalar(node)


def _int_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:
        text = loader.construct_scalar(node)
        if re.fullmatch(r"[-+]?[0-9_]+", text) and len(text) > 4000:
            return text  # more digits than Python converts: keep the text
        raise _unreadable(node, "a whole number") from None
    except _CONSTRUCTOR_FAILURES:
        raise _unreadable(node, "a whole number") from None


def _strict(construct: Any, what: str) -> Any:
    def constructor(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
        try:
            return construct(loader, node)
        except _CONSTRUCTOR_FAILURES:
            raise _unreadable(node, what) from None
    return constructor


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_text)
_Loader.add_constructor("tag:yaml.org,2002:float",
                        _strict(yaml.SafeLoader.construct_yaml_float, "a number"))
_Loader.add_constructor("tag:yaml.org,2002:bool",
                        _strict(yaml.SafeLoader.construct_yaml_bool, "true or false"))
_Loader.add_constructor("tag:yaml.org,2002:binary",
                        _strict(yaml.SafeLoader.construct_yaml_binary, "base64 data"))

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
    """Parse front matter to a dict; errors carry the line in the Markdown file.
    The result is bounded (see `check_values`): aliases cannot blow it up."""
    try:
        data, checked = _load(front_matter)
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is noticed lines later: point at where it opened.
        opened = exc.context_mark is not None and any(
            word in (exc.context or "") for word in ("flow", "quoted"))
        mark = exc.context_mark if opened else (exc.problem_mark or exc.context_mark)
        line = first_line + mark.line if mark is not None else None
        problem = exc.problem or str(exc)
        context = f" {exc.context}" if exc.context else ""
        if opened and mark and exc.problem_mark and exc.problem_mark.line != mark.line:
            context += f" that starts here (noticed on line {first_line + exc.problem_mark.line})"
        raise FrontMatterError(line, one_line(f"invalid YAML: {problem}{context}")) from None
    except yaml.reader.ReaderError as exc:
        line = first_line + front_matter.count("\n", 0, max(exc.position, 0))
        raise FrontMatterError(line, f"invalid YAML: character U+{exc.character:04X} is not "
                                     "allowed in YAML text") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise FrontMatterError(first_line, one_line(f"invalid YAML: {exc}")) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError(first_line, "front matter must be a mapping of key: value lines")
    bad_value = None if checked else check_values(data)
    if bad_value is not None:
        path, message = bad_value
        raise FrontMatterError(LineFinder(front_matter, first_line).line(path), message)
    return data


def _load(front_matter: str) -> tuple[Any, bool]:
    """`yaml.load(front_matter, Loader=_Loader)`, and whether the result is known to pass
    `check_values`. The C composer makes the nodes; a plain tree (`_plain_tree`) is built
    here in one pass, anything else (or any problem) by PyYAML's constructor from the
    same nodes, so results and errors are PyYAML's own."""
    loader = _Loader(front_matter)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, True
        counter = [0]
        try:
            data = _plain_tree(loader, node, 0, counter, set())
        except Exception:  # not plain (or not valid): PyYAML's constructor decides
            return loader.construct_document(node), False
        return data, counter[0] <= MAX_VALUES and forbidden_character(front_matter) is None \
            and "\\" not in front_matter
    finally:
        loader.dispose()


class _NotPlain(Exception):
    """A node `_plain_tree` leaves to PyYAML's constructor."""


_YAML = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _YAML + "str", _YAML + "seq", _YAML + "map"
_SCALAR_TAGS = frozenset(_YAML + name for name in
                         ("null", "bool", "int", "float", "binary", "timestamp"))


def _plain_tree(loader: Any, node: yaml.Node, depth: int, counter: list[int],
                collections: set[int]) -> Any:
    """What PyYAML's constructor makes of a tree of plain nodes (scalars of the standard
    tags, lists, mappings with scalar keys and no merge keys), about five times faster:
    no generators, memo or recursion guard, which such a tree does not need. A node used
    twice (an alias), nesting beyond MAX_DEPTH or another tag raises `_NotPlain`.
    `counter[0]` counts values as `check_values` does (the root, items, mapping values)."""
    counter[0] += 1
    if depth > MAX_DEPTH:
        raise _NotPlain
    kind, tag = node.__class__, node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag not in _SCALAR_TAGS:
            raise _NotPlain
        return loader.yaml_constructors[tag](loader, node)
    if id(node) in collections:
        raise _NotPlain
    collections.add(id(node))
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_plain_tree(loader, item, depth + 1, counter, collections)
                for item in node.value]
    if kind is not yaml.MappingNode or tag != _MAP:
        raise _NotPlain
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not yaml.ScalarNode:
            raise _NotPlain
        key_tag = key_node.tag
        if key_tag == _STR:
            key = key_node.value
        elif key_tag in _SCALAR_TAGS:
            key = loader.yaml_constructors[key_tag](loader, key_node)
        else:  # merge keys (`<<`), value keys (`=`), other tags
            raise _NotPlain
        mapping[key] = _plain_tree(loader, value_node, depth + 1, counter, collections)
    return mapping


MAX_VALUES = 200_000  # strings, numbers, lists... after alias expansion
MAX_DEPTH = 64
# C0 and C1 controls (tab, newline and carriage return are text), lone surrogates and the
# two non-characters XML refuses: none can reach HTML, JSON-LD or a feed.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_PUBLISHABLE_ASCII = b"\t\n\r" + bytes(range(0x20, 0x7F))


def one_line(text: str) -> str:
    """A message on a single line (YAML and OS messages carry their own newlines)."""
    return " ".join(text.split())


def forbidden_character(text: str) -> str | None:
    """'U+0001' for the first control character of `text` that must not be published."""
    if text.isascii() and not text.encode("ascii").translate(None, _PUBLISHABLE_ASCII):
        return None  # a byte table: several times faster than the regex on a long text
    found = _FORBIDDEN.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def check_values(data: dict[str, Any]) -> tuple[tuple[str | int, ...], str] | None:
    """Walk the loaded values (iteratively, aliases expanded, with a budget): too many
    values (YAML "billion laughs"), too deep, or a control character from an escape like
    "\\x01" -> (key path, message)."""
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    seen = 0
    while pending:
        path, value = pending.pop()
        seen += 1
        if seen > MAX_VALUES:
            return path[:1], (f"{_key_name(path[:1])}: expands to more than {MAX_VALUES:,} values "
                              "(YAML aliases?)")
        if len(path) > MAX_DEPTH:
            return path[:1], f"{_key_name(path[:1])}: nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, str):
            bad = forbidden_character(value)
            if bad:
                return path, (f"{_key_name(path)}: contains the control character {bad} "
                              "(from an escape like \\x01?)")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and forbidden_character(key):
                    return path, f"a key contains the control character {forbidden_character(key)}"
                pending.append(((*path, key if isinstance(key, str) else str(key)), item))
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
    return None


def _key_name(path: tuple[str | int, ...]) -> str:
    shown = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path)
    shown = shown.lstrip(".") or "front matter"
    return shown if len(shown) <= 60 else shown[:57] + "..."


class LineFinder:
    """File lines of key paths in one front matter; the (C) composer runs once, lazily,
    and mapping keys are indexed on first use, so many problems stay cheap."""

    def __init__(self, front_matter: str, first_line: int):
        self.front_matter = front_matter
        self.first_line = first_line
        self._root: yaml.Node | None = None
        self._composed = False
        self._keys: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}

    def _compose(self) -> yaml.Node | None:
        if not self._composed:
            self._composed = True
            try:
                self._root = yaml.compose(self.front_matter, Loader=_BaseLoader)
            except (yaml.YAMLError, RecursionError):
                self._root = None
        return self._root

    def _index(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for key_node, value_node in node.value:
                index.setdefault(str(key_node.value), (key_node, value_node))
            self._keys[id(node)] = index
        return index

    def line(self, path: tuple[str | int, ...]) -> int | None:
        """The line of a key path like ('faq', 2, 'a'); the nearest existing parent otherwise."""
        node = self._compose()
        if node is None:
            return None
        line = self.first_line
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                found = self._index(node).get(step)
                if found is None:
                    return line
                line = self.first_line + found[0].start_mark.line
                node = found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if step >= len(node.value):
                    return line
                node = node.value[step]
                line = self.first_line + node.start_mark.line
            else:
                return line
        return line


def locate(front_matter: str, first_line: int, path: tuple[str | int, ...]) -> int | None:
    """The file line of a key path like ('faq', 2, 'a'); the nearest existing parent otherwise."""
    return LineFinder(front_matter, first_line).line(path)
