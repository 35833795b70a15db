"""The one way browser tests start Chromium: the system binary, with the flags that
keep it headless-safe and off the network. conftest.py makes a module-scoped fixture of
it, so each test module starts one browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

CHROMIUM_FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")
# videos may play without a click (tests start playback from a script)
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"


@contextmanager
def chromium(*extra_flags: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=[*CHROMIUM_FLAGS, *extra_flags])
        try:
            yield browser
        finally:
            browser.close()
