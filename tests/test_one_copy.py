"""One copy of each small thing, checked where it shows: one prune policy for the photo
and the video cache (what no plan names goes, except another build's temporary file
while it may still be written), one atomic writer, one srcset parser."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reelpress.core.atomic import atomic_path, temp_sibling
from reelpress.media.cache import prune as prune_video_cache
from reelpress.media.photo.plan import prune as prune_photo_cache
from reelpress.media.prune import TEMP_MAX_AGE_SECONDS


@pytest.mark.parametrize("prune", [prune_photo_cache, prune_video_cache],
                         ids=["photo", "video"])
def test_photo_and_video_prune_keep_another_builds_fresh_temp_file(tmp_path: Path,
                                                                   prune) -> None:
    kept = tmp_path / "a.1234.jpg"
    stale = tmp_path / "a.9999.jpg"
    running = temp_sibling(tmp_path / "b.5678.mp4")  # another build is writing it
    forgotten = temp_sibling(tmp_path / "c.0000.mp4")  # a build killed long ago
    for path in (kept, stale, running, forgotten):
        path.write_bytes(b"x")
    old = time.time() - TEMP_MAX_AGE_SECONDS - 60
    os.utime(forgotten, (old, old))
    removed = prune(tmp_path, [kept])
    assert sorted(removed) == sorted([stale, forgotten])
    assert sorted(tmp_path.iterdir()) == sorted([kept, running])


def test_atomic_path_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "poster.jpg"
    target.write_bytes(b"old")
    with pytest.raises(OSError), atomic_path(target) as temporary:
        temporary.write_bytes(b"half")
        raise OSError("disk full")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]
    with atomic_path(target) as temporary:
        assert temporary.suffix == ".jpg"  # Pillow and ffmpeg choose the format by it
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new" and list(tmp_path.iterdir()) == [target]


def test_feed_absolutize_and_check_read_a_srcset_the_same_way() -> None:
    """One srcset parser: a URL with a comma stays one candidate in feeds too."""
    from reelpress.core.urls import absolutize, srcset_urls

    html = '<img srcset="a,1.jpg 480w, /b.jpg 2x (x, y),c.jpg">'
    assert srcset_urls("a,1.jpg 480w, /b.jpg 2x,c.jpg") == ["a,1.jpg", "/b.jpg", "c.jpg"]
    assert absolutize(html, "https://example.org/news/") == (
        '<img srcset="https://example.org/news/a,1.jpg 480w, https://example.org/b.jpg 2x '
        '(x, y), https://example.org/news/c.jpg">')
