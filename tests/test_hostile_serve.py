"""Hostile requests and folder names against the preview (issue 16): a 5,000-digit Range,
an event stream for `/%00`, and edits under a folder that happens to be named `site`."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_helpers import EventStream, get, write_preview_site

from reelpress.serve import PreviewServer
from reelpress.serve.files import UNSATISFIABLE, ByteRange, locate, parse_range
from reelpress.serve.watch import is_ignored

VIDEO = bytes(range(256)) * 8
HUGE = "9" * 5000


@pytest.fixture
def served(tmp_path: Path):
    options = write_preview_site(tmp_path, {"media/clip.mp4": VIDEO})
    preview = PreviewServer(options, port=0, watch=False, say=lambda message: None)
    preview.start()
    yield preview
    preview.close()


def test_range_with_5000_digits_parses_without_error() -> None:
    size = len(VIDEO)
    assert parse_range(f"bytes={HUGE}-", size) is UNSATISFIABLE
    assert parse_range(f"bytes={HUGE}-{HUGE}", size) is UNSATISFIABLE
    assert parse_range(f"bytes=0-{HUGE}", size) == ByteRange(0, size - 1, size)
    assert parse_range(f"bytes=-{HUGE}", size) == ByteRange(0, size - 1, size)
    assert parse_range(f"bytes=5-{HUGE}", size) == ByteRange(5, size - 1, size)
    assert parse_range("bytes=١-٢", size) is None  # Arabic-Indic digits are not a range


def test_range_with_5000_digits_over_http(served, capfd) -> None:
    status, headers, body = get(served.port, "/static/media/clip.mp4",
                                headers={"Range": f"bytes={HUGE}-"})
    assert status == 416
    status, headers, body = get(served.port, "/static/media/clip.mp4",
                                headers={"Range": f"bytes=0-{HUGE}"})
    assert status == 206 and body == VIDEO
    assert get(served.port, "/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


def test_locate_refuses_nul_in_a_path(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("x")
    assert locate(tmp_path, ["\x00"]) is None
    assert locate(tmp_path, ["a\x00b", "index.html"]) is None


def test_events_for_a_nul_path_survive_a_rebuild(served, capfd) -> None:
    stream = EventStream(served.port, "path=/%00&since=0")
    assert stream.next_event()[0] == "status"
    served.rebuild(frozenset())
    name, _ = stream.next_event()  # the handler used to die here, on os.path and a NUL
    assert name in ("reload", "status")
    stream.close()
    assert get(served.port, "/")[0] == 200
    assert "Traceback" not in capfd.readouterr().err


def test_edits_under_a_folder_named_site_are_watched() -> None:
    root = Path("/project")
    assert not is_ignored(root / "content/site/launch.md", root)
    assert not is_ignored(root / "media/site/plan.jpg", root)
    assert is_ignored(root / "site/index.html", root)
    assert is_ignored(root / ".reelpress-cache/pages.json", root)
    assert is_ignored(root / "content/node_modules/x.md", root)


def test_preview_rebuilds_after_an_edit_in_content_site(tmp_path: Path) -> None:
    import threading

    from reelpress.serve.watch import ProjectWatcher

    (tmp_path / "content/site").mkdir(parents=True)
    seen: list[Path] = []
    arrived = threading.Event()

    def on_paths(paths: list[Path], complete: bool) -> None:
        seen.extend(paths)
        if any(p.name == "launch.md" for p in paths):
            arrived.set()

    watcher = ProjectWatcher(tmp_path, on_paths)
    watcher.start()
    try:
        (tmp_path / "content/site/launch.md").write_text("---\ntitle: x\n---\n")
        assert arrived.wait(20), seen
    finally:
        watcher.stop()
