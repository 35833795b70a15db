"""File watching, debouncing and shutdown of the preview, on real files and a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from child_process import read_until, start_interruptible
from serve_helpers import Terminal as PreviewTerminal
from serve_helpers import article, get, write_preview_site

from reelpress.serve import PreviewServer
from reelpress.serve.watch import Debouncer, ProjectWatcher, is_editor_temp, is_ignored

ROOT = Path("/proj")


def test_is_ignored_keeps_sources_only():
    kept = [
        "content/paris.md",
        "content/2026/lyon.md",
        "media/clip.mov",
        "themes/default/templates/base.html",
        "templates/article.html",
        "static/logo.svg",
        "site.toml",
        "content",
    ]
    dropped = [
        "site/index.html",
        ".reelpress-cache/x.json",
        "content/.#paris.md",
        "content/paris.md~",
        "content/.paris.md.swp",
        "content/4913",
        "content/#paris.md#",
        "README.md",
        ".site-abc123/index.html",
        "content/.git/index",
        "other/file.md",
    ]
    for relative in kept:
        assert not is_ignored(ROOT / relative, ROOT), relative
    for relative in dropped:
        assert is_ignored(ROOT / relative, ROOT), relative
    assert is_ignored(Path("/elsewhere/content/x.md"), ROOT)
    assert is_ignored(ROOT / "content/out/x.html", ROOT, out_dir=ROOT / "content/out")
    assert is_editor_temp(".x.swx") and not is_editor_temp("notes.md")
    assert is_editor_temp("paris.md___jb_tmp___") and is_editor_temp("paris.md___jb_old___")


def test_debouncer_turns_a_burst_into_one_call():
    """Twenty events in a row (far inside `quiet`) make one call with every path. No
    sleep: the burst is the events themselves, and `stop()` (which waits for the thread)
    is the moment after which no other call can come."""
    calls: list[frozenset[Path]] = []
    done = threading.Event()

    def on_burst(paths: frozenset[Path]) -> None:
        calls.append(paths)
        done.set()

    debouncer = Debouncer(on_burst, quiet=2.0, max_wait=30.0)
    try:
        for number in range(20):
            debouncer.add([Path(f"content/{number % 5}.md")])
        assert done.wait(30)
    finally:
        debouncer.stop()
    assert calls == [frozenset(Path(f"content/{n}.md") for n in range(5))]


def test_debouncer_max_wait_bounds_a_steady_stream():
    calls: list[frozenset[Path]] = []
    arrived = threading.Condition()

    def record(paths: frozenset[Path]) -> None:
        with arrived:
            calls.append(paths)
            arrived.notify_all()

    debouncer = Debouncer(record, quiet=0.2, max_wait=0.3)
    try:
        deadline = time.monotonic() + 1.5
        number = 0
        while time.monotonic() < deadline:
            debouncer.add([Path(f"c/{number}.md")])
            number += 1
            time.sleep(0.05)  # always inside the quiet period
        expected = {Path(f"c/{n}.md") for n in range(number)}
        with arrived:  # wait for the last batch to arrive, not for a guessed time
            assert arrived.wait_for(lambda: set().union(*calls) == expected, timeout=30)
        assert len(calls) >= 2  # not one call after the stream ends
    finally:
        debouncer.stop()


def test_debouncer_hands_over_a_finished_save_at_once():
    """A path whose last event says its writer is done (closed after writing, renamed into
    place) needs no quiet period: with a quiet period of a minute, the call still comes."""
    calls: list[frozenset[Path]] = []
    done = threading.Event()

    def on_burst(paths: frozenset[Path]) -> None:
        calls.append(paths)
        done.set()

    debouncer = Debouncer(on_burst, quiet=60.0, max_wait=120.0)
    try:
        debouncer.add([Path("content/a.md")])  # modified: more may follow
        debouncer.add([Path("content/a.md")], complete=True)  # closed after writing
        assert done.wait(30), "a finished save waited for the quiet period"
    finally:
        debouncer.stop()
    assert calls == [frozenset({Path("content/a.md")})]


def test_debouncer_waits_the_quiet_period_while_a_path_is_unfinished():
    """A deleted or moved-away path (an editor saving by moving the old file aside) waits
    for the quiet period, even when another path is finished: the call comes no sooner."""
    arrived: list[float] = []
    done = threading.Event()

    def on_burst(paths: frozenset[Path]) -> None:
        arrived.append(time.monotonic())
        done.set()

    debouncer = Debouncer(on_burst, quiet=0.3, max_wait=30.0)
    try:
        added = time.monotonic()
        debouncer.add([Path("content/a.md")])  # moved away
        debouncer.add([Path("content/b.md")], complete=True)
        assert done.wait(30)
    finally:
        debouncer.stop()
    assert len(arrived) == 1 and arrived[0] - added >= 0.3


def test_watcher_events_say_which_paths_are_finished(tmp_path: Path):
    """Real files, real inotify: an append ends with a close (finished); a rename's source
    is unfinished and its destination finished; a deletion is unfinished."""
    (tmp_path / "content").mkdir()
    story = tmp_path / "content" / "story.md"
    story.write_text("one\n")
    heard: list[tuple[str, bool]] = []
    condition = threading.Condition()

    def on_paths(paths: list[Path], complete: bool) -> None:
        with condition:
            heard.extend((path.name, complete) for path in paths)
            condition.notify_all()

    def wait_for(entry: tuple[str, bool]) -> None:
        with condition:
            assert condition.wait_for(lambda: entry in heard, timeout=30), heard

    watcher = ProjectWatcher(tmp_path, on_paths)
    watcher.start()
    try:
        with open(story, "a", encoding="utf-8") as handle:
            handle.write("two\n")
        wait_for(("story.md", True))
        os.rename(story, tmp_path / "content" / "moved.md")
        wait_for(("moved.md", True))
        with condition:  # one event, source first
            assert heard[heard.index(("moved.md", True)) - 1] == ("story.md", False), heard
        (tmp_path / "content" / "moved.md").unlink()
        wait_for(("moved.md", False))
    finally:
        watcher.stop()


class Terminal(PreviewTerminal):
    """The preview's terminal lines; `wait_for_build` blocks until a build line says `what`."""

    def builds(self) -> list[str]:
        return [line for line in self.lines if line.startswith(("Rebuilt", "Build failed"))]

    def wait_for_build(self, what: str, timeout: float = 30.0) -> None:
        with self._condition:
            found = self._condition.wait_for(
                lambda: any(what in line for line in self.builds()), timeout)
            assert found, self.lines


