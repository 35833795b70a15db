"""`serve`: build once, serve the site, rebuild on source changes, tell open pages.

`PreviewServer` owns the parts (HTTP server thread, watcher, debouncer, build coordinator,
reload hub) so tests and `serve` start and stop them the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import threading
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reelpress.core.project import ProjectPaths
from reelpress.serve.coordinator import BuildCoordinator, BuildOutcome
from reelpress.serve.files import normalize_base_path
from reelpress.serve.livereload import ReloadHub
from reelpress.serve.server import PreviewHTTPServer, bind
from reelpress.serve.watch import Debouncer, ProjectWatcher

Say = Callable[[str], None]


def say_now(line: str) -> None:
    """Print and flush: the terminal may be a pipe (`serve | tee log`)."""
    print(line, flush=True)


def _pipeline_build() -> Callable[..., Any]:
    # Imported late: the pipeline imports every stage, the server needs none of them.
    from reelpress.pipeline import build_site

    def build(options: Any, *, changed: set[Path] | None = None) -> Any:
        # what is stale is decided from the inputs (the index), not from watcher events
        return build_site(options)

    return build


def preview_options(options: Any) -> Any:
    """Options for preview builds: stable asset names (no content-hash fingerprints), so an
    edited stylesheet keeps its URL and can be swapped in place instead of reloading."""
    if dataclasses.is_dataclass(options) and any(
        f.name == "fingerprint_assets" for f in dataclasses.fields(options)
    ):
        return dataclasses.replace(options, fingerprint_assets=False)
    return options


def configured_base_path(options: Any, root: Path) -> str:
    """The URL path the site's links assume: `--base-url`, else `site.toml`'s `base_url`,
    else `/`. A broken `site.toml` means `/` (the build reports the problem)."""
    base_url = getattr(options, "base_url", None)
    if base_url:
        return urlsplit(base_url).path or "/"
    try:
        from reelpress.core.config import load_config

        config, _ = load_config(ProjectPaths.at(root))
    except Exception:  # noqa: BLE001 - the build will report it with a location
        return "/"
    return str(getattr(config, "base_path", "/")) if config is not None else "/"


def describe(outcome: BuildOutcome, changed: frozenset[Path], root: Path) -> list[str]:
    """Terminal lines for one build: what triggered it, the result, every diagnostic."""
    names = sorted(ProjectPaths(root).relative(path) for path in changed)
    trigger = ""
    if names:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        trigger = f" after changes to {shown}"
    if outcome.ok:
        head = f"Rebuilt in {outcome.seconds:.2f} s{trigger}."
    else:
        head = (
            f"Build failed in {outcome.seconds:.2f} s{trigger}; still serving the last good site."
        )
    lines = [head]
    if outcome.summary:
        lines.append(f"  {outcome.summary}")
    lines.extend(f"  {diagnostic.format()}" for diagnostic in outcome.diagnostics)
    return lines


class PreviewServer:
    """The running preview: `start()` binds, builds once and starts watching; `close()`
    undoes all of it (idempotent)."""

    def __init__(
        self,
        options: Any,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        build: Callable[..., Any] | None = None,
        base_path: str | None = None,
        watch: bool = True,
        quiet: float = 0.1,
        max_wait: float = 1.0,
        say: Say = say_now,
    ) -> None:
        options = preview_options(options)
        self.options = options
        self.root = Path(options.root).resolve()
        out_dir = getattr(options, "out_dir", None)
        self.site_dir = Path(out_dir).resolve() if out_dir else ProjectPaths(self.root).site_dir
        if base_path is None:
            base_path = configured_base_path(options, self.root)
        self.base_path = normalize_base_path(base_path)
        self._say = say
        self.hub = ReloadHub()
        self.shutting_down = threading.Event()
        self.coordinator = BuildCoordinator(build or _pipeline_build(), options, self._publish)
        self._host, self._port = host, port
        self._watch = watch
        self._quiet, self._max_wait = quiet, max_wait
        self._pending_changes: frozenset[Path] = frozenset()
        self.httpd: PreviewHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._debouncer: Debouncer | None = None
        self._watcher: ProjectWatcher | None = None
        self.last_outcome: BuildOutcome | None = None
        self._snapshot: dict[str, FileStat] = {}

    @property
    def port(self) -> int:
        assert self.httpd is not None, "start() first"
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self._host if ":" not in self._host else f"[{self._host}]"
        return f"http://{host}:{self.port}{self.base_path}"

    def _make_server(self, address: tuple[str, int]) -> PreviewHTTPServer:
        return PreviewHTTPServer(
            address,
            site_dir=self.site_dir,
            base_path=self.base_path,
            coordinator=self.coordinator,
            hub=self.hub,
            shutting_down=self.shutting_down,
        )

    def start(self) -> PreviewServer:
        self.httpd = bind(self._make_server, self._host, self._port, say=self._say)
        self._http_thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="reelpress-http",
            daemon=True,
        )
        self._http_thread.start()
        if self._watch:
            self._debouncer = Debouncer(self.rebuild, quiet=self._quiet, max_wait=self._max_wait)
            self._watcher = ProjectWatcher(self.root, self._debouncer.add, self.site_dir)
            self._watcher.start()
        self.rebuild(frozenset())
        return self

    def rebuild(self, changed: frozenset[Path]) -> BuildOutcome:
        """Build now with `changed` source paths; the terminal and open pages hear of it."""
        if self.shutting_down.is_set():
            return self.last_outcome or BuildOutcome(True, (), frozenset(), "", 0.0)
        outcome = self.coordinator.rebuild(changed)
        for line in describe(outcome, changed, self.root):
            self._say(line)
        return outcome

    def _publish(self, outcome: BuildOutcome) -> None:
        self.last_outcome = outcome
        written: frozenset[str] = frozenset()
        if outcome.ok:
            snapshot = stat_snapshot(self.site_dir)
            written = changed_files(self._snapshot, snapshot, outcome.written)
            self._snapshot = snapshot
        self.hub.publish(outcome.ok, written, outcome.diagnostics)

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

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


FileStat = tuple[int, int, int]  # inode, mtime_ns, size


def stat_snapshot(site_dir: Path) -> dict[str, FileStat]:
    """Site path -> (inode, mtime_ns, size) of every file the site has now."""
    snapshot: dict[str, FileStat] = {}
    for folder, _, names in os.walk(site_dir):
        for name in names:
            path = Path(folder, name)
            try:
                stat = path.stat()
            except OSError:
                continue
            key = path.relative_to(site_dir).as_posix()
            snapshot[key] = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    return snapshot


def changed_files(
    before: dict[str, FileStat], after: dict[str, FileStat], written: frozenset[str] | None
) -> frozenset[str]:
    """What a build changed: the files it says it wrote, plus files modified in place (same
    inode, new mtime or size). The latter catches a source hard-linked into the site (a theme
    stylesheet) that an editor saved in place: its bytes changed without the build writing it.
    When the build does not list its writes, every file whose stat changed counts."""
    if written is None:
        return frozenset(path for path, stat in after.items() if before.get(path) != stat)
    in_place = {
        path
        for path, stat in after.items()
        if path in before and before[path][0] == stat[0] and before[path] != stat
    }
    return written | in_place


def serve(
    options: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    build: Callable[..., Any] | None = None,
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
        while not preview.shutting_down.wait(0.5):
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
