"""Find and read every article under content/, in parallel-friendly pure steps."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from stat import S_ISREG

from reelpress.content.frontmatter import (
    FrontMatterError,
    forbidden_character,
    parse_yaml,
    split_front_matter,
)
from reelpress.content.schema import PageMeta, slugify, unsafe_name, validate_meta
from reelpress.core.config import SiteConfig
from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.languages import is_language
from reelpress.core.records import pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SourcePage:
    """One article as read from disk: validated metadata, Markdown body, where it goes."""

    rel: str                # 'content/paris-rescue.md'
    source_dir: Path        # absolute directory of the file (media refs resolve from here)
    meta: PageMeta
    body: str
    body_line: int          # file line of the body's first line
    url_path: str           # 'paris-rescue/' (site-relative, pretty URL)
    source_hash: str        # sha1 of the file bytes

    @property
    def output_path(self) -> str:
        return self.url_path + "index.html"


@dataclass(frozen=True)
class SourceFile:
    path: str                # absolute (a plain string: there are thousands of these)
    rel_to_content: str      # '2025/paris.md'
    mtime_ns: int
    size: int


_SKIPPED = (".", "_")  # hidden and `_`-prefixed files and folders are no sources


def find_sources(content_dir: Path) -> list[SourceFile]:
    """All Markdown files, sorted, with their stat signature (one scandir pass);
    hidden and `_`-prefixed files and folders are skipped."""
    found: list[SourceFile] = []
    pending: list[tuple[str, str]] = [(str(content_dir), "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(_SKIPPED):
                    continue
                if entry.is_dir():
                    pending.append((entry.path, f"{prefix}{entry.name}/"))
                elif entry.name.endswith(".md") and entry.is_file():
                    stat = entry.stat()
                    found.append(SourceFile(entry.path, prefix + entry.name,
                                            stat.st_mtime_ns, stat.st_size))
    found.sort(key=lambda source: source.rel_to_content)
    return found


def source_file(content_dir: Path, path: str) -> SourceFile | None:
    """`path` as `find_sources` would find it (its stat taken now), or None when that
    walk would not (hidden, `_`-prefixed, not Markdown, gone)."""
    root = str(content_dir)
    if not path.startswith(root + os.sep):
        return None
    rel = path[len(root) + 1:]
    if not rel.endswith(".md") or any(part.startswith(_SKIPPED) for part in rel.split(os.sep)):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return SourceFile(path, rel.replace(os.sep, "/"), stat.st_mtime_ns, stat.st_size)


PAGES_FOLDER = "pages"  # content/pages/about.md is the page /about/


def folder_language(rel_to_content: PurePosixPath) -> str | None:
    """content/fr/paris.md -> 'fr': a top-level folder named after a language sets the
    language of the articles in it (their `lang:` still wins)."""
    parts = rel_to_content.parts
    return parts[0] if len(parts) > 1 and is_language(parts[0]) else None


def url_path_for(rel_to_content: PurePosixPath, slug: str | None, style: str = "ascii") -> str:
    """Pretty URL: content/2025/paris.md -> '2025/paris/'; a slug replaces the file name."""
    parent = [slugify(part, style) or part for part in rel_to_content.parent.parts]
    leaf = slug if slug is not None else slugify(rel_to_content.stem, style)
    if "/" in leaf:  # an explicit slug with slashes is the whole path
        return leaf.strip("/") + "/"
    return "/".join([*parent, leaf]) + "/"


def load_page(path: Path, *, rel: str, rel_to_content: PurePosixPath,
              config: SiteConfig) -> tuple[SourcePage | None, list[Diagnostic]]:
    """Read one file; never raises for a user's mistake."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [error(rel, 1, f"cannot read file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [error(rel, line, "not valid UTF-8 text", "save the file as UTF-8")]
    if not text.strip():
        return None, [error(rel, 1, "empty file", "add front matter with title and date")]
    try:
        split = split_front_matter(text)
        if split.front_matter is None:
            return None, [error(rel, 1, "no front matter",
                                "start the file with '---', title: and date:, then '---'")]
        data = parse_yaml(split.front_matter, split.front_matter_line)
    except FrontMatterError as exc:
        return None, [error(rel, exc.line, exc.message)]
    bad = forbidden_character(split.body)
    if bad:
        offset = split.body.index(chr(int(bad[2:], 16)))
        line = split.body_line + split.body.count("\n", 0, offset)
        return None, [error(rel, line, f"the text contains the control character {bad}",
                            "remove it (it cannot be published in HTML or feeds)")]
    in_pages = rel_to_content.parts[:1] == (PAGES_FOLDER,) and len(rel_to_content.parts) > 1
    meta, problems = validate_meta(
        data, rel=rel, front_matter=split.front_matter, first_line=split.front_matter_line,
        config=config, file_stem=rel_to_content.stem, in_pages=in_pages,
    )
    if meta is None:
        return None, problems
    if meta.lang is None and (language := folder_language(rel_to_content)):
        meta = dataclasses.replace(meta, lang=language)
    page = SourcePage(
        rel=rel,
        source_dir=path.parent,
        meta=meta,
        body=split.body,
        body_line=split.body_line,
        url_path=url_path_for(PurePosixPath(*rel_to_content.parts[1:])
                              if in_pages and meta.is_page else rel_to_content, meta.slug,
                              config.slug_style),
        source_hash=hashlib.sha1(raw).hexdigest(),
    )
    for segment in page.url_path.strip("/").split("/"):  # folder names count too
        if reason := unsafe_name(segment):
            return None, [*problems, error(rel, meta.slug_line or 1,
                                           f"writes /{page.url_path}: {reason}",
                                           "rename the folder or give a 'slug:'")]
    return page, problems


