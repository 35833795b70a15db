"""SIGKILL at random points of a whole build, not only of its commit (issue 16): the
build runs under a profile hook that counts reelpress's own function calls and kills
the process at call N, N drawn from a seeded generator over the calls a full build
makes. So the kill lands anywhere (reading the index, preparing pages, writing a blob,
encoding a photo into the cache, staging, moving, saving the index), the same place on
every run, and no test waits on a clock. After each kill the next good build must give
the cold result, with no staging folder left behind."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from images_fixtures import landscape_photo, save_jpeg
from mounts import file_tree
from sitebuilder import REPO, write_site

TOML = 'title = "T"\nbase_url = "https://example.org/"\nper_page = 2\n[search]\nenabled = false\n'
ARTICLE = "---\ntitle: {title}\ndate: 2025-01-0{day}\ntags: [t{tag}]\n---\n{body}\n"
# Counts calls into reelpress's code; with KILL_AT=N, SIGKILL at the Nth. Prints the count.
HOOKED_BUILD = """
import os, signal, sys
from pathlib import Path
package = os.path.join(sys.argv[1], "reelpress") + os.sep
kill_at = int(sys.argv[3])
calls = 0
def hook(frame, event, arg):
    global calls
    if event == "call" and frame.f_code.co_filename.startswith(package):
        calls += 1
        if calls == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
from reelpress.pipeline import BuildOptions, build_site
sys.setprofile(hook)
result = build_site(BuildOptions(root=Path(sys.argv[2]), jobs=1, quiet=True))
sys.setprofile(None)
print(calls)
sys.exit(0 if result.ok else 1)
"""


def _hooked(root: Path, kill_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", HOOKED_BUILD, str(REPO), str(root),
                           str(kill_at)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


def _edit(root: Path, round_number: int, rng: random.Random) -> None:
    for day in rng.sample(range(1, 6), 2):
        (root / f"content/s{day}.md").write_text(ARTICLE.format(
            title=f"S{day} take {round_number}", day=day, tag=rng.randint(1, 3),
            body=f"![P](../media/p{day % 2}.jpg)\n\nBody {round_number}."))
    save_jpeg(landscape_photo((320 + round_number * 16, 200)), root / "media/p1.jpg")


def _restore(state: Path, root: Path) -> None:
    shutil.rmtree(root)
    shutil.copytree(state, root, symlinks=True)


def _cold(root: Path, target: Path) -> dict[str, bytes]:
    shutil.copytree(root, target, ignore=shutil.ignore_patterns("site", ".reelpress-cache"))
    assert _hooked(target, 0).returncode == 0
    return file_tree(target / "site")


@pytest.mark.parametrize("seed", [11])
def test_sigkill_at_random_points_of_a_whole_build_then_the_next_build_is_cold(
        tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = tmp_path / "live"
    save_jpeg(landscape_photo((320, 200)), root / "media/p0.jpg")
    save_jpeg(landscape_photo((300, 200)), root / "media/p1.jpg")
    write_site(root, {f"content/s{day}.md": ARTICLE.format(
        title=f"S{day}", day=day, tag=day % 3, body=f"![P](../media/p{day % 2}.jpg)")
        for day in range(1, 6)}, site_toml=TOML)
    assert _hooked(root, 0).returncode == 0
    for round_number in range(4):
        _edit(root, round_number, rng)
        # how many calls this very build makes: counted on a copy at the same path (the
        # index names files by path: a copy elsewhere hashes them all again, ~1,000
        # calls more, and a kill drawn among those never came)
        state = tmp_path / f"state-{round_number}"
        shutil.copytree(root, state, symlinks=True)
        _restore(state, root)  # the counted build and the killed one start from equal copies
        counted = _hooked(root, 0)
        assert counted.returncode == 0, counted.stderr
        _restore(state, root)
        kill_at = rng.randint(1, int(counted.stdout.split()[-1]))
        killed = _hooked(root, kill_at)
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stderr)
        assert _hooked(root, 0).returncode == 0, f"round {round_number}, killed at {kill_at}"
        expected = _cold(root, tmp_path / f"cold-{round_number}")
        assert file_tree(root / "site") == expected, f"round {round_number}, killed at {kill_at}"
        assert not list(root.glob(".site.staging-*"))