def triggers(line: str) -> set[str]:
    """`Rebuilt in 0.2 s after changes to a, b and 2 more.` -> {"a", "b"}."""
    _, _, names = line.rstrip(".").partition(" after changes to ")
    return {name for name in names.split(", ") if name}


def test_saving_a_source_rebuilds_with_the_changed_paths(tmp_path: Path):
    options = write_preview_site(tmp_path)
    article_path = tmp_path / "content" / "paris.md"
    terminal = Terminal()
    with PreviewServer(options, port=0, say=terminal.say) as preview:
        assert len(terminal.builds()) == 1  # the initial build
        # An editor-style save: swap file, write a temp, rename over the original.
        (tmp_path / "content" / ".paris.md.swp").write_text("swap")
        temp = tmp_path / "content" / "paris.md.tmp"
        temp.write_text(article("Paris rescue", "Paris, saved."))
        os.replace(temp, article_path)
        (tmp_path / "content" / "4913").write_text("")
        terminal.wait_for_build("after changes to content/paris.md")
        assert b"Paris, saved." in (preview.site_dir / "paris/index.html").read_bytes()
        # The build's own output never triggers a rebuild; site.toml does.
        (preview.site_dir / "extra.html").write_text("x")
        (tmp_path / "site.toml").write_text(
            (tmp_path / "site.toml").read_text().replace("Preview Gazette", "Gazette 2"))
        terminal.wait_for_build("after changes to site.toml")
        # A source folder made after start is watched: its first file triggers a build.
        (tmp_path / "templates").mkdir()
        terminal.wait_for_build("after changes to templates")
        (tmp_path / "templates" / "partial.html").write_text("<p>x</p>")
        terminal.wait_for_build("templates/partial.html")
    named = set().union(*(triggers(line) for line in terminal.builds()))
    # Swap, temp and probe files and site/ never triggered anything.
    assert named == {"content/paris.md", "site.toml", "templates", "templates/partial.html"}


SERVE_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path[:0] = [{tests!r}, {repo!r}]
    from serve_helpers import write_preview_site
    from reelpress.serve import serve
    sys.exit(serve(write_preview_site(Path({root!r})), port={port}))
    """
)


def test_ctrl_c_stops_cleanly_and_frees_the_port(tmp_path: Path):
    (tmp_path / "content").mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = SERVE_SCRIPT.format(
        tests=str(Path(__file__).parent),
        repo=str(Path(__file__).parent.parent),
        root=str(tmp_path),
        port=port,
    )
    # Unbuffered output is not given: the "Serving" line must reach a pipe by itself.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    process = start_interruptible([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env)
    try:
        assert process.stdout is not None
        printed = read_until(process.stdout, b"(Ctrl-C to stop)", process).decode()
        assert f"Serving {tmp_path / 'site'} at http://127.0.0.1:{port}/ " in printed, printed
        assert get(port, "/")[0] == 200
        process.send_signal(signal.SIGINT)
        rest, err = (part.decode() for part in process.communicate(timeout=15))
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "Stopping" in rest
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_preview_options_and_base_path_from_the_project(tmp_path: Path):
    from reelpress.pipeline import BuildOptions
    from reelpress.serve.preview import configured_base_path, preview_options

    options = BuildOptions(root=tmp_path)
    assert options.fingerprint_assets
    assert preview_options(options).fingerprint_assets is False  # CSS keeps its URL
    assert configured_base_path(options) == "/"  # no site.toml yet
    (tmp_path / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/news/"\n')
    assert configured_base_path(options) == "/news/"
    flagged = BuildOptions(root=tmp_path, base_url="https://example.org/daily/")
    assert configured_base_path(flagged) == "/daily/"
