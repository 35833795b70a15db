"""Range parsing, MIME types and request-path rules of the preview server, as plain functions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reelpress.serve.files import (
    UNSATISFIABLE,
    ByteRange,
    RejectedPath,
    locate,
    mime_type,
    normalize_base_path,
    parse_range,
    request_segments,
    strip_base,
)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99, 1000)),
        ("bytes=100-", ByteRange(100, 999, 1000)),
        ("bytes=-100", ByteRange(900, 999, 1000)),
        ("bytes=-5000", ByteRange(0, 999, 1000)),  # suffix longer than the file: whole file
        ("bytes=990-5000", ByteRange(990, 999, 1000)),  # end clipped to the last byte
        ("bytes=999-999", ByteRange(999, 999, 1000)),
        ("BYTES = 5 - 9", ByteRange(5, 9, 1000)),
        ("bytes=1000-", UNSATISFIABLE),
        ("bytes=1000-1001", UNSATISFIABLE),
        ("bytes=-0", UNSATISFIABLE),
        (None, None),
        ("", None),
        ("bytes=9-5", None),  # invalid spec: the header is ignored
        ("bytes=abc", None),
        ("bytes=-", None),
        ("items=0-5", None),
        ("bytes 0-5", None),
        ("bytes=0-1,5-6", None),  # several ranges: answered with the whole file
    ],
)
def test_parse_range(header, expected):
    assert parse_range(header, 1000) == expected


def test_parse_range_of_an_empty_file_is_unsatisfiable():
    assert parse_range("bytes=0-", 0) is UNSATISFIABLE
    assert parse_range("bytes=-1", 0) is UNSATISFIABLE


def test_byte_range_headers():
    part = ByteRange(900, 999, 1000)
    assert part.length == 100
    assert part.content_range() == "bytes 900-999/1000"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.mp4", "video/mp4"),
        ("a.webm", "video/webm"),
        ("a.m4a", "audio/mp4"),
        ("a.opus", "audio/ogg"),
        ("a.ogg", "audio/ogg"),
        ("captions.vtt", "text/vtt; charset=utf-8"),
        ("site.webmanifest", "application/manifest+json"),
        ("master.m3u8", "application/vnd.apple.mpegurl"),
        ("seg.m4s", "video/iso.segment"),
        ("p.avif", "image/avif"),
        ("p.webp", "image/webp"),
        ("P.JPG", "image/jpeg"),
        ("feed.xml", "application/xml"),
        ("feed.atom", "application/atom+xml"),
        ("feed.json", "application/feed+json"),
        ("data.json", "application/json"),
        ("style.css", "text/css; charset=utf-8"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("font.woff2", "font/woff2"),
        ("blob.unknownext", "application/octet-stream"),
    ],
)
def test_mime_type(name, expected):
    assert mime_type(name) == expected


@pytest.mark.parametrize(
    ("target", "segments", "slash"),
    [
        ("/", [], True),
        ("/paris-rescue/", ["paris-rescue"], True),
        ("/a/b.mp4?x=1#t", ["a", "b.mp4"], False),
        ("/caf%C3%A9/", ["café"], True),
        ("/a//b", ["a", "b"], False),
        ("http://127.0.0.1:8000/a/", ["a"], True),
    ],
)
def test_request_segments(target, segments, slash):
    assert request_segments(target) == (segments, slash)


@pytest.mark.parametrize(
    "target",
    [
        "/../etc/passwd",
        "/a/../../etc/passwd",
        "/%2e%2e/etc/passwd",
        "/%2E%2E%2Fetc%2Fpasswd",
        "/a%2f..%2f..%2fsecret",
        "/..%5c..%5csecret",
        "/a\\..\\secret",
        "/a/%00.html",
        "/./index.html",
        "/%ff%fe",
        "etc/passwd",
    ],
)
def test_request_segments_rejects_traversal(target):
    with pytest.raises(RejectedPath):
        request_segments(target)


def test_base_path_helpers():
    assert normalize_base_path(None) == "/"
    assert normalize_base_path("news") == "/news/"
    assert normalize_base_path("/news/2026") == "/news/2026/"
    assert strip_base(["news", "a"], ["news"]) == ["a"]
    assert strip_base(["other", "a"], ["news"]) is None


def test_locate_refuses_symlinks_out_of_the_site(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "ok.txt").write_text("ok")
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, site / "leak.txt")
    os.symlink(tmp_path, site / "up")
    os.symlink(site / "ok.txt", site / "alias.txt")
    assert locate(site, ["ok.txt"]) == (site / "ok.txt").resolve()
    assert locate(site, ["alias.txt"]) == (site / "ok.txt").resolve()
    assert locate(site, ["leak.txt"]) is None
    assert locate(site, ["up", "secret.txt"]) is None
    assert locate(site, ["missing.txt"]) is None
    assert locate(tmp_path / "no-site", ["ok.txt"]) is None
