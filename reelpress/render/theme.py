"""Theme resolution and the Jinja environment.

Search order for a template or static file: the site's own `templates/` and `static/`,
then the theme in `themes/<name>/`, then the theme it `extends` (theme.toml), and so on,
ending with the built-in `default` theme shipped inside the package.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.bccache
import jinja2.meta

from reelpress.core.config import THEME_NAME, key_line, read_config_text
from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.project import ProjectPaths
from reelpress.core.tree import files_below
from reelpress.media.records import DEFAULT_SIZES
from reelpress.render.i18n import install_i18n
from reelpress.render.partials import FUNCTION, cached_includes, partial_references

BUILTIN_THEMES = Path(__file__).parent.parent / "themes"
# roles of responsive images; their `sizes` come from the themes' theme.toml (the
# built-in default theme, last in every chain, declares them all)
IMAGE_SIZE_ROLES = ("body", "hero", "card", "lead")


@dataclass(frozen=True)
class Theme:
    """The resolved chain of template and static folders, most specific first."""

    name: str
    template_dirs: tuple[Path, ...]
    static_dirs: tuple[Path, ...]
    # `sizes` attributes of responsive images, by role (body, hero, card, lead): the
    # theme's layout decides how wide an image is shown, so the theme says it
    image_sizes: tuple[tuple[str, str], ...] = ()
    # translation catalogs (`<lang>.po`), most specific first: the site's, then each theme's
    i18n_dirs: tuple[Path, ...] = ()

    def sizes_for(self, role: str) -> str:
        return dict(self.image_sizes).get(role, DEFAULT_SIZES)

    def static_files(self) -> dict[str, Path]:
        """Site-relative path -> file, earlier folders overriding later ones."""
        files: dict[str, Path] = {}
        for folder in reversed(self.static_dirs):
            if not folder.is_dir():
                continue
            for rel, path in files_below(folder):
                if path.is_file() and not path.name.startswith("."):
                    files[rel] = path
        return files

    def fingerprint_of(self, names: frozenset[str]) -> str:
        """Hash of the named templates as resolved (the first folder that has each)."""
        digest = hashlib.sha1()
        for name in sorted(names):
            for folder in self.template_dirs:
                candidate = folder / name
                if candidate.is_file():
                    digest.update(name.encode() + b"\0" + candidate.read_bytes())
                    break
        return digest.hexdigest()

    def templates_fingerprint(self) -> str:
        """Hash of every template file of the chain: a compiled environment is reused
        only while this stays the same."""
        digest = hashlib.sha1()
        for folder in self.template_dirs:
            if folder.is_dir():
                for _, path in files_below(folder):
                    if path.is_file():
                        digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
                        digest.update(path.read_bytes())
        return digest.hexdigest()


def _theme_dir(paths: ProjectPaths, name: str) -> Path | None:
    for base in (paths.themes_dir, BUILTIN_THEMES):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    return None


def resolve_theme(paths: ProjectPaths, name: str) -> tuple[Theme | None, list[Diagnostic]]:
    """Follow `extends` from the named theme down to the built-in default."""
    config_rel = paths.relative(paths.config_file)
    template_dirs: list[Path] = [paths.templates_override_dir]
    static_dirs: list[Path] = [paths.static_override_dir]
    i18n_dirs: list[Path] = [paths.i18n_dir]
    seen: list[str] = []
    sizes: dict[str, str] = {}
    current: str | None = name
    while current is not None:
        if current in seen:
            chain = " -> ".join([*seen, current])
            return None, [error(config_rel, None, f"theme inheritance loops: {chain}")]
        seen.append(current)
        folder = _theme_dir(paths, current)
        if folder is None:
            available = sorted({p.name for base in (paths.themes_dir, BUILTIN_THEMES)
                                if base.is_dir() for p in base.iterdir() if p.is_dir()})
            if len(seen) == 1:
                where, line = config_rel, key_line(read_config_text(paths), "theme")
            else:
                child_toml = _theme_dir(paths, seen[-2]) / "theme.toml"  # type: ignore[operator]
                where = paths.relative(child_toml)
                line = key_line(child_toml.read_text(encoding="utf-8"), "extends")
            return None, [error(where, line, f"unknown theme '{current}'",
                                f"available themes: {', '.join(available)}")]
        template_dirs.append(folder / "templates")
        static_dirs.append(folder / "static")
        i18n_dirs.append(folder / "i18n")
        parent = None
        theme_toml = folder / "theme.toml"
        if theme_toml.is_file():
            try:
                settings = tomllib.loads(theme_toml.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                return None, [error(paths.relative(theme_toml), None, f"invalid TOML: {exc}")]
            parent = settings.get("extends")
            if parent is not None and not (isinstance(parent, str) and THEME_NAME.match(parent)):
                return None, [error(paths.relative(theme_toml), None,
                                    f"extends: expected a theme name, got {parent!r}")]
            declared = settings.get("image_sizes", {})
            if not isinstance(declared, dict) or not all(
                    isinstance(v, str) and k in IMAGE_SIZE_ROLES for k, v in declared.items()):
                return None, [error(paths.relative(theme_toml), None,
                                    "image_sizes: expected a table of sizes for "
                                    f"{', '.join(IMAGE_SIZE_ROLES)}")]
            for role, value in declared.items():  # the most specific theme wins
                sizes.setdefault(role, value)
        if parent is None and current != "default":
            parent = "default"
        current = parent
    return Theme(name, tuple(template_dirs), tuple(static_dirs),
                 tuple(sorted(sizes.items())), tuple(i18n_dirs)), []


class TemplateCodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk, so a small build does not compile every template
    it renders again (30 ms of a one-article edit). Jinja checks each entry against its
    template's source; an entry that does not load is a miss, never an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged entry: compiled again
            bucket.reset()


_DICT_ATTRIBUTES = frozenset(dir(dict))


class ViewEnvironment(jinja2.Environment):
    """Jinja's environment, with `page.title` on a view's dicts read without the
    AttributeError Jinja's `getattr` raises and catches first for every key of a dict
    (some 150 per page). Same answers: a dict's own attributes (`items`, `keys`) still
    win over its keys, and a missing key is still Jinja's undefined."""

    def getattr(self, obj: object, attribute: str) -> object:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_environment(theme: Theme, compiled: Path | None = None,
                     digest: Callable[..., str] | None = None) -> jinja2.Environment:
    """`compiled`: a folder for compiled templates, named after the code that compiled
    them (the environment's options are code too). `digest`: what keys the texts of
    `include_cached` partials (`render/partials.py`); None renders each call afresh."""
    cache = None
    if compiled is not None:
        try:
            compiled.mkdir(parents=True, exist_ok=True)
            cache = TemplateCodeCache(str(compiled))
        except OSError:
            cache = None  # a read-only cache folder: compile in memory
    env = ViewEnvironment(
        bytecode_cache=cache,
        # every folder of the chain, existing or not: the loader looks when it loads, so
        # a folder created later (an override) is seen without a new environment
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    install_i18n(env)
    env.globals[FUNCTION] = cached_includes(env, template_dependencies, digest)
    return env


def template_dependencies(env: jinja2.Environment, name: str) -> frozenset[str]:
    """`name` and every template it extends, includes, imports or renders through
    `include_cached` (transitively)."""
    found: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        try:
            source, _, _ = env.loader.get_source(env, current)  # type: ignore[union-attr]
            ast = env.parse(source)
            referenced = jinja2.meta.find_referenced_templates(ast)
        except (jinja2.TemplateError, OSError):
            continue
        pending.extend(ref for ref in referenced if ref)
        pending.extend(ref for ref in partial_references(ast) if ref)
    return frozenset(found)


_TEMPLATE_FILES = (".html", ".xml", ".txt", ".j2")


def template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line of `exc`'s traceback (Jinja rewrites
    tracebacks so template frames carry them); None: it was not raised by a template."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(_TEMPLATE_FILES) and frame.lineno is not None:
            return frame.filename, frame.lineno
    return None


def template_diagnostic(exc: Exception, paths: ProjectPaths, template_name: str) -> Diagnostic:
    """A failure in a template as `themes/x/templates/article.html:12: message`; a
    Python error a template raised (a filter's TypeError, `page.extra.pop('x')`) is
    named by its type."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = paths.relative(Path(exc.filename)) if exc.filename else (exc.name or template_name)
        return error(where, exc.lineno, f"template syntax error: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return error(template_name, None, f"template not found: {exc.name}",
                     "add it to templates/ or to the theme")
    frame = template_frame(exc)
    where, line = (paths.relative(Path(frame[0])), frame[1]) if frame else (template_name, None)
    message = str(exc)
    if isinstance(exc, jinja2.UndefinedError):
        message = f"undefined variable: {message}"
    elif not isinstance(exc, jinja2.TemplateError):
        message = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return error(where, line, re.sub(r"\s+", " ", message))
