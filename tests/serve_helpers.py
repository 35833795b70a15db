"""Helpers for the preview-server tests: a small real site, raw HTTP and an SSE reader.

The server's tests build with the real pipeline (`build_site`): its staging and commit
are what the server's lock has to get right, so no stand-in build is used.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from pathlib import Path

from sitebuilder import write_site

from reelpress.core.options import BuildOptions

NOW = dt.datetime(2025, 8, 1, 12, 0, tzinfo=dt.UTC)
SITE_TOML = """\
title = "Preview Gazette"
base_url = "https://example.org{base}"
author = "desk"

[authors.desk]
name = "Desk"

[search]
enabled = false
"""


def article(title: str, body: str, date: str = "2025-07-14 09:30:00") -> str:
    return f'---\ntitle: "{title}"\ndate: {date}\n---\n\n{body}\n'


def write_preview_site(root: Path, static: dict[str, bytes] | None = None, *,
                       base: str = "/") -> BuildOptions:
    """Two articles (`/paris/`, `/lyon/`) and `static/` files (served under `/static/`)."""
    write_site(root, {
        "content/paris.md": article("Paris rescue", "Paris, the first version."),
        "content/lyon.md": article("Lyon floods", "Water in Lyon.", "2025-07-10 08:00:00"),
        **{f"static/{name}": data for name, data in (static or {}).items()},
    }, site_toml=SITE_TOML.format(base=base))
    return BuildOptions(root=root, now=NOW)


def raw_request(
    port: int, request: bytes, timeout: float = 5.0
) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client-side path normalisation); parse one response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def get(port: int, path: str, *, method: str = "GET", headers: dict[str, str] | None = None):
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    request = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{extra}\r\n"
    return raw_request(port, request.encode("latin-1"))


class EventStream:
    """A Server-Sent Events connection read line by line from a raw socket."""

    def __init__(self, port: int, query: str, timeout: float = 10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.sendall(
            f"GET /__reelpress/events?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        )
        self.reader = self.sock.makefile("rb")
        status_line = self.reader.readline().decode()
        assert " 200 " in status_line, status_line
        while self.reader.readline() not in (b"\r\n", b""):
            pass

    def next_event(self) -> tuple[str, dict]:
        """The next named event (comments and `retry:` skipped); raises on timeout."""
        name, data = "", []
        while True:
            line = self.reader.readline()
            if not line:
                raise EOFError("event stream closed")
            text = line.decode().rstrip("\r\n")
            if text == "":
                if name:
                    return name, json.loads("\n".join(data) or "{}")
                continue
            field_name, _, value = text.partition(": ")
            if field_name == "event":
                name = value
            elif field_name == "data":
                data.append(value)

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


class Terminal:
    """The preview's terminal lines (pass `say`); `wait_for` blocks until a line after the
    first `after` ones contains `what`: the event that a build has finished."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._condition = threading.Condition()

    def say(self, line: str) -> None:
        with self._condition:
            self.lines.append(line)
            self._condition.notify_all()

    def wait_for(self, what: str, after: int, timeout: float = 30.0) -> None:
        with self._condition:
            found = self._condition.wait_for(
                lambda: any(what in line for line in self.lines[after:]), timeout)
            assert found, self.lines
