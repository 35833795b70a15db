"""Helpers for the preview-server tests: a small swapping build, raw HTTP and an SSE reader.

`SwapBuild` is a real build callable (it writes files and swaps the directory in like the
pipeline does); it exists so the server's own tests do not depend on the whole pipeline.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from reelpress.core.diagnostics import Diagnostic


@dataclass(frozen=True)
class Options:
    root: Path
    out_dir: Path | None = None
    base_url: str | None = None


@dataclass(frozen=True)
class Result:
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    written: tuple[str, ...]

    def summary(self) -> str:
        return f"{len(self.written)} file(s) written"


@dataclass
class SwapBuild:
    """Writes `files` (site path -> bytes) into a fresh directory and renames it over the
    site directory; reports the paths whose bytes changed. `failure` makes it fail instead."""

    files: dict[str, bytes] = field(default_factory=dict)
    failure: tuple[Diagnostic, ...] = ()
    calls: list[frozenset[Path]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, options: Options, *, changed: set[Path] | None = None) -> Result:
        with self.lock:
            self.calls.append(frozenset(changed or ()))
            if self.failure:
                return Result(False, self.failure, ())
            site = options.out_dir or options.root / "site"
            fresh = Path(tempfile.mkdtemp(prefix=".site-", dir=site.parent))
            written = []
            for name, data in self.files.items():
                target = fresh / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                old = site / name
                if not old.is_file() or old.read_bytes() != data:
                    written.append(name)
            if site.exists():
                retired = site.with_name(site.name + ".old")
                os.rename(site, retired)
                os.rename(fresh, site)
                shutil.rmtree(retired)
            else:
                os.rename(fresh, site)
            return Result(True, (), tuple(sorted(written)))


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
