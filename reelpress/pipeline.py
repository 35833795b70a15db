"""The orchestrator: run the stages in order and turn their records into a site.

Thin on purpose: each step calls one stage module; diagnostics are collected, and
the output is committed only when no step reported an error.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import jinja2

from .config import SiteConfig, load_config
from .content.loader import SourcePage, duplicate_outputs, find_sources, is_published, load_page
from .diagnostics import Diagnostic, Reporter, error, warning
from .embed import MediaStages, embed_media
from .markup.engine import RenderedBody, render_body
from .model import Article, fill_placeholders, merge_faq, resolve_author
from .output import SiteWriter
from .project import ProjectPaths
from .publish import write_site_files
from .render import SiteView, render_article
from .theme import make_environment, resolve_theme, template_diagnostic
from .urls import UrlScheme


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out_dir: Path | None = None
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    force: bool = False
    strict: bool = False
    quiet: bool = False
    verbose: bool = False
    fingerprint_assets: bool = True
    jobs: int | None = None
    now: dt.datetime | None = None  # "today" for future-dated articles (tests pin it)


@dataclass(frozen=True)
class BuildResult:
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    pages_written: int = 0
    pages_unchanged: int = 0
    files_unchanged: int = 0
    media_processed: int = 0
    media_cached: int = 0
    seconds: float = 0.0
    site_dir: Path | None = None
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    def summary(self) -> str:
        if not self.ok:
            return (f"build failed: {len(self.errors)} error(s), {len(self.warnings)} warning(s); "
                    f"site/ left as it was ({self.seconds:.2f} s)")
        return (f"built {self.pages_written + self.pages_unchanged} pages "
                f"({self.pages_written} written, {self.pages_unchanged} unchanged), "
                f"media {self.media_processed} processed / {self.media_cached} cached, "
                f"{len(self.warnings)} warning(s) in {self.seconds:.2f} s")


def _failed(reporter: Reporter, started: float) -> BuildResult:
    return BuildResult(False, reporter.items, seconds=time.perf_counter() - started)


def build_site(options: BuildOptions) -> BuildResult:
    """Build the project at `options.root`; never raises for a user's mistake."""
    started = time.perf_counter()
    reporter = Reporter()
    paths = ProjectPaths.at(options.root)
    site_dir = (options.out_dir or paths.site_dir).resolve()

    config, problems = load_config(paths)
    reporter.extend(problems)
    if config is None:
        return _failed(reporter, started)
    if options.base_url:
        from .config import validate_config
        fixed, base_problems = validate_config({"title": config.title, "base_url": options.base_url},
                                               "", "--base-url")
        reporter.extend([p for p in base_problems if p.is_error])
        if fixed is None:
            return _failed(reporter, started)
        from dataclasses import replace
        config = replace(config, base_url=fixed.base_url)
    theme, problems = resolve_theme(paths, config.theme)
    reporter.extend(problems)
    if not paths.content_dir.is_dir():
        reporter.add(error(paths.relative(paths.content_dir), None, "content directory not found",
                           f"create {paths.content_dir} and put articles (*.md) in it"))
    if theme is None or reporter.has_errors():
        return _failed(reporter, started)

    now = options.now or dt.datetime.now(dt.timezone.utc)
    sources = _load_sources(paths, config, reporter)
    published = [p for p, _ in sources if is_published(p.meta, drafts=options.drafts,
                                                       future=options.future, now=now)]
    reporter.extend(duplicate_outputs(published))
    rendered = {page.rel: body for page, body in sources}
    env = make_environment(theme)
    urls = UrlScheme(config.base_url, config.relative_urls)
    media = embed_media(published, rendered, MediaStages.for_build(paths, config, options, reporter),
                        urls, reporter)
    articles = sorted(
        (_assemble(page, rendered[page.rel], media, config) for page in published),
        key=lambda a: (a.date, a.source.rel), reverse=True,
    )
    if reporter.has_errors():
        return _failed(reporter, started)

    writer = SiteWriter(site_dir)
    try:
        assets = write_site_files(writer, theme, options.fingerprint_assets)
        site = SiteView(config, urls, assets, now)
        pages_written = _render_articles(env, articles, site, writer, paths, reporter)
        write_listings_and_feeds(env, articles, site, writer, paths, reporter)
        media.publish(writer)
    except Exception:
        writer.abort()
        raise
    if options.strict and reporter.warnings:
        reporter.add(error("", None, f"{len(reporter.warnings)} warning(s) with --strict",
                           "fix them or build without --strict"))
    if reporter.has_errors():
        writer.abort()
        return _failed(reporter, started)
    stats = writer.commit()
    media.prune()
    written_pages = [w for w in stats.written if w.endswith(".html")]
    return BuildResult(
        ok=True, diagnostics=reporter.items, written=stats.written, removed=stats.removed,
        pages_written=len(written_pages),
        pages_unchanged=max(0, pages_written - len(written_pages)),
        files_unchanged=stats.unchanged, media_processed=media.processed,
        media_cached=media.cached, seconds=time.perf_counter() - started, site_dir=site_dir,
    )


def _load_sources(paths: ProjectPaths, config: SiteConfig, reporter: Reporter
                  ) -> list[tuple[SourcePage, RenderedBody]]:
    loaded: list[tuple[SourcePage, RenderedBody]] = []
    allow_html = bool(config.section("build").get("allow_html", False))
    for path in find_sources(paths.content_dir):
        rel_to_content = PurePosixPath(path.relative_to(paths.content_dir).as_posix())
        page, problems = load_page(path, rel=paths.relative(path), rel_to_content=rel_to_content,
                                   config=config)
        reporter.extend(problems)
        if page is None:
            continue
        body = render_body(page.body, body_line=page.body_line, allow_html=allow_html,
                           base_path=config.base_path)
        for line, message in body.warnings:
            reporter.add(warning(page.rel, line, message))
        loaded.append((page, body))
    return loaded


def _assemble(page: SourcePage, body: RenderedBody, media, config: SiteConfig) -> Article:
    hero, embeds = media.for_page(page)
    allow_html = bool(config.section("build").get("allow_html", False))
    return Article(
        source=page,
        body_html=fill_placeholders(body.html, embeds),
        faq=merge_faq(page, body, allow_html),
        hero=hero,
        embeds=embeds,
        author=resolve_author(page.meta.author, config),
        word_count=body.word_count,
        social_image=media.social_image(page),
    )


def _render_articles(env: jinja2.Environment, articles: list[Article], site: SiteView,
                     writer: SiteWriter, paths: ProjectPaths, reporter: Reporter) -> int:
    count = 0
    for article in articles:
        try:
            html = render_article(env, article, site)
        except jinja2.TemplateError as exc:
            reporter.add(template_diagnostic(exc, paths, article.meta.template or "article.html"))
            continue
        writer.write_text(article.source.output_path, html)
        count += 1
    return count


from .listings import write_listings_and_feeds  # noqa: E402  (kept last: it imports render)
