"""Shared fixtures. The demo site is built once per session (it runs Pillow and ffmpeg);
a browser test module gets one Chromium."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsers import AUTOPLAY, chromium
from playwright.sync_api import Browser
from sitebuilder import REPO, run_cli

from reelpress.core.options import BuildOptions
from reelpress.serve import PreviewServer


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, subprocess.CompletedProcess]:
    """The repo's demo site copied to a temp folder and built with `python build.py`,
    so the repo's own site/ and cache stay untouched."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copy2(REPO / "site.toml", root / "site.toml")
    for folder in ("content", "media", "themes"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder)
    process = run_cli(root, "build")
    return root, process


@pytest.fixture(scope="module")
def served_demo(demo_build: tuple[Path, subprocess.CompletedProcess]
                ) -> Iterator[PreviewServer]:
    """The built demo site on a preview server of its own (127.0.0.1, a free port)."""
    root, process = demo_build
    assert process.returncode == 0, process.stderr
    assert (root / "site/pagefind/pagefind-entry.json").is_file()
    with PreviewServer(BuildOptions(root=root), port=0, say=lambda _: None) as preview:
        yield preview


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the test module."""
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def autoplay_browser() -> Iterator[Browser]:
    """One Chromium for the test module, where videos may start from a script."""
    with chromium(AUTOPLAY) as launched:
        yield launched
