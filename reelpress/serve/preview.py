"""`serve`: build once, serve the site, rebuild on source changes, tell open pages.

`PreviewServer` owns the parts (HTTP server thread, watcher, debouncer, build coordinator,
reload hub) so tests and `serve` start and stop them the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import signal
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import urlsplit

from reelpress.core.config import load_config
from reelpress.core.options import BuildOptions, BuildResult
from reelpress.core.project import ProjectPaths
from reelpress.serve.coordinator import BuildCoordinator, BuildFunction
from reelpress.serve.files import normalize_base_path
from reelpress.serve.livereload import ReloadHub
from reelpress.serve.server import PUSH_LIMIT, PreviewHTTPServer, bind
from reelpress.serve.watch import Debouncer, ProjectWatcher

Say = Callable[[str], None]


def say_now(line: str) -> None:
    """Print and flush: the terminal may be a pipe (`serve | tee log`)."""
    print(line, flush=True)


class ResidentBuild:
    """The pipeline with a resident graph: the preview's builds reuse the records of
    earlier ones (parsed pages, assembled articles, digests, cards), looked up by the
    same content keys as the index, so a save costs about what it changed."""

    def __init__(self) -> None:
        self._resident: object | None = None

    @property
    def resident(self) -> object | None:
        """The graph kept between builds (None before the first)."""
        return self._resident

    def __call__(self, options: BuildOptions, *,
                 commit_lock: AbstractContextManager[object] | None = None) -> BuildResult:
        # Imported late: the pipeline imports every stage, the server needs none of them.
        from reelpress.pipeline import ResidentGraph, build_site

        resident = self._resident if isinstance(self._resident, ResidentGraph) \
            else ResidentGraph()
        self._resident = resident
        # Every build starts with the no-op check: what it finds changed is what lets a
        # body edit take the delta path (`build/delta.py`), which reads the index, not
        # this graph; other edits go through the graph.
        result = build_site(options, commit_lock=commit_lock, resident=resident)
        # The graph's records live from build to build: collected now, while the open
        # pages already show the build (they heard of it at its commit), then frozen out
        # of later collections, so that no save waits for a full collection of them
        # (0.3-0.6 s at 5,000 articles, one save in a few). Only what was built since
        # the last freeze is looked at: after a delta build, a few milliseconds.
        gc.collect()
        gc.freeze()
        return result


def preview_options(options: BuildOptions) -> BuildOptions:
    """Options for preview builds: stable asset names (no content-hash fingerprints), so an
    edited stylesheet keeps its URL and can be swapped in place instead of reloading."""
    return dataclasses.replace(options, fingerprint_assets=False)


def configured_base_path(options: BuildOptions) -> str:
    """The URL path the site's links assume: `--base-url`, else `site.toml`'s `base_url`,
    else `/`. A broken `site.toml` means `/` (the build reports the problem)."""
    if options.base_url:
        return urlsplit(options.base_url).path or "/"
    config, _ = load_config(ProjectPaths.at(options.root))
    return config.base_path if config is not None else "/"


def describe(result: BuildResult, changed: frozenset[Path], root: Path) -> list[str]:
    """Terminal lines for one build: what triggered it, the result, every diagnostic."""
    names = sorted(ProjectPaths(root).relative(path) for path in changed)
    trigger = ""
    if names:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        trigger = f" after changes to {shown}"
    if result.ok:
        head = f"Rebuilt in {result.seconds:.2f} s{trigger}."
    else:
        head = f"Build failed in {result.seconds:.2f} s{trigger}; still serving the last good site."
    return [head, f"  {result.summary()}",
            *(f"  {diagnostic.format()}" for diagnostic in result.diagnostics)]


class PreviewServer:
    """The running preview: `start()` binds, builds once and starts watching; `close()`
    undoes all of it (idempotent)."""

    def __init__(
        self,
        options: BuildOptions,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        build: BuildFunction | None = None,
        base_path: str | None = None,
        watch: bool = True,
        quiet: float = 0.03,  # an editor's save is a burst of events within milliseconds
        max_wait: float = 1.0,
        say: Say = say_now,
        push_limit: int = PUSH_LIMIT,
    ) -> None:
        self.options = preview_options(options)
        self._push_limit = push_limit
        self.root = options.root.resolve()
        self.site_dir = (options.out_dir or ProjectPaths(self.root).site_dir).resolve()
        self.base_path = normalize_base_path(base_path or configured_base_path(options))
        self._say = say
        self.hub = ReloadHub()
        self.shutting_down = threading.Event()
        self.coordinator = BuildCoordinator(build or ResidentBuild(), self.options)
        self._host, self._port = host, port
        self._watch = watch
        self._quiet, self._max_wait = quiet, max_wait
        self.httpd: PreviewHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._debouncer: Debouncer | None = None
        self._watcher: ProjectWatcher | None = None
        self.last_result: BuildResult | None = None

    @property
    def port(self) -> int:
        assert self.httpd is not None, "start() first"
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self._host if ":" not in self._host else f"[{self._host}]"
        return f"http://{host}:{self.port}{self.base_path}"

    def _make_server(self, address: tuple[str, int]) -> PreviewHTTPServer:
        return PreviewHTTPServer(address, site_dir=self.site_dir, base_path=self.base_path,
                                 coordinator=self.coordinator, hub=self.hub,
                                 shutting_down=self.shutting_down, push_limit=self._push_limit)

    def start(self) -> PreviewServer:
        self.httpd = bind(self._make_server, self._host, self._port, say=self._say)
        self._http_thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name="reelpress-http", daemon=True)
        self._http_thread.start()
        if self._watch:
            self._debouncer = Debouncer(self._on_changes, quiet=self._quiet,
                                        max_wait=self._max_wait)
            debouncer = self._debouncer
            self._watcher = ProjectWatcher(
                self.root, lambda paths, complete: debouncer.add(paths, complete=complete),
                self.site_dir)
            self._watcher.start()
        self.rebuild(frozenset())
        return self

    def _on_changes(self, changed: frozenset[Path]) -> None:
        self.rebuild(changed)

    def rebuild(self, changed: frozenset[Path]) -> BuildResult | None:
        """Build now; `changed` (the watcher's paths) only names the trigger in the terminal:
        what is stale is decided by the build from the files themselves. Open pages hear
        of the files the build wrote or removed: those it moved into site/ at its commit,
        the rest (the search index, written after it) with its result. None once shutting
        down."""
        if self.shutting_down.is_set():
            return None
        announced: list[frozenset[str]] = []

        def committed(moved: frozenset[str]) -> None:
            announced.append(moved)
            self.hub.publish(True, moved, ())

        result = self.coordinator.rebuild(committed)
        self.last_result = result
        rest = {*result.written, *result.removed}.difference(*announced) if result.ok else set()
        if result.ok and announced and not rest:
            self.hub.amend(result.diagnostics)  # already told at the commit
        else:
            self.hub.publish(result.ok, rest, result.diagnostics)
        for line in describe(result, changed, self.root):
            self._say(line)
        return result

    def close(self) -> None:
        """Stop watching, end event streams, close the socket (frees the port)."""
        if self.shutting_down.is_set():
            return
        self.shutting_down.set()
        if self._watcher is not None:
            self._watcher.stop()
        if self._debouncer is not None:
            self._debouncer.stop()
        self.hub.close()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        if self._http_thread is not None:
            self._http_thread.join(5)
        gc.unfreeze()  # what `ResidentBuild` froze is collectable again with the preview gone

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def serve(
    options: BuildOptions,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    build: BuildFunction | None = None,
    base_path: str | None = None,
    say: Say = say_now,
) -> int:
    """Run the preview until Ctrl-C; returns the process exit status (0)."""
    preview = PreviewServer(
        options, host=host, port=port, build=build, base_path=base_path, say=say
    )
    try:
        try:
            preview.start()
        except OSError as exc:
            say(f"Cannot serve on {host}:{port}: {exc.strerror or exc}")
            return 1
        say(f"Serving {preview.site_dir} at {preview.url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(preview.url)
        while not preview.shutting_down.wait(0.5):  # until Ctrl-C (in this thread)
            pass
    except KeyboardInterrupt:
        say("Stopping…")
    finally:
        with _sigint_ignored():
            preview.close()
    return 0


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """A second Ctrl-C during shutdown must not leave a traceback or half-closed parts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
