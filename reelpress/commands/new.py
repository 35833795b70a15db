"""`reelpress new "Title"`: start an article with the front matter filled in."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from reelpress.content.frontmatter import forbidden_character
from reelpress.content.schema import slugify, unsafe_name
from reelpress.core.config import load_config
from reelpress.core.project import ProjectPaths

TEMPLATE = """---
title: {title}
date: {date}
author: {author}
summary: ""
tags: []
# image: media/photo.jpg
# image_alt: ""
draft: true
faq: []
---

Write the story here. To embed a video, put the file in media/ and write
`![What the video shows](media/clip.mp4)` on a line of its own (without the backquotes).
"""


def new_article(root: Path, title: str, slug: str | None, prog: str = "python build.py") -> int:
    """Write content/<slug>.md as a draft; never overwrite. Exit code as the CLI's."""
    paths = ProjectPaths.at(root)
    config, problems = load_config(paths)
    if config is None:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        return 1
    bad = forbidden_character(title)
    if bad:
        print(f"the headline contains the control character {bad}: remove it", file=sys.stderr)
        return 2
    name = slugify(slug or title)  # at most 100 bytes, however long the headline
    if not name:
        print(f"cannot make a file name from {title!r}: pass --slug", file=sys.stderr)
        return 2
    if reason := unsafe_name(name):
        print(f"cannot use {name!r} as a file name ({reason}): pass another --slug",
              file=sys.stderr)
        return 2
    target = paths.content_dir / f"{name}.md"
    if target.exists():
        print(f"{paths.relative(target)} already exists: choose another --slug",
              file=sys.stderr)
        return 1
    now = dt.datetime.now(config.tzinfo).replace(microsecond=0)
    quoted = json.dumps(title, ensure_ascii=False)  # a JSON string is a YAML string
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(TEMPLATE.format(title=quoted, date=now.isoformat(sep=" "),
                                      author=config.default_author or '""'),
                      encoding="utf-8")
    print(f"created {paths.relative(target)} (a draft: preview it with "
          f"{prog} serve --drafts, publish it by removing 'draft: true')")
    return 0
