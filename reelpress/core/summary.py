"""The one-line report of a build, from its counts alone (the same line for a full
build, an incremental one and the no-op check, so the numbers agree from build to build).

Each count is of one kind of thing: HTML pages of the site (written or left unchanged),
media *source files* the published articles use (processed in this build when at least
one of their outputs was made, else cached; never jobs or rendition files), and the
articles the build left out (drafts, then future-dated ones).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reelpress.core.options import BuildResult


def plural(count: int, noun: str) -> str:
    """`1 warning`, `0 warnings`, `2 future articles`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary_line(result: BuildResult) -> str:
    """`built 8 HTML pages (1 written, 7 unchanged), 3 media files (1 processed, 2 cached),
    1 warning, 2 drafts skipped (--drafts to include) in 0.29 s`."""
    if not result.ok:
        return (f"build failed: {plural(len(result.errors), 'error')}, "
                f"{plural(len(result.warnings), 'warning')}; site/ left as it was "
                f"({result.seconds:.2f} s)")
    pages = result.pages_written + result.pages_unchanged
    media = result.media_processed + result.media_cached
    parts = [f"built {plural(pages, 'HTML page')} ({result.pages_written} written, "
             f"{result.pages_unchanged} unchanged)"]
    if media:
        parts.append(f"{plural(media, 'media file')} ({result.media_processed} processed, "
                     f"{result.media_cached} cached)")
    parts.append(plural(len(result.warnings), "warning"))
    parts += [f"{plural(count, what)} skipped ({flag} to include)"
              for count, what, flag in ((result.drafts_skipped, "draft", "--drafts"),
                                        (result.future_skipped, "future article", "--future"))
              if count]
    return ", ".join(parts) + f" in {result.seconds:.2f} s"
