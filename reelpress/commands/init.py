"""`reelpress init DIR`: a working site skeleton, as `hugo new site` or `zola init` make.

It writes a commented site.toml, an example article (with an FAQ and a photo), an About
page, media/, themes/, a .gitignore and a build.py shim; the result builds and passes
`check` as it is. A non-empty DIR is refused unless --force, and even then no existing
file is overwritten.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path

from reelpress.core.languages import slugify

SITE_TOML = '''\
# site.toml: the configuration of this site. Every key is listed; the commented ones
# show their default. Full reference: the README of reelpress.

title = {title}                          # required: the name of the publication
base_url = "https://example.org/"        # required: where the site will live (may have a sub-path)
language = "en"                          # the language of the site (BCP 47)
timezone = "UTC"                         # for dates written without a time zone (IANA name)
description = {description}  # for the home page, feeds and search engines
# theme = "default"                      # or the name of a folder in themes/
author = "desk"                          # the default author: a key of [authors]
# per_page = 20                          # articles per page of the home and topic pages
# feed_entries = 20                      # articles in each feed
# related_stories = 3                    # related stories under each article (0: none)
# faq_jsonld = true                      # false: no FAQPage JSON-LD (the FAQ is still shown)
# relative_urls = false                  # true: links that also work from the file system
# ffmpeg = "/usr/local/bin/ffmpeg"       # else $REELPRESS_FFMPEG, PATH, imageio-ffmpeg

[authors.desk]                           # each key gets a page /authors/KEY/
name = "The Desk"
url = "https://example.org/about/"       # the author's own page (here: the About page)
bio = {bio}
# photo = "static/desk.jpg"              # a file of static/ or an absolute URL
# social = {{ Mastodon = "https://mastodon.example/@desk" }}

[publisher]                              # NewsArticle.publisher (default: the title)
name = {title}
# url = "https://example.org/"
# logo = "static/logo.png"

# Links in the masthead and the footer: page = a page of content/pages/, or url = any URL.
[[menu.main]]
name = "About"
page = "about"

[[menu.footer]]
name = "About us"
page = "about"

[extra]                                  # anything; templates see it as site.extra
tagline = "Local news, every day"

# [build]
# allow_html = false                     # raw HTML in Markdown is escaped unless true

# [images]                               # how photos are processed
# widths = [480, 800, 1200, 1600]
# avif = true
# webp = true
# jpeg_quality = 82

# [video]                                # how video is processed
# max_height = 720                       # cap of the short side
# crf = 23                               # H.264 quality (lower is better)
# preset = "veryfast"
# av1 = true                             # false: H.264 only
# remux = true                           # copy web-safe sources instead of re-encoding
'''

ARTICLE = '''\
---
title: {welcome}
date: {date}
summary: "The first article of the site: edit it, or start another with `reelpress new`."
tags: [Newsroom]
image: media/harbour-at-dawn.jpg
image_alt: "An abstract picture of a harbour at dawn: a pale sky over dark water"
image_caption: "The harbour at dawn (an example picture made by reelpress init)."
image_credit: "reelpress"
faq:
  - q: Where do I write articles?
    a: In `content/`, one Markdown file per article, with front matter like this one.
  - q: How do I see the site?
    a: Run `reelpress serve` and open <http://127.0.0.1:8000/>.
---

This is an example article. Photos and videos go in `media/` and are embedded like this:

![The harbour, again](media/harbour-at-dawn.jpg "The same photo in the body"){{credit="reelpress"}}

::: faq
### Can a question be written in the body?
Yes: a `::: faq` block like this one joins the questions of the front matter.
:::
'''

ABOUT = '''\
---
title: {about}
summary: "Who we are and how to reach us."
---

A page of `content/pages/` is a standalone page (here `/about/`): it has no date and is
not listed with the articles. The `[[menu.main]]` table of `site.toml` links to it.
'''

GITIGNORE = "site/\n.reelpress-cache/\n"

BUILD_PY = '''\
#!/usr/bin/env python3
"""Build this site: `python build.py` (the same as `reelpress build`); `--help` for more."""

import sys

if __name__ == "__main__":
    try:
        from reelpress.cli import main
    except ModuleNotFoundError as exc:
        sys.exit(f"reelpress is not installed ({{exc.name}} missing): run  pip install reelpress")
    sys.exit(main())
'''

THEMES_README = '''\
Your own themes go here, one folder each: themes/<name>/ with templates/, static/ and a
theme.toml. `extends = "default"` in theme.toml inherits every template you do not
override. Select a theme with `theme = "<name>"` in site.toml.
'''


def example_photo() -> bytes:
    """A 1600x1000 JPEG drawn here (a sky gradient over water): no file to ship, and
    large enough for the 1200x630 social card."""
    from PIL import Image, ImageDraw

    width, height = 1600, 1000
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    horizon = int(height * 0.62)
    for y in range(horizon):
        t = y / horizon
        draw.line([(0, y), (width, y)], fill=(int(250 - 90 * t), int(190 - 60 * t),
                                               int(150 + 40 * t)))
    for y in range(horizon, height):
        t = (y - horizon) / (height - horizon)
        draw.line([(0, y), (width, y)], fill=(int(40 - 25 * t), int(60 - 30 * t),
                                               int(90 - 40 * t)))
    draw.ellipse([width * 0.62, horizon - 140, width * 0.62 + 180, horizon + 40],
                 fill=(255, 226, 160))
    for x in range(120, width, 260):  # quay posts
        draw.rectangle([x, horizon - 60, x + 18, horizon + 10], fill=(25, 25, 35))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def skeleton(title: str, today: dt.date) -> dict[str, str | bytes]:
    """Every file of a new site, by path relative to its folder."""
    def quoted(text: str) -> str:
        """A TOML basic string, and a YAML double-quoted scalar: JSON is both."""
        return json.dumps(text, ensure_ascii=False)

    return {
        "site.toml": SITE_TOML.format(title=quoted(title),
                                      description=quoted(f"News from {title}"),
                                      bio=quoted(f"The newsroom of {title}.")),
        f"content/{today.isoformat()}-welcome.md": ARTICLE.format(
            welcome=quoted(f"Welcome to {title}"), date=today.isoformat()),
        "content/pages/about.md": ABOUT.format(about=quoted(f"About {title}")),
        "media/harbour-at-dawn.jpg": example_photo(),
        "themes/README.md": THEMES_README,
        ".gitignore": GITIGNORE,
        "build.py": BUILD_PY.format(),
    }


def init_site(target: Path, *, force: bool = False, title: str | None = None,
              quiet: bool = False, prog: str = "reelpress",
              today: dt.date | None = None) -> int:
    """Write the skeleton into `target`; exit code as the CLI's (1: refused)."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        print(f"init: {target} exists and is not a folder", file=sys.stderr)
        return 1
    if target.is_dir() and any(target.iterdir()) and not force:
        print(f"init: {target} is not empty: choose a new folder, or pass --force "
              "(existing files are kept)", file=sys.stderr)
        return 1
    resolved = target.resolve()
    name = title or " ".join(part.capitalize() for part in
                             slugify(resolved.name).split("-")) or "My News Site"
    files = skeleton(name, today or dt.date.today())
    written, kept = [], []
    for rel, data in files.items():
        path = resolved / rel
        if path.exists():
            kept.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
        written.append(rel)
    if "build.py" in written:
        (resolved / "build.py").chmod(0o755)
    if not quiet:
        print(f"created a site in {target} ({len(written)} files)")
        if kept:
            print("kept existing: " + ", ".join(kept))
        print(f"next: cd {target} && {prog} build    (or {prog} serve for a live preview)")
    return 0
