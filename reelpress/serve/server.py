"""The preview HTTP server: static files with Range, live-reload events, and the glue.

Standard library only (`ThreadingHTTPServer`): every request resolves its path again,
because builds move new files into `site/`; HTML responses get the live-reload script
injected (never written to disk); `/__reelpress/events` streams Server-Sent Events.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import socket
import sys
import threading
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, quote, urlsplit

from reelpress.serve import livereload
from reelpress.serve.client import CLIENT_JS
from reelpress.serve.coordinator import BuildCoordinator
from reelpress.serve.files import (
    UNSATISFIABLE,
    ByteRange,
    RejectedPath,
    base_segments,
    is_html,
    locate,
    mime_type,
    parse_range,
    request_segments,
    strip_base,
)

HEARTBEAT_SECONDS = 15.0
PUSH_LIMIT = 2 * 1024 * 1024  # characters of HTML sent with a swap event; larger pages are fetched
_CHUNK = 256 * 1024
_FALLBACK_404 = (
    b"<!doctype html><html><head><meta charset=utf-8><title>Not found</title></head>"
    b"<body><h1>404: not found</h1><p>No file in the built site matches this address."
    b"</p></body></html>"
)


class PreviewHTTPServer(ThreadingHTTPServer):
    """Carries the shared serving state to handlers; threads are daemons so open event
    streams never hold up shutdown."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        site_dir: Path,
        base_path: str,
        coordinator: BuildCoordinator,
        hub: livereload.ReloadHub,
        shutting_down: threading.Event,
        push_limit: int = PUSH_LIMIT,
    ) -> None:
        self.site_dir = site_dir
        self.push_limit = push_limit
        self.base_path = base_path
        self.coordinator = coordinator
        self.hub = hub
        self.shutting_down = shutting_down
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewRequestHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        kind = sys.exc_info()[0]
        if kind is not None and issubclass(kind, (ConnectionError, TimeoutError)):
            return  # browsers abandon media and event requests all the time
        # one line, not a traceback: the terminal is for build results
        exc = sys.exc_info()[1]
        print(f"preview: a request failed ({kind.__name__ if kind else 'error'}: "
              f"{' '.join(str(exc).split())[:200]})", file=sys.stderr)


