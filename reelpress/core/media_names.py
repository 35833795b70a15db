"""The one media contract below every stage: which file extension is which kind of
media, and how a name an author wrote finds its file.

Markup decides what is an embed with `media_kind`; the photo and video stages find
the file with `resolve_media`; both read the same table, so a name the markup stage
accepts is never refused later for its extension. Names come as cameras, phones and
editors write them: percent-encoded by the Markdown parser (`caf%C3%A9.mp4`), with
spaces and quotes, accents in NFC or NFD (macOS writes NFD), extensions in upper case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from reelpress.core.languages import slugify
from reelpress.core.project import ProjectPaths, SymlinkLoop, UnsafePath, resolve_inside

VIDEO_EXTENSIONS = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg",
                              ".mpeg"})
AUDIO_EXTENSIONS = frozenset({".mp3", ".wav", ".m4a", ".aac", ".ogg", ".oga", ".opus",
                              ".flac"})
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff",
                              ".avif", ".heic", ".heif", ".bmp"})
# Photos the markup stage knows as photos (so they are never left as a broken <img>)
# but the photo stage does not publish: refused at their line, with what to do instead.
UNSUPPORTED_PHOTO_EXTENSIONS = {".heic": "HEIC", ".heif": "HEIF", ".bmp": "BMP"}
MEDIA_KINDS: dict[str, str] = {
    **dict.fromkeys(VIDEO_EXTENSIONS, "video"),
    **dict.fromkeys(AUDIO_EXTENSIONS, "audio"),
    **dict.fromkeys(IMAGE_EXTENSIONS, "image"),
}
_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_WINDOWS_DRIVE = re.compile(r"^[a-zA-Z]:[\\/]")


def output_stem(source_stem: str) -> str:
    """The readable start of an output's file name, for photos and video alike:
    'Café de Flore' -> 'cafe-de-flore', 'IMG_0042' -> 'img-0042' (the hash that
    follows makes it unique)."""
    return slugify(source_stem)[:60].strip("-") or "media"


class MediaPathProblem(Exception):
    """A reference that names no usable file: `message` and `hint` for one diagnostic."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class MediaRequest:
    """One use of a media file, photo or video: where the author wrote it (front matter
    or a body line) and what with."""

    source_ref: str
    article: str
    article_dir: Path
    line: int | None = None
    alt: str | None = None
    social_card: bool = False  # a photo that also makes the page's og:image card
    poster_time: float | None = None  # `{poster=4.5}` of a video
    chapters: tuple[str, ...] = ()  # front matter lines like "1:30 The rescue"


def extension_kind(extension: str) -> str | None:
    """'video' / 'audio' / 'image' for an extension such as '.MP4', else None."""
    return MEDIA_KINDS.get(extension.lower())


def media_kind(src: str) -> str | None:
    """Local media by extension; remote URLs and data: are left to the browser."""
    if _SCHEME.match(src):
        return None
    path = src.split("?", 1)[0].split("#", 1)[0]
    dot = path.rfind(".")
    return extension_kind(path[dot:]) if dot >= 0 else None


def resolve_media(project: ProjectPaths, article_dir: Path, ref: str, what: str) -> Path:
    """The real file for a reference: next to the article first, then from the project
    root; never outside the project (symlinks included). `what` names it in messages
    ('image', 'video'). Raises MediaPathProblem."""
    ref = ref.strip()
    if not ref:
        raise MediaPathProblem(f"{what} with an empty path",
                               "write the file name, e.g. media/x.jpg")
    if _SCHEME.match(ref) and not _WINDOWS_DRIVE.match(ref):
        raise MediaPathProblem(f"{what} {ref!r} is not a local file",
                               "reelpress processes media stored in the project; put the file "
                               "in media/ and refer to it as media/name.ext")
    root = project.root
    bases = [root] if ref.startswith("/") else [Path(article_dir), root]
    # Markdown parsers percent-encode link targets ("my%20clip.mp4", "caf%C3%A9.jpg"):
    # try the name as written, then decoded.
    spellings = dict.fromkeys((ref, unquote(ref)))
    shown_ref = unquote(ref)  # messages name the file as the author wrote it
    unsafe: UnsafePath | None = None
    tried: list[str] = []
    for base in bases:
        for spelling in spellings:
            try:
                candidate = resolve_inside(root, Path(base).resolve(), spelling)
                if not candidate.is_file():
                    found = _loose_match(candidate)
                    candidate = resolve_inside(root, found.parent, found.name)
            except UnsafePath as exc:
                unsafe = unsafe or exc
                continue
            except FileNotFoundError:
                pass
            if candidate.is_file():
                return candidate
            if spelling == shown_ref:
                tried.append(project.relative(candidate))
    shown = ", ".join(dict.fromkeys(tried))
    ref = shown_ref
    if isinstance(unsafe, SymlinkLoop):
        raise MediaPathProblem(f"{what} {ref!r} is a symbolic link loop",
                               "replace the link with the file itself")
    if unsafe is not None and not tried:
        raise MediaPathProblem(f"{what} {ref!r} is outside the project",
                               "media must live inside the project folder (links pointing "
                               "out are refused); copy the file into media/")
    if unsafe is not None:
        raise MediaPathProblem(f"{what} {ref!r} not found, and it points outside the project",
                               f"looked for {shown}; copy the file into media/")
    raise MediaPathProblem(f"{what} {ref!r} not found",
                           f"looked for {shown}; check the file name and its folder")


def _name_key(name: str, last: bool) -> str:
    """Two spellings of one name compare equal: NFC accents, and for the file itself
    its extension in any case (`IMG_0042.MOV` written `IMG_0042.mov`)."""
    name = unicodedata.normalize("NFC", name)
    if not last:
        return name
    stem, dot, extension = name.rpartition(".")
    return f"{stem}.{extension.lower()}" if dot and stem else name


def _loose_match(candidate: Path) -> Path:
    """The existing path that differs from `candidate` only by Unicode normalization or
    the case of its extension; FileNotFoundError when there is none (or several)."""
    existing = candidate
    missing: list[str] = []
    while not existing.exists():
        if existing.parent == existing:
            raise FileNotFoundError(candidate)
        missing.insert(0, existing.name)
        existing = existing.parent
    for position, part in enumerate(missing):
        last = position == len(missing) - 1
        wanted = _name_key(part, last)
        matches = [entry for entry in _entries(existing) if _name_key(entry.name, last) == wanted]
        if len(matches) != 1:
            raise FileNotFoundError(candidate)
        existing = matches[0]
    return existing


def _entries(directory: Path) -> Iterator[Path]:
    try:
        yield from directory.iterdir()
    except OSError:
        return
