"""Write a small site from a dict of path -> text, build it for real, parse the output back.

Two ways to build: `build()` calls `build_site` in-process (fast, `now` pinned so
"future" is stable), `run_cli()` runs `python build.py` in a subprocess (exit codes,
stderr, no traceback). `parse_html()` turns a page into a small tree with the stdlib
`html.parser`, so tests can count `<script>` elements and compare visible text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from reelpress.pipeline import BuildOptions, BuildResult, build_site

REPO = Path(__file__).resolve().parent.parent
BUILD_PY = REPO / "build.py"
# "Today" for in-process builds: articles dated after this are future-dated.
NOW = dt.datetime(2025, 8, 1, 12, 0, tzinfo=dt.UTC)

SITE_TOML = """\
title = "Test Gazette"
base_url = "https://example.org/"
description = "A site made by a test"
timezone = "Europe/Paris"
author = "desk"

[authors.desk]
name = "Test Desk"
url = "https://example.org/desk/"
"""


def site_toml(*top_level: str, base: str = SITE_TOML) -> str:
    """SITE_TOML with extra top-level lines (`'theme = "x"'`) put before its tables."""
    head, table, rest = base.partition("\n[")
    return "\n".join([head, *top_level]) + "\n" + (table + rest if table else "")


def article(title: str, date: str, body: str = "Body text.", **fields: str) -> str:
    """A Markdown file with front matter; extra `fields` are written as YAML lines as given."""
    lines = ["---", f"title: {json.dumps(title)}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines += ["---", "", body, ""]
    return "\n".join(lines)


def write_site(root: Path, files: Mapping[str, str | bytes], *, site_toml: str | None = SITE_TOML
               ) -> Path:
    """Create the files under `root`; `site_toml=None` leaves site.toml out."""
    root.mkdir(parents=True, exist_ok=True)
    all_files: dict[str, str | bytes] = {}
    if site_toml is not None:
        all_files["site.toml"] = site_toml
    all_files.update(files)
    for rel, data in all_files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def build(root: Path, **options: object) -> BuildResult:
    """Build in-process with `now` pinned to NOW unless given."""
    options.setdefault("now", NOW)
    return build_site(BuildOptions(root=root, **options))  # type: ignore[arg-type]


def build_ok(root: Path, **options: object) -> BuildResult:
    result = build(root, **options)
    assert result.ok, "\n".join(d.format() for d in result.diagnostics)
    return result


def run_cli(root: Path | None, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python build.py [args] --root ROOT` from the repo, as a user would run it."""
    command = [sys.executable, str(BUILD_PY), *args]
    if root is not None:
        command += ["--root", str(root)]
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env=env)


def problem_lines(stderr: str) -> list[str]:
    """The diagnostic lines of stderr (without the final summary line)."""
    return [line for line in stderr.splitlines()
            if line.strip() and not line.startswith("build failed:")]


def assert_no_traceback(process: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in process.stderr, process.stderr
    assert "Traceback" not in process.stdout, process.stdout


def snapshot(site_dir: Path) -> dict[str, tuple[str, int, int]]:
    """Every file of a built site: sha256, mtime in ns and inode."""
    found: dict[str, tuple[str, int, int]] = {}
    for path in sorted(site_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(site_dir).as_posix()] = (
                hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_mtime_ns, stat.st_ino)
    return found


# --- HTML parsing --------------------------------------------------------------------------

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, class_: str | None = None,
                 **attrs: str) -> list[Node]:
        return [node for node in self.iter()
                if (tag is None or node.tag == tag)
                and (class_ is None or class_ in (node.attrs.get("class") or "").split())
                and all(node.attrs.get(k.rstrip("_").replace("_", "-")) == v
                        for k, v in attrs.items())]

    def find(self, tag: str | None = None, *, class_: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, class_=class_, **attrs)
        assert found, f"no <{tag} class={class_!r} {attrs}> in the page"
        return found[0]

    def raw_text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.raw_text())
        return "".join(parts)

    def text(self) -> str:
        """Text content with whitespace collapsed (what a reader sees, roughly)."""
        return normalize(self.raw_text())

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # close it (and anything left open)
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


@dataclass
class Page:
    root: Node
    comments: list[str]
    source: str

    def find_all(self, tag: str | None = None, **kwargs: str) -> list[Node]:
        return self.root.find_all(tag, **kwargs)

    def find(self, tag: str | None = None, **kwargs: str) -> Node:
        return self.root.find(tag, **kwargs)

    @property
    def scripts(self) -> list[Node]:
        return self.root.find_all("script")

    def jsonld(self) -> list[dict]:
        """Every ld+json block, parsed; another inline script fails the test (a script
        file of the site, such as the search page's, is not data)."""
        blocks = []
        for script in self.scripts:
            if script.get("src"):
                continue
            assert script.get("type") == "application/ld+json", f"unexpected script {script.attrs}"
            blocks.append(json.loads(script.raw_text()))
        return blocks

    def jsonld_of(self, kind: str) -> list[dict]:
        return [block for block in self.jsonld() if block.get("@type") == kind]

    def links(self) -> list[str]:
        """Every href/src/srcset URL of the page."""
        urls: list[str] = []
        for node in self.root.iter():
            for name in ("href", "src"):
                if node.attrs.get(name):
                    urls.append(node.attrs[name] or "")
            if node.attrs.get("srcset"):
                srcset = node.attrs["srcset"] or ""
                urls += [part.strip().split()[0] for part in srcset.split(",") if part.strip()]
        return urls


def parse_html(source: str) -> Page:
    builder = _TreeBuilder()
    builder.feed(source)
    builder.close()
    return Page(builder.root, builder.comments, source)


def read_page(site_dir: Path, rel: str) -> Page:
    return parse_html((site_dir / rel).read_text(encoding="utf-8"))


def html_text(fragment: str) -> str:
    """Text content of an HTML fragment (tags stripped, entities decoded, spaces collapsed)."""
    return parse_html(fragment).root.text()