class PreviewRequestHandler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "reelpress-preview"

    timeout = 120

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the terminal is for build results, not one line per request

    # --- methods ---------------------------------------------------------------------

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _not_allowed(self) -> None:
        self._send_bytes(
            HTTPStatus.METHOD_NOT_ALLOWED,
            b"Only GET and HEAD are served.\n",
            "text/plain; charset=utf-8",
            head=False,
            extra={"Allow": "GET, HEAD"},
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed

    # --- routing ---------------------------------------------------------------------

    def _respond(self, *, head: bool) -> None:
        target = self.path
        route = urlsplit(target).path if target.startswith("/__reelpress/") else ""
        if route == livereload.SCRIPT_PATH:
            body = CLIENT_JS.encode()
            self._send_bytes(200, body, "text/javascript; charset=utf-8", head=head)
            return
        if route == livereload.STATUS_PATH:
            status = self.server.hub.status.to_json().encode()
            self._send_bytes(200, status, "application/json", head=head)
            return
        if route == livereload.EVENTS_PATH:
            self._stream_events(target, head=head)
            return
        try:
            segments, trailing_slash = request_segments(target)
        except RejectedPath as rejected:
            self._send_bytes(403, f"Forbidden: {rejected}\n".encode(), "text/plain", head=head)
            return
        base = base_segments(self.server.base_path)
        inner = strip_base(segments, base)
        if inner is None:
            if not segments and base:
                self._redirect(self.server.base_path, head=head)
            else:
                self._send_not_found(head=head)
            return
        self._serve_site_path(inner, trailing_slash, head=head)

    def _serve_site_path(self, inner: list[str], trailing_slash: bool, *, head: bool) -> None:
        # Only resolve and read/open under the lock; the (possibly slow) sending happens after,
        # so a stalled client never holds up a build.
        with self.server.coordinator.reading():
            found = locate(self.server.site_dir, inner)
            redirect = found is not None and found.is_dir() and not trailing_slash and inner
            if found is not None and found.is_dir():
                found = locate(self.server.site_dir, [*inner, "index.html"])
            elif found is not None and trailing_slash:
                found = None  # `/a.html/` names a folder that is not there
            page: bytes | None = None
            handle: IO[bytes] | None = None
            if redirect or found is None or not found.is_file():
                pass
            elif is_html(found):
                page = livereload.inject(
                    found.read_bytes(), livereload.script_tag(self.server.hub.version)
                )
            else:
                handle = found.open("rb")
        if redirect:
            query = urlsplit(self.path).query
            location = self._url_of(inner) + "/" + (f"?{query}" if query else "")
            self._redirect(location, head=head)
        elif page is not None and found is not None:
            self._send_bytes(200, page, mime_type(found), head=head, html=True)
        elif handle is not None and found is not None:
            with handle:
                self._send_file(handle, found, head=head)
        else:
            self._send_not_found(head=head)

    def _url_of(self, segments: list[str]) -> str:
        return self.server.base_path + "/".join(quote(s) for s in segments)

    # --- responses -------------------------------------------------------------------

    def _send_bytes(
        self,
        status: int,
        body: bytes,
        content_type: str,
        *,
        head: bool,
        html: bool = False,
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store" if html or status >= 300 else "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_not_found(self, *, head: bool) -> None:
        page = None
        with self.server.coordinator.reading():
            custom = locate(self.server.site_dir, ["404.html"])
            if custom is not None and custom.is_file():
                page = custom.read_bytes()
        tag = livereload.script_tag(self.server.hub.version, missing=True)
        body = livereload.inject(page or _FALLBACK_404, tag)
        self._send_bytes(404, body, "text/html; charset=utf-8", head=head, html=True)

    def _redirect(self, location: str, *, head: bool) -> None:
        body = f"Moved to {location}\n".encode()
        self._send_bytes(
            301, body, "text/plain; charset=utf-8", head=head, extra={"Location": location}
        )

    def _send_file(self, handle: IO[bytes], path: Path, *, head: bool) -> None:
        stat = os.fstat(handle.fileno())
        size = stat.st_size
        etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
        wanted = parse_range(self.headers.get("Range"), size)
        if_range = self.headers.get("If-Range")
        if wanted is not None and if_range and if_range.strip() != etag:
            wanted = None  # the file changed since the client's first part: send it whole
        common = {
            "Accept-Ranges": "bytes",
            "ETag": etag,
            "Last-Modified": formatdate(stat.st_mtime, usegmt=True),
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
        }
        if wanted is UNSATISFIABLE:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            common["Content-Range"] = f"bytes */{size}"
            common["Content-Length"] = "0"
            common["Content-Type"] = mime_type(path)
            self._headers(common)
            return
        if isinstance(wanted, ByteRange):
            self.send_response(HTTPStatus.PARTIAL_CONTENT)
            common["Content-Range"] = wanted.content_range()
            first, length = wanted.first, wanted.length
        else:
            self.send_response(HTTPStatus.OK)
            first, length = 0, size
        common["Content-Type"] = mime_type(path)
        common["Content-Length"] = str(length)
        self._headers(common)
        if head:
            return
        handle.seek(first)
        self._copy(handle, length)

    def _headers(self, headers: dict[str, str]) -> None:
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def _copy(self, handle: IO[bytes], length: int) -> None:
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                break  # the file shrank under us; the client sees a short body
            self.wfile.write(chunk)
            remaining -= len(chunk)

    # --- live reload ---------------------------------------------------------------

    def _stream_events(self, target: str, *, head: bool) -> None:
        query = parse_qs(urlsplit(target).query)
        page_url = (query.get("path") or [""])[0]
        missing = (query.get("missing") or ["0"])[0] == "1"
        since = _as_int((query.get("since") or ["0"])[0])
        since = max(since, _as_int(self.headers.get("Last-Event-ID", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if head:
            return
        hub = self.server.hub
        try:
            # Retry quickly after a restart; report the current status before anything else.
            # Event ids are the last build this page has been told about (Last-Event-ID).
            status = hub.status
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.write(livereload.sse_event("status", status.to_json(), since))
            self.wfile.flush()
            seen_status = status.build
            while not self.server.shutting_down.is_set():
                current = hub.version
                action = self._action_between(since, current, page_url, missing)
                since = current
                if action.kind == "reload":
                    self.wfile.write(livereload.sse_event("reload", "{}", since))
                elif action.kind in ("swap", "css"):
                    data = action.event_data()
                    self.wfile.write(livereload.sse_event(action.kind, data, since))
                status = hub.status
                if status.build != seen_status:
                    seen_status = status.build
                    self.wfile.write(livereload.sse_event("status", status.to_json(), since))
                self.wfile.flush()
                if action.kind == "reload":
                    return
                if hub.wait(since, HEARTBEAT_SECONDS) == since and not hub.closed:
                    self.wfile.write(b": heartbeat\n\n")
                    self.wfile.flush()
        except (ConnectionError, TimeoutError, OSError):
            return

    def _action_between(
        self, since: int, until: int, page_url: str, missing: bool
    ) -> livereload.Action:
        hub = self.server.hub
        if since >= until:
            return livereload.NOTHING
        written = hub.changes_since(since, until)
        if written is None:
            return livereload.RELOAD
        if not written and not missing:
            return livereload.NOTHING
        base_path = self.server.base_path
        page_file = livereload.site_path_for_url(page_url, base_path) if page_url else None
        html, exists = "", False
        if page_file is not None:
            with self.server.coordinator.reading():
                found = locate(self.server.site_dir, page_file.split("/"))
                exists = found is not None and found.is_file()
                if exists and found is not None and is_html(found):
                    html = found.read_text("utf-8", errors="replace")
        refs = livereload.page_references(html, page_url or base_path, base_path)
        action = livereload.decide(
            written,
            page_file,
            refs,
            page_exists=exists,
            page_missing=missing,
            base_path=base_path,
        )
        if action.kind == "swap" and html and len(html) <= self.server.push_limit:
            # The page as just read: sent along, it saves the client a request that would
            # wait for the GIL behind the build's last steps.
            return dataclasses.replace(action, html=html)
        return action


def _as_int(text: str) -> int:
    try:
        return max(0, int(text.strip()))
    except ValueError:
        return 0


def bind(
    make: Callable[[tuple[str, int]], PreviewHTTPServer],
    host: str,
    port: int,
    *,
    attempts: int = 20,
    say: Callable[[str], None] = print,
) -> PreviewHTTPServer:
    """Bind `host:port`; when the port is taken, say so and try the next ones."""
    for candidate in range(port, port + attempts) if port else [0]:
        try:
            return make((host, candidate))
        except OSError as exc:
            if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            say(f"Port {candidate} on {host} is busy (another server?); trying {candidate + 1}.")
    raise OSError(errno.EADDRINUSE, f"no free port in {port}..{port + attempts - 1} on {host}")