# Pages the site makes itself (archive, topics, home page 2...): an article writing one
# of them would be silently overwritten; the search index's folder is replaced whole.
_RESERVED = re.compile(
    r"^(?:archive|search(?:/.*)?|pagefind(?:/.*)?|tags(?:/.*)?|authors/[^/]+|page/\d+)/$")


def duplicate_outputs(pages: list[SourcePage]) -> list[Diagnostic]:
    """Two pages writing the same file is an error naming both; so is an article that
    would write over the archive, a topic page or a page of the home page."""
    seen: dict[str, SourcePage] = {}
    problems: list[Diagnostic] = []
    for page in pages:
        line = page.meta.slug_line or 1  # the slug, or the file itself when its name is the URL
        if _RESERVED.match(page.url_path):
            problems.append(error(page.rel, line,
                                  f"writes /{page.url_path}, a page the site itself makes",
                                  "give it another 'slug:' or move the file"))
            continue
        other = seen.get(page.output_path)
        if other is not None:
            problems.append(error(page.rel, line,
                                  f"writes the same page /{page.url_path} as {other.rel}",
                                  "give one of them a different 'slug:' in its front matter"))
        else:
            seen[page.output_path] = page
    return problems


def is_published(meta: PageMeta, *, drafts: bool, future: bool, now: object) -> bool:
    if meta.draft and not drafts:
        return False
    return future or not meta.dated or meta.date <= now  # type: ignore[operator]


def skipped_counts(metas: list[PageMeta], options: object, now: object) -> dict[str, int]:
    """How many pages this build leaves out, for the summary: drafts, then future ones."""
    drafts = bool(getattr(options, "drafts", False))
    future = bool(getattr(options, "future", False))
    skipped_drafts = sum(1 for meta in metas if meta.draft and not drafts)
    skipped_future = sum(1 for meta in metas if not (meta.draft and not drafts)
                         and not is_published(meta, drafts=True, future=future, now=now))
    return {"drafts_skipped": skipped_drafts, "future_skipped": skipped_future}
