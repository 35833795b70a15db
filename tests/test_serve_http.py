"""The preview server over real HTTP on 127.0.0.1, serving a site the real pipeline builds."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from serve_helpers import EventStream, article, get, raw_request, write_preview_site

from reelpress.core.options import BuildOptions, BuildResult
from reelpress.pipeline import build_site
from reelpress.serve import PreviewServer

VIDEO = bytes(range(256)) * 40  # 10240 bytes, every offset identifiable


def static_files() -> dict[str, bytes]:
    return {
        "style.css": b"body { color: black }",
        "media/clip.mp4": VIDEO,
        "media/clip.webm": b"webm",
        "media/voice.m4a": b"m4a",
        "media/clip.vtt": b"WEBVTT\n",
        "media/hls/master.m3u8": b"#EXTM3U\n",
        "site.webmanifest": b"{}",
        "img/photo.avif": b"avif",
        "img/photo.webp": b"webp",
        "app.js": b"console.log(1)",
    }


def start_preview(root: Path) -> PreviewServer:
    messages: list[str] = []
    preview = PreviewServer(write_preview_site(root, static_files()), port=0, watch=False,
                            say=messages.append)
    preview.messages = messages  # type: ignore[attr-defined]
    return preview.start()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PreviewServer]:
    """One built site for the tests that only read it (a real build costs about a second)."""
    preview = start_preview(tmp_path_factory.mktemp("served"))
    yield preview
    preview.close()


@pytest.fixture
def edited(tmp_path: Path) -> Iterator[PreviewServer]:
    """A site of its own, for tests that edit and rebuild it."""
    preview = start_preview(tmp_path)
    yield preview
    preview.close()


def edit(preview: PreviewServer, rel: str, text: str) -> BuildResult:
    (preview.root / rel).write_text(text, encoding="utf-8")
    result = preview.rebuild(frozenset())
    assert result is not None
    return result


def test_html_gets_the_script_injected_but_not_on_disk(served):
    status, headers, body = get(served.port, "/paris/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert int(headers["content-length"]) == len(body)
    tag = b'<script src="/__reelpress/livereload.js" data-build="1"></script>'
    on_disk = (served.site_dir / "paris/index.html").read_bytes()
    assert b"__reelpress" not in on_disk
    assert body == on_disk.replace(b"</body>", tag + b"</body>")
    # Not into other text types.
    assert get(served.port, "/static/style.css")[2] == b"body { color: black }"
    assert get(served.port, "/feed.xml")[2] == (served.site_dir / "feed.xml").read_bytes()


def test_client_script_and_status_endpoints(served):
    status, headers, body = get(served.port, "/__reelpress/livereload.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in body and b"textContent" in body
    status, headers, body = get(served.port, "/__reelpress/status")
    assert json.loads(body) == {"build": 1, "ok": True, "diagnostics": []}


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/static/media/clip.mp4", "video/mp4"),
        ("/static/media/clip.webm", "video/webm"),
        ("/static/media/voice.m4a", "audio/mp4"),
        ("/static/media/clip.vtt", "text/vtt; charset=utf-8"),
        ("/static/media/hls/master.m3u8", "application/vnd.apple.mpegurl"),
        ("/feed.json", "application/feed+json"),
        ("/static/site.webmanifest", "application/manifest+json"),
        ("/static/img/photo.avif", "image/avif"),
        ("/static/img/photo.webp", "image/webp"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/app.js", "text/javascript; charset=utf-8"),
    ],
)
def test_mime_types(served, path, mime):
    status, headers, _ = get(served.port, path)
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
        served.port, "/static/media/clip.mp4", headers={"Range": range_header}
    )
    assert got_status == status
    assert headers.get("content-range") == content_range
    assert body == VIDEO[first : last + 1]
    assert int(headers["content-length"]) == len(body)


@pytest.mark.parametrize("range_header", ["bytes=10240-", "bytes=20000-30000", "bytes=-0"])
def test_unsatisfiable_range(served, range_header):
    status, headers, body = get(served.port, "/static/media/clip.mp4",
                                headers={"Range": range_header})
    assert status == 416
    assert headers["content-range"] == "bytes */10240"
    assert body == b""


def test_if_range_with_a_stale_validator_sends_the_whole_file(served):
    port = served.port
    _, headers, _ = get(port, "/static/media/clip.mp4")
    fresh = get(
        port, "/static/media/clip.mp4", headers={"Range": "bytes=0-9", "If-Range": headers["etag"]}
    )
    stale = get(port, "/static/media/clip.mp4", headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert fresh[0] == 206 and stale[0] == 200 and len(stale[2]) == len(VIDEO)


def test_head_has_headers_only(served):
    port = served.port
    for path in ("/static/media/clip.mp4", "/paris/", "/missing/"):
        get_status, get_headers, get_body = get(port, path)
        head_status, head_headers, head_body = get(port, path, method="HEAD")
        assert head_status == get_status
        assert head_body == b""
        assert head_headers["content-length"] == get_headers["content-length"] == str(len(get_body))
    status, headers, body = get(
        port, "/static/media/clip.mp4", method="HEAD", headers={"Range": "bytes=-10"}
    )
    assert status == 206 and headers["content-length"] == "10" and body == b""


def test_directories_redirect_and_index(served):
    port = served.port
    status, headers, _ = get(port, "/paris")
    assert status == 301 and headers["location"] == "/paris/"
    status, headers, _ = get(port, "/paris?utm=x")
    assert headers["location"] == "/paris/?utm=x"
    status, headers, body = get(port, "/paris", method="HEAD")
    assert status == 301 and headers["location"] == "/paris/" and body == b""
    assert get(port, "/")[0] == 200
    assert b"Paris rescue" in get(port, "/")[2]
    # A folder without index.html is not listed.
    assert get(port, "/static/media/")[0] == 404
    assert get(port, "/static/style.css/")[0] == 404


def test_missing_page_uses_the_site_404_with_status_404(served):
    status, headers, body = get(served.port, "/nowhere/")
    assert status == 404
    site_404 = (served.site_dir / "404.html").read_bytes()
    assert site_404.split(b"</body>")[0] in body
    assert b"data-missing" in body  # it reloads itself when the page appears
    assert headers["cache-control"] == "no-store"


def test_only_get_and_head(served):
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH"):
        status, headers, _ = get(served.port, "/paris/", method=method)
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
    preview = served
    (preview.root / "secret.txt").write_text("TOP SECRET")
    request = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    status, _, body = raw_request(preview.port, request)
    assert status in (403, 404)
    assert b"TOP SECRET" not in body


def test_absolute_form_and_symlinks_out_are_refused(served):
    preview = served
    (preview.root / "secret.txt").write_text("TOP SECRET")
    os.symlink(preview.root / "secret.txt", preview.site_dir / "leak.txt")
    os.symlink(preview.root, preview.site_dir / "up")
    for target in ("/leak.txt", "/up/secret.txt", "//etc/passwd", "http://x/../secret.txt"):
        request = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        status, _, body = raw_request(preview.port, request)
        assert status in (403, 404), target
        assert b"TOP SECRET" not in body and b"root:" not in body


def test_keep_alive_serves_several_requests_on_one_connection(served):
    port = served.port
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        reader = sock.makefile("rb")
        for path in ("/static/style.css", "/static/app.js"):
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            assert b" 200 " in reader.readline()
            length = 0
            while (line := reader.readline()) != b"\r\n":
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            assert len(reader.read(length)) == length


def test_rebuild_sends_a_swap_only_to_the_changed_page(edited):
    paris = EventStream(edited.port, "path=/paris/&since=1")
    lyon = EventStream(edited.port, "path=/lyon/&since=1")
    assert paris.next_event() == ("status", {"build": 1, "ok": True, "diagnostics": []})
    assert lyon.next_event()[0] == "status"
    edit(edited, "content/paris.md", article("Paris rescue", "Paris, updated."))
    name, data = paris.next_event()
    # The new page comes with the event, as it is on disk (the client needs no request).
    assert (name, data["css"]) == ("swap", [])
    assert data["html"] == (edited.site_dir / "paris/index.html").read_text()
    assert "Paris, updated." in data["html"]
    # Lyon's page did not change: it hears the new status, no page.
    assert lyon.next_event()[0] == "status"
    edit(edited, "content/lyon.md", article("Lyon floods", "Lyon 2.", "2025-07-10 08:00:00"))
    name, data = lyon.next_event()
    assert (name, data["css"]) == ("swap", []) and "Lyon 2." in data["html"]
    paris.close()
    lyon.close()


def test_css_change_swaps_stylesheets_instead_of_reloading(edited):
    stream = EventStream(edited.port, "path=/paris/&since=1")
    stream.next_event()
    edit(edited, "static/style.css", "body { color: red }")
    assert stream.next_event() == ("css", {"css": ["/static/style.css"]})
    stream.close()


def test_a_page_loaded_before_a_rebuild_still_hears_of_it(edited):
    edit(edited, "content/paris.md", article("Paris rescue", "Paris 2."))
    # The tab's page carried build 1; it connects after build 2 finished.
    stream = EventStream(edited.port, "path=/paris/&since=1")
    assert stream.next_event()[0] == "status"
    name, data = stream.next_event()
    assert name == "swap" and "Paris 2." in data["html"]
    stream.close()


def test_failed_build_keeps_the_last_good_site_and_reports(edited):
    stream = EventStream(edited.port, "path=/paris/&since=1")
    stream.next_event()
    good = (edited.root / "content/paris.md").read_text()
    result = edit(edited, "content/paris.md", good.replace("date: 2025-07-14 09:30:00",
                                                           "date: [oops"))
    assert not result.ok
    name, status = stream.next_event()
    assert name == "status" and status["ok"] is False
    assert status["diagnostics"][0]["path"] == "content/paris.md"
    line = status["diagnostics"][0]["line"]
    assert line == 3
    assert "Build failed" in "\n".join(edited.messages)
    assert f"content/paris.md:{line}: " in "\n".join(edited.messages)
    # The last good site is still edited, and the status endpoint has the errors.
    assert b"Paris, the first version." in get(edited.port, "/paris/")[2]
    assert json.loads(get(edited.port, "/__reelpress/status")[2])["ok"] is False
    # Fixed: a good build clears the overlay (status ok) and swaps in the changed page.
    edit(edited, "content/paris.md", good.replace("the first version", "fixed"))
    events = [stream.next_event(), stream.next_event()]
    assert any(name == "swap" and "fixed" in data["html"] for name, data in events)
    assert any(name == "status" and data["ok"] for name, data in events)
    stream.close()


def test_a_crashing_build_does_not_stop_the_server(tmp_path: Path, capsys):
    builds: list[BuildResult] = []

    def crashes_after_the_first(options: BuildOptions, *,
                                commit_lock: AbstractContextManager[object] | None = None
                                ) -> BuildResult:
        if builds:
            raise RuntimeError("boom")
        builds.append(build_site(options, commit_lock=commit_lock))
        return builds[0]

    options = write_preview_site(tmp_path)
    with PreviewServer(options, port=0, build=crashes_after_the_first, watch=False,
                       say=lambda _: None) as preview:
        result = preview.rebuild(frozenset())
        assert result is not None and not result.ok
        assert "RuntimeError: boom" in result.diagnostics[0].message
        assert get(preview.port, "/paris/")[0] == 200
    assert "RuntimeError: boom" in capsys.readouterr().err  # the traceback, for the bug report


def test_base_path_serves_the_site_below_it(tmp_path: Path):
    options = write_preview_site(tmp_path, static_files(), base="/news/")
    with PreviewServer(options, port=0, watch=False, say=lambda _: None) as preview:
        assert preview.url.endswith("/news/")
        assert get(preview.port, "/news/paris/")[0] == 200
        status, headers, _ = get(preview.port, "/")
        assert status == 301 and headers["location"] == "/news/"
        status, headers, _ = get(preview.port, "/news/paris")
        assert headers["location"] == "/news/paris/"
        assert get(preview.port, "/paris/")[0] == 404
        clip = get(preview.port, "/news/static/media/clip.mp4", headers={"Range": "bytes=0-0"})
        assert clip[0] == 206


def test_busy_port_moves_to_the_next_one(tmp_path: Path):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    busy = blocker.getsockname()[1]
    messages: list[str] = []
    try:
        options = write_preview_site(tmp_path)
        with PreviewServer(options, port=busy, watch=False, say=messages.append) as p:
            assert p.port != busy
            assert get(p.port, "/paris/")[0] == 200
        assert any(f"Port {busy}" in m and "busy" in m for m in messages)
    finally:
        blocker.close()


def test_close_frees_the_port_and_ends_event_streams(tmp_path: Path):
    preview = PreviewServer(write_preview_site(tmp_path), port=0, watch=False,
                            say=lambda _: None)
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


def test_pages_are_served_while_a_build_runs(tmp_path: Path):
    """The lock is taken around the commit only: a real build held just before its commit
    (on an event this test controls) does not stop requests; released, it commits."""
    options = write_preview_site(tmp_path)
    reached, release = threading.Event(), threading.Event()
    holding = threading.Event()

    def held_build(options: BuildOptions, *,
                   commit_lock: AbstractContextManager[object] | None = None) -> BuildResult:
        return build_site(options, commit_lock=held(commit_lock))

    @contextlib.contextmanager
    def held(lock: AbstractContextManager[object] | None) -> Iterator[None]:
        if holding.is_set():
            reached.set()
            assert release.wait(60), "never released"
        assert lock is not None
        with lock:
            yield

    with PreviewServer(options, port=0, build=held_build, watch=False,
                       say=lambda _: None) as preview:
        holding.set()
        (tmp_path / "content/paris.md").write_text(article("Paris rescue", "Paris, later."))
        builder = threading.Thread(target=preview.rebuild, args=(frozenset(),))
        builder.start()
        try:
            assert reached.wait(60), "the build never reached its commit"
            # Everything is rendered and staged; requests are answered from the old site.
            status, _, body = get(preview.port, "/paris/")
            assert status == 200 and b"Paris, the first version." in body
            assert get(preview.port, "/__reelpress/status")[0] == 200
        finally:
            release.set()
            builder.join(60)
        assert not builder.is_alive()
        assert b"Paris, later." in get(preview.port, "/paris/")[2]


def test_requests_wait_while_the_build_moves_files_into_the_site(tmp_path: Path):
    """Inside the commit lock (held here on an event) a request is not answered; once the
    commit is done it gets the new page. (The wait for "not answered" is the one place a
    timeout decides: a broken lock answers at once, a working one never does.)"""
    options = write_preview_site(tmp_path)
    inside, release = threading.Event(), threading.Event()
    holding = threading.Event()

    @contextlib.contextmanager
    def held(lock: AbstractContextManager[object] | None) -> Iterator[None]:
        assert lock is not None
        with lock:
            if holding.is_set():
                inside.set()
                assert release.wait(60), "never released"
            yield

    def held_build(options: BuildOptions, *,
                   commit_lock: AbstractContextManager[object] | None = None) -> BuildResult:
        return build_site(options, commit_lock=held(commit_lock))

    with PreviewServer(options, port=0, build=held_build, watch=False,
                       say=lambda _: None) as preview:
        holding.set()
        (tmp_path / "content/paris.md").write_text(article("Paris rescue", "Paris, later."))
        builder = threading.Thread(target=preview.rebuild, args=(frozenset(),))
        builder.start()
        answers: list[bytes] = []
        answered = threading.Event()

        def request() -> None:
            answers.append(get(preview.port, "/paris/")[2])
            answered.set()

        asker = threading.Thread(target=request)
        try:
            assert inside.wait(60), "the build never reached its commit"
            asker.start()
            assert not answered.wait(0.5), "a request was answered during the commit"
        finally:
            release.set()
            builder.join(60)
            if asker.ident:
                asker.join(30)
        assert answered.is_set() and b"Paris, later." in answers[0]


def test_requests_during_real_rebuilds_never_see_a_half_written_site(edited):
    """Real builds edit and commit while requests stream: every answer is a whole version
    of the page (one the site really had), and files that exist before and after never 404."""
    preview = edited
    versions = {(preview.site_dir / "paris/index.html").read_bytes()}
    failures: list[str] = []
    seen: list[bytes] = []
    stop = threading.Event()

    def hammer(path: str, expected: int) -> None:
        while not stop.is_set():
            status, headers, body = get(preview.port, path)
            if status != expected or not body or int(headers["content-length"]) != len(body):
                failures.append(f"{path}: {status}")
            elif path == "/paris/":
                seen.append(body)

    workers = [
        threading.Thread(target=hammer, args=(path, expected))
        for path, expected in (("/paris/", 200), ("/static/media/clip.mp4", 200),
                               ("/lyon/", 200), ("/feed.xml", 200), ("/gone/", 404))
    ]
    for worker in workers:
        worker.start()
    try:
        for number in range(6):
            result = edit(preview, "content/paris.md",
                          article("Paris rescue", f"Paris, version {number}."))
            assert result.ok and "paris/index.html" in result.written
            versions.add((preview.site_dir / "paris/index.html").read_bytes())
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
    assert not any(worker.is_alive() for worker in workers), "a request hung"
    assert failures == []
    tag = re.compile(rb'<script src="/__reelpress/livereload.js" data-build="\d+"></script>')
    assert seen and {tag.sub(b"", body) for body in seen} <= versions


def test_open_pages_hear_of_a_build_at_its_commit_not_after_its_last_step(tmp_path: Path):
    """The pipeline reports the files it moved into site/ inside the commit window: the
    swap event reaches the page while the build is still busy after its commit (held here
    after the real build returns, as a slow search or index step would), and a page
    served from then on carries the new build number."""
    options = write_preview_site(tmp_path)
    finish = threading.Event()
    holding = threading.Event()

    def slow_after_commit(options: BuildOptions, *,
                          commit_lock: AbstractContextManager[object] | None = None
                          ) -> BuildResult:
        result = build_site(options, commit_lock=commit_lock)
        if holding.is_set():
            assert finish.wait(60), "never released"
        return result

    with PreviewServer(options, port=0, build=slow_after_commit, watch=False,
                       say=lambda _: None) as preview:
        stream = EventStream(preview.port, "path=/paris/&since=1")
        assert stream.next_event()[0] == "status"
        holding.set()
        (tmp_path / "content/paris.md").write_text(article("Paris rescue", "Paris, later."))
        builder = threading.Thread(target=preview.rebuild, args=(frozenset(),))
        builder.start()
        try:
            assert stream.next_event()[0] == "swap"  # before the build returns
            assert builder.is_alive()
            status, _, body = get(preview.port, "/paris/")
            assert b"Paris, later." in body and b'data-build="2"' in body
        finally:
            finish.set()
            builder.join(60)
        # The result adds nothing new: the same build number, nothing more to tell.
        assert preview.hub.version == 2 and preview.hub.status.ok
        stream.close()
