"""1 MB articles of one markup-dense shape each (issue 16: "any 1 MB article builds in
under 2 s"): the whole `python build.py build` of a one-article site, in CPU seconds of
the child and everything it waited for (the search indexer too), never wall time.

The native fast path takes every shape (`markup/fast_blocks.py` cuts FAQ containers and
footnotes out and writes the plugins' output back in), and every shape builds in under
the issue's 2 s (markdown-it-py took 2.4-3.5 s, the quadratic code 15-60 s). Each is
bounded by it but the footnotes (OVER_THE_ISSUE_BOUND), measured 1.84-1.98 s: the rest
of their build (Pagefind indexes the 5 MB page in about 0.95 s) leaves no margin for a
busy machine, so their bound is a regression guard; README.md says so."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_shapes import SHAPES, dense_body
from sitebuilder import BUILD_PY, REPO, write_site

from reelpress.markup import engine
from reelpress.markup.fast_blocks import render_fast_body

TOML = 'title = "Dense"\nbase_url = "https://example.org/"\n'
FRONT = "---\ntitle: Dense\ndate: 2025-01-01\n---\n"
# CPU seconds of a cold build; measured 0.6-1.7 s (the footnotes 1.84-1.98 s) on 2 cores
# at load 2-3, where an empty article costs 0.35 s.
OVER_THE_ISSUE_BOUND = {"footnotes"}
ISSUE_BOUND = 2.0
GUARD_BOUND = 3.0
# CPU seconds of an empty one-article build when those bounds were measured
EMPTY_BUILD = 0.35


def _build_cpu_seconds(root: Path) -> float:
    """CPU seconds (user + system) of one `python build.py build` and its children."""
    process = subprocess.Popen([sys.executable, str(BUILD_PY), "build", "--root", str(root),
                                "-q", "-j", "1"], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env={**os.environ,
                                                            "REELPRESS_MARKDOWN": ""})
    assert process.stderr is not None
    errors = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    assert process.returncode == 0, errors.decode()[-2000:]
    return usage.ru_utime + usage.ru_stime


@pytest.fixture(scope="module")
def slowdown(tmp_path_factory: pytest.TempPathFactory) -> float:
    """How much slower this machine runs now than when the bounds were measured: a
    shared machine's speed drifts by a third within an hour (the same code's 1 MB table
    build measured 1.5 s, then 2.2 s), while the bounds are the issue's own. The best
    of three cold builds of an empty article (imports, mostly) against EMPTY_BUILD;
    never below 1 (a fast machine is held to the issue's 2 s), at most 1.6."""
    builds = []
    for _ in range(3):
        root = write_site(tmp_path_factory.mktemp("empty"), {"content/a.md": FRONT + "Hi.\n"},
                          site_toml=TOML)
        builds.append(_build_cpu_seconds(root))
    return min(max(min(builds) / EMPTY_BUILD, 1.0), 1.6)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_one_megabyte_of_dense_markdown_builds_in_bounded_cpu(tmp_path: Path, shape: str,
                                                               slowdown: float) -> None:
    body = dense_body(shape)
    assert len(body) >= 1_000_000
    write_site(tmp_path, {"content/a.md": FRONT + body}, site_toml=TOML)
    seconds = _build_cpu_seconds(tmp_path)
    bound = (GUARD_BOUND if shape in OVER_THE_ISSUE_BOUND else ISSUE_BOUND) * slowdown
    assert seconds < bound, f"{shape}: {seconds:.2f} s of CPU for 1 MB (bound {bound:.2f})"
    html = (tmp_path / "site/a/index.html").read_text(encoding="utf-8")
    assert len(html) > 1_000_000


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_dense_shape_is_identical_on_both_paths(shape: str) -> None:
    """The pure-Python path stays the reference: 30 KB of each shape through both; the
    fast path takes every shape."""
    body = dense_body(shape, 30_000)
    assert render_fast_body(body) is not None, shape
    assert engine.render_body(body, body_line=5) == engine.render_reference(body, body_line=5)
