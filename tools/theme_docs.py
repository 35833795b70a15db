"""What each theme template receives, read from a real build (so docs/themes.md cannot drift).

A small sample site is built with every page template replaced by a template that walks
its own context and prints each variable's path and type; the tables of docs/themes.md
are generated from that, and tests/test_newsroom_theme_docs.py checks the file still
matches. After changing what a view passes to its template:

    python tools/theme_docs.py --write      # rewrite the tables of docs/themes.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "themes.md"
TEMPLATES = {  # template -> the output file that shows it in the sample site
    "article.html": "harbour-crane/index.html",
    "page.html": "about/index.html",
    "index.html": "index.html",
    "tag.html": "tags/harbour/index.html",
    "tags.html": "tags/index.html",
    "archive.html": "archive/index.html",
    "author.html": "authors/desk/index.html",
    "404.html": "404.html",
}
USER_MAPPINGS = ("site.extra", "page.extra")  # the author's own data: not walked

# Walks the context with Jinja's own tests; `self._TemplateReference__context` is the
# template's context (Jinja keeps it there), minus the environment's globals.
DUMP = """{%- macro walk(path, value, depth) -%}
{%- if value is mapping -%}
{{ path }}|mapping
{% if depth < 5 and path not in user_mappings %}{% for key in value|sort %}\
{{ walk(path ~ "." ~ key, value[key], depth + 1) }}{% endfor %}{% endif %}
{%- elif value is string -%}
{{ path }}|{{ "html" if value.__html__ is defined else "string" }}
{% elif value is boolean -%}
{{ path }}|boolean
{% elif value is number -%}
{{ path }}|number
{% elif value is none -%}
{{ path }}|none
{% elif value is callable -%}
{{ path }}|function
{% elif value is sequence -%}
{{ path }}|list
{% if value|length and depth < 5 %}{{ walk(path ~ "[]", value[0], depth + 1) }}{% endif %}
{%- else -%}
{{ path }}|object
{% endif -%}
{%- endmacro -%}
{%- set user_mappings = USER_MAPPINGS -%}
{%- set dumped = self._TemplateReference__context -%}
{%- for name in dumped.keys()|sort if name not in GLOBALS + ["dumped", "user_mappings", "walk"] -%}
{{ walk(name, dumped[name], 0) }}
{%- endfor -%}
"""

SITE_TOML = """\
title = "Sample Herald"
base_url = "https://example.org/"
description = "A sample site that shows every template variable"
timezone = "Europe/Paris"
author = "desk"

[extra]
tagline = "Anything you like"

[authors.desk]
name = "Sample Desk"
url = "https://example.org/about/"
bio = "The newsroom."
photo = "https://example.org/desk.jpg"
social = { Mastodon = "https://mastodon.example/@desk" }

[[menu.main]]
name = "About"
page = "about"

[[menu.footer]]
name = "About us"
page = "about"
"""

ARTICLE = """---
title: {title}
date: {date}
updated: {date} 18:00:00
summary: A summary of the story.
tags: [Harbour, Boats]
image: media/photo.jpg
image_alt: A photo
image_caption: A caption
image_credit: A credit
{lang}
extra:
  score: 7
faq:
  - q: A question?
    a: An answer.
---

Body text.
"""

PAGE = """---
title: About
summary: Who we are.
updated: 2025-07-01
image: media/photo.jpg
image_alt: A photo
extra:
  founded: 1898
faq:
  - q: A question?
    a: An answer.
---

About us.
"""


def _photo() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (1300, 700), (90, 120, 160)).save(out, "JPEG", quality=70)
    return out.getvalue()


def collect(work: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Build the sample site in `work`; per template: (variable, type, example)."""
    from reelpress.core.options import BuildOptions
    from reelpress.core.project import ProjectPaths
    from reelpress.pipeline import build_site
    from reelpress.render.theme import make_environment, resolve_theme

    files: dict[str, str | bytes] = {
        "site.toml": SITE_TOML,
        "media/photo.jpg": _photo(),
        "content/harbour-crane.md": ARTICLE.format(title="Harbour crane", date="2025-07-02",
                                                   lang=""),
        "content/ferry.md": ARTICLE.format(title="Ferry retired", date="2025-07-01",
                                           lang="lang: fr"),
        "content/pages/about.md": PAGE,
    }
    theme, _ = resolve_theme(ProjectPaths.at(work), "default")
    assert theme is not None
    names = sorted(make_environment(theme).globals)
    dump = DUMP.replace("GLOBALS", repr(names)).replace("USER_MAPPINGS", repr(USER_MAPPINGS))
    examples = dump.replace(
        "{{ path }}|{{ \"html\" if value.__html__ is defined else \"string\" }}",
        "{{ path }}|{{ value|string|truncate(60)|e }}").replace(
        "{{ path }}|boolean", "{{ path }}|{{ value }}").replace(
        "{{ path }}|number", "{{ path }}|{{ value }}")
    for template in TEMPLATES:
        files[f"templates/{template}"] = dump
    _write(work / "types", files)
    _write(work / "examples", {**files, **{f"templates/{t}": examples for t in TEMPLATES}})
    found: dict[str, list[tuple[str, str, str]]] = {}
    results = {}
    for kind in ("types", "examples"):
        result = build_site(BuildOptions(root=work / kind,
                                         now=dt.datetime(2025, 8, 1, tzinfo=dt.UTC)))
        if not result.ok:
            raise SystemExit("\n".join(d.format() for d in result.diagnostics))
        results[kind] = result
    for template, output in TEMPLATES.items():
        types = _lines(work / "types/site" / output)
        samples = dict(_lines(work / "examples/site" / output))
        found[template] = [(name, kind, samples.get(name, "") if kind in
                            ("string", "html", "number", "boolean") else "")
                           for name, kind in types]
    return found


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def _lines(path: Path) -> list[tuple[str, str]]:
    import html
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "|" in line:
            name, _, value = line.partition("|")
            rows.append((name.strip(), html.unescape(value.strip())))
    return rows


BEGIN, END = "<!-- variables: generated by tools/theme_docs.py -->", "<!-- end of variables -->"


def tables(found: dict[str, list[tuple[str, str, str]]]) -> str:
    parts = [BEGIN]
    for template, rows in found.items():
        parts += ["", f"### {template}", "", "| variable | type | example |", "|---|---|---|"]
        for name, kind, example in rows:
            shown = example.replace("|", "\\|").replace("\n", " ")
            parts.append(f"| `{name}` | {kind} | {'`' + shown + '`' if shown else ''} |")
    parts += ["", END]
    return "\n".join(parts)


def documented(text: str) -> dict[str, list[tuple[str, str]]]:
    """(variable, type) rows per template, as docs/themes.md lists them."""
    result: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"^### (\S+\.html)$", line)
        if heading:
            current = heading.group(1)
            result[current] = []
            continue
        row = re.match(r"^\| `([^`]+)` \| (\w+) \|", line)
        if row and current:
            result[current].append((row.group(1), row.group(2)))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite docs/themes.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        generated = tables(collect(Path(work)))
    text = DOC.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{DOC} has no {BEGIN} ... {END} section")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    if args.write:
        DOC.write_text(text[:start] + generated + text[end:], encoding="utf-8")
        print(f"wrote {DOC.relative_to(REPO)}")
        return 0
    print(generated)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
