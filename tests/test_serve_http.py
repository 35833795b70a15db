"""The preview server over real HTTP on 127.0.0.1, serving a site a swapping build writes."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import pytest
from serve_helpers import EventStream, Options, SwapBuild, get, raw_request

from reelpress.core.diagnostics import error
from reelpress.serve import PreviewServer

PAGE = (
    b"<!doctype html><html><head><link rel=stylesheet href=/style.css></head>"
    b"<body><p>Paris</p></body></html>"
)
VIDEO = bytes(range(256)) * 40  # 10240 bytes, every offset identifiable


def site_files() -> dict[str, bytes]:
    return {
        "index.html": b"<html><body><h1>Home</h1></body></html>",
        "paris/index.html": PAGE,
        "lyon/index.html": b"<html><body>Lyon</body></html>",
        "404.html": b"<html><body><h1>Custom missing page</h1></body></html>",
        "style.css": b"body { color: black }",
        "media/clip.mp4": VIDEO,
        "media/clip.webm": b"webm",
        "media/voice.m4a": b"m4a",
        "media/clip.vtt": b"WEBVTT\n",
        "media/hls/master.m3u8": b"#EXTM3U\n",
        "feed.json": b"{}",
        "feed.xml": b"<feed/>",
        "site.webmanifest": b"{}",
        "img/photo.avif": b"avif",
        "img/photo.webp": b"webp",
        "app.js": b"console.log(1)",
    }


@pytest.fixture
def served(tmp_path: Path):
    build = SwapBuild(site_files())
    messages: list[str] = []
    preview = PreviewServer(
        Options(tmp_path), port=0, build=build, watch=False, say=messages.append
    )
    preview.start()
    preview.messages = messages  # type: ignore[attr-defined]
    yield preview, build
    preview.close()


def test_html_gets_the_script_injected_but_not_on_disk(served):
    preview, _ = served
    status, headers, body = get(preview.port, "/paris/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert int(headers["content-length"]) == len(body)
    tag = b'<script src="/__reelpress/livereload.js" data-build="1"></script>'
    assert body == PAGE.replace(b"</body>", tag + b"</body>")
    assert (preview.site_dir / "paris/index.html").read_bytes() == PAGE
    # Not into other text types.
    assert get(preview.port, "/style.css")[2] == b"body { color: black }"
    assert get(preview.port, "/feed.xml")[2] == b"<feed/>"


def test_client_script_and_status_endpoints(served):
    preview, _ = served
    status, headers, body = get(preview.port, "/__reelpress/livereload.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in body and b"textContent" in body
    status, headers, body = get(preview.port, "/__reelpress/status")
    assert json.loads(body) == {"build": 1, "ok": True, "diagnostics": []}


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/media/clip.mp4", "video/mp4"),
        ("/media/clip.webm", "video/webm"),
        ("/media/voice.m4a", "audio/mp4"),
        ("/media/clip.vtt", "text/vtt; charset=utf-8"),
        ("/media/hls/master.m3u8", "application/vnd.apple.mpegurl"),
        ("/feed.json", "application/feed+json"),
        ("/site.webmanifest", "application/manifest+json"),
        ("/img/photo.avif", "image/avif"),
        ("/img/photo.webp", "image/webp"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
    ],
)
def test_mime_types(served, path, mime):
    status, headers, _ = get(served[0].port, path)
    assert status == 200
    assert headers["content-type"] == mime
    assert headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize(
    ("range_header", "status", "content_range", "first", "last"),
    [
        ("bytes=0-99", 206, "bytes 0-99/10240", 0, 99),
        ("bytes=10000-", 206, "bytes 10000-10239/10240", 10000, 10239),
        ("bytes=-240", 206, "bytes 10000-10239/10240", 10000, 10239),
        ("bytes=10200-99999", 206, "bytes 10200-10239/10240", 10200, 10239),
        ("bytes=5-2", 200, None, 0, 10239),  # malformed: the whole file
        ("bytes=oops", 200, None, 0, 10239),
        ("bytes=0-1,4-5", 200, None, 0, 10239),  # multi-range: the whole file (documented)
    ],
)
def test_range_requests(served, range_header, status, content_range, first, last):
    got_status, headers, body = get(
        served[0].port, "/media/clip.mp4", headers={"Range": range_header}
    )
    assert got_status == status
    assert headers.get("content-range") == content_range
    assert body == VIDEO[first : last + 1]
    assert int(headers["content-length"]) == len(body)


@pytest.mark.parametrize("range_header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0"])
def test_unsatisfiable_range(served, range_header):
    status, headers, body = get(served[0].port, "/media/clip.mp4", headers={"Range": range_header})
    assert status == 416
    assert headers["content-range"] == "bytes */10240"
    assert body == b""


def test_if_range_with_a_stale_validator_sends_the_whole_file(served):
    port = served[0].port
    _, headers, _ = get(port, "/media/clip.mp4")
    fresh = get(
        port, "/media/clip.mp4", headers={"Range": "bytes=0-9", "If-Range": headers["etag"]}
    )
    stale = get(port, "/media/clip.mp4", headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert fresh[0] == 206 and stale[0] == 200 and len(stale[2]) == len(VIDEO)


def test_head_has_headers_only(served):
    port = served[0].port
    for path in ("/media/clip.mp4", "/paris/", "/missing/"):
        get_status, get_headers, get_body = get(port, path)
        head_status, head_headers, head_body = get(port, path, method="HEAD")
        assert head_status == get_status
        assert head_body == b""
        assert head_headers["content-length"] == get_headers["content-length"] == str(len(get_body))
    status, headers, body = get(
        port, "/media/clip.mp4", method="HEAD", headers={"Range": "bytes=-10"}
    )
    assert status == 206 and headers["content-length"] == "10" and body == b""


def test_directories_redirect_and_index(served):
    port = served[0].port
    status, headers, _ = get(port, "/paris")
    assert status == 301 and headers["location"] == "/paris/"
    status, headers, _ = get(port, "/paris?utm=x")
    assert headers["location"] == "/paris/?utm=x"
    status, headers, body = get(port, "/paris", method="HEAD")
    assert status == 301 and headers["location"] == "/paris/" and body == b""
    assert get(port, "/")[0] == 200
    assert b"Home" in get(port, "/")[2]
    # A folder without index.html is not listed.
    assert get(port, "/media/")[0] == 404
    assert get(port, "/style.css/")[0] == 404


def test_missing_page_uses_the_site_404_with_status_404(served):
    status, headers, body = get(served[0].port, "/nowhere/")
    assert status == 404
    assert b"Custom missing page" in body
    assert b"data-missing" in body  # it reloads itself when the page appears
    assert headers["cache-control"] == "no-store"


def test_only_get_and_head(served):
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        status, headers, _ = get(served[0].port, "/paris/", method=method)
        assert status == 405
        assert headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/paris/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/paris%2f..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/paris/%00",
        "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 dots
    ],
)
def test_traversal_attempts_never_reach_outside(served, target):
    preview, _ = served
    (preview.root / "secret.txt").write_text("TOP SECRET")
    request = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    status, _, body = raw_request(preview.port, request)
    assert status in (403, 404)
    assert b"TOP SECRET" not in body


def test_absolute_form_and_symlinks_out_are_refused(served):
    preview, _ = served
    (preview.root / "secret.txt").write_text("TOP SECRET")
    os.symlink(preview.root / "secret.txt", preview.site_dir / "leak.txt")
    os.symlink(preview.root, preview.site_dir / "up")
    for target in ("/leak.txt", "/up/secret.txt", "//etc/passwd", "http://x/../secret.txt"):
        request = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        status, _, body = raw_request(preview.port, request)
        assert status in (403, 404), target
        assert b"TOP SECRET" not in body and b"root:" not in body


def test_keep_alive_serves_several_requests_on_one_connection(served):
    port = served[0].port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        reader = sock.makefile("rb")
        for path in ("/style.css", "/app.js"):
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert b" 200 " in reader.readline()
            length = 0
            while (line := reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            assert len(reader.read(length)) == length


def test_rebuild_sends_reload_only_to_the_changed_page(served):
    preview, build = served
    paris = EventStream(preview.port, "path=/paris/&since=1")
    lyon = EventStream(preview.port, "path=/lyon/&since=1")
    assert paris.next_event() == ("status", {"build": 1, "ok": True, "diagnostics": []})
    assert lyon.next_event()[0] == "status"
    build.files["paris/index.html"] = PAGE.replace(b"Paris", b"Paris, updated")
    preview.rebuild(frozenset())
    assert paris.next_event() == ("reload", {})
    # Lyon's page did not change: it hears the new status, no reload.
    assert lyon.next_event()[0] == "status"
    build.files["lyon/index.html"] = b"<html><body>Lyon 2</body></html>"
    preview.rebuild(frozenset())
    assert lyon.next_event() == ("reload", {})
    paris.close()
    lyon.close()


def test_css_change_swaps_stylesheets_instead_of_reloading(served):
    preview, build = served
    stream = EventStream(preview.port, "path=/paris/&since=1")
    stream.next_event()
    build.files["style.css"] = b"body { color: red }"
    preview.rebuild(frozenset())
    assert stream.next_event() == ("css", {"paths": ["/style.css"]})
    stream.close()


def test_a_page_loaded_before_a_rebuild_still_hears_of_it(served):
    preview, build = served
    build.files["paris/index.html"] = PAGE.replace(b"Paris", b"Paris 2")
    preview.rebuild(frozenset())
    # The tab's page carried build 1; it connects after build 2 finished.
    stream = EventStream(preview.port, "path=/paris/&since=1")
    assert stream.next_event()[0] == "status"
    assert stream.next_event() == ("reload", {})
    stream.close()


def test_failed_build_keeps_the_last_good_site_and_reports(served):
    preview, build = served
    stream = EventStream(preview.port, "path=/paris/&since=1")
    stream.next_event()
    build.failure = (error("content/paris.md", 4, "date: expected YYYY-MM-DD, got '<soon>'"),)
    preview.rebuild(frozenset())
    name, status = stream.next_event()
    assert name == "status" and status["ok"] is False
    assert status["diagnostics"][0]["path"] == "content/paris.md"
    assert status["diagnostics"][0]["line"] == 4
    assert "Build failed" in "\n".join(preview.messages)
    assert "content/paris.md:4: date: expected YYYY-MM-DD" in "\n".join(preview.messages)
    # The last good site is still served, and the status endpoint has the errors.
    assert get(preview.port, "/paris/")[0] == 200
    assert json.loads(get(preview.port, "/__reelpress/status")[2])["ok"] is False
    # Fixed: a good build clears the overlay (status ok) and reloads the changed page.
    build.failure = ()
    build.files["paris/index.html"] = PAGE.replace(b"Paris", b"Paris fixed")
    preview.rebuild(frozenset())
    events = [stream.next_event(), stream.next_event()]
    assert ("reload", {}) in events
    assert any(name == "status" and data["ok"] for name, data in events)
    stream.close()


def test_a_crashing_build_does_not_stop_the_server(served, capsys):
    preview, build = served

    def crash(options):
        raise RuntimeError("boom")

    preview.coordinator._build = crash
    preview.coordinator._pass_changed = False
    outcome = preview.rebuild(frozenset())
    assert not outcome.ok and "RuntimeError: boom" in outcome.diagnostics[0].message
    assert get(preview.port, "/paris/")[0] == 200


def test_base_path_serves_the_site_below_it(tmp_path: Path):
    build = SwapBuild(site_files())
    options = Options(tmp_path, base_url="https://example.com/news/")
    with PreviewServer(options, port=0, build=build, watch=False, say=lambda _: None) as preview:
        assert preview.url.endswith("/news/")
        assert get(preview.port, "/news/paris/")[0] == 200
        status, headers, _ = get(preview.port, "/")
        assert status == 301 and headers["location"] == "/news/"
        status, headers, _ = get(preview.port, "/news/paris")
        assert headers["location"] == "/news/paris/"
        assert get(preview.port, "/paris/")[0] == 404
        assert get(preview.port, "/news/media/clip.mp4", headers={"Range": "bytes=0-0"})[0] == 206


def test_busy_port_moves_to_the_next_one(tmp_path: Path):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    busy = blocker.getsockname()[1]
    messages: list[str] = []
    try:
        build = SwapBuild(site_files())
        options = Options(tmp_path)
        with PreviewServer(options, port=busy, build=build, watch=False, say=messages.append) as p:
            assert p.port != busy
            assert get(p.port, "/paris/")[0] == 200
        assert any(f"Port {busy}" in m and "busy" in m for m in messages)
    finally:
        blocker.close()


def test_close_frees_the_port_and_ends_event_streams(tmp_path: Path):
    preview = PreviewServer(
        Options(tmp_path), port=0, build=SwapBuild(site_files()), watch=False, say=lambda _: None
    )
    preview.start()
    port = preview.port
    stream = EventStream(port, "path=/paris/&since=1")
    stream.next_event()
    preview.close()
    with pytest.raises((EOFError, OSError)):
        stream.next_event()
    stream.close()
    again = socket.socket()
    again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    again.bind(("127.0.0.1", port))
    again.close()


def test_requests_during_rebuilds_never_see_a_half_swapped_site(served):
    """Regression guard for the swap lock: every request made while the build renames
    directories gets the page (or the 404 page for a missing one), never a spurious 404."""
    preview, build = served
    failures: list[str] = []
    stop = threading.Event()

    def hammer(path: str, expected: int) -> None:
        while not stop.is_set():
            status, _, body = get(preview.port, path)
            if status != expected or not body:
                failures.append(f"{path}: {status}")

    workers = [
        threading.Thread(target=hammer, args=(path, expected))
        for path, expected in (("/paris/", 200), ("/media/clip.mp4", 200), ("/gone/", 404))
    ]
    for worker in workers:
        worker.start()
    try:
        for number in range(25):
            build.files["paris/index.html"] = PAGE.replace(b"Paris", f"Paris {number}".encode())
            preview.rebuild(frozenset())
    finally:
        stop.set()
        for worker in workers:
            worker.join(10)
    assert not any(worker.is_alive() for worker in workers), "a request hung"
    assert failures == []
