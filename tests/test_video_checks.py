"""Checks before publishing, on a real built site through the command line: structured
data against Google's rules (a VideoObject without uploadDate, a duration that does not
match its file, a 130-character headline) and each page's first-load weight, every
problem at `site/PAGE:LINE` with its source article; `--strict` makes them fatal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from media_clips import make_clip
from sitebuilder import SITE_TOML, article, build_ok, run_cli, write_site

from reelpress.commands.check_publish import largest_candidate
from reelpress.structured import rules

CONFIG = SITE_TOML.replace('url = "https://example.org/desk/"\n', "") + "\n[video]\nav1 = false\n"
LONG_TITLE = "A " + "very " * 23 + "long headline"  # 130 characters


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("checks")
    # grain makes a heavy poster: the page with the video is over the weight budget
    make_clip(root / "media" / "clip.mp4", size="640x360", duration=2.0, noise=30)
    (root / "media" / "clip.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n")
    assert len(LONG_TITLE) == 130
    write_site(root, {
        "content/clip.md": article("A clip", "2025-07-04 10:00:00", "Text.",
                                   video="media/clip.mp4"),
        "content/long.md": article(LONG_TITLE, "2025-07-05 10:00:00", "Text."),
        "content/fine.md": article("Fine", "2025-07-06 10:00:00", "Text."),
    }, site_toml=CONFIG + "\n[check]\npage_weight_kb = 30\n")
    build_ok(root)
    page = root / "site" / "clip" / "index.html"
    html = page.read_text()
    # as a hand-edited page or a third-party template would have it
    html, removed = re.subn(r'"uploadDate":"[^"]*",', "", html)
    html, changed = re.subn(r'"duration":"PT2S"', '"duration":"PT9S"', html)
    assert removed and changed
    page.write_text(html)
    return root


def test_check_reports_each_rule_at_its_page_line_and_source(site):
    done = run_cli(site, "check")
    assert done.returncode == 0, done.stderr  # warnings: not fatal without --strict
    lines = done.stderr.splitlines()
    clip_html = (site / "site/clip/index.html").read_text().splitlines()
    json_line = next(n for n, line in enumerate(clip_html, start=1) if "ld+json" in line
                     and "VideoObject" in line)
    upload = [line for line in lines if "VideoObject has no uploadDate" in line]
    assert upload == [f"site/clip/index.html:{json_line}: warning: VideoObject has no"
                      " uploadDate (from content/clip.md)"]
    duration = [line for line in lines if "does not match" in line]
    assert len(duration) == 1 and duration[0].startswith(f"site/clip/index.html:{json_line}:")
    assert "duration PT9S does not match" in duration[0] and "(2.0 s)" in duration[0]
    [headline] = [line for line in lines if "headline is 130 characters" in line]
    assert re.match(r"site/long/index\.html:\d+: warning: NewsArticle headline is 130"
                    r" characters; Google shows at most 110 \(from content/long\.md:2\)$",
                    headline), headline
    assert not any("site/fine/" in line and "headline" in line for line in lines)


def test_check_reports_pages_over_the_weight_budget(site):
    lines = run_cli(site, "check").stderr.splitlines()
    heavy = [line for line in lines if "first load weighs" in line]
    # the video page carries its poster; the text-only page stays under 30 KB
    assert any(line.startswith("site/clip/index.html: warning: first load weighs") and
               "page_weight_kb = 30" in line and "from content/clip.md" in line
               for line in heavy), heavy
    assert not any(line.startswith("site/fine/index.html") for line in heavy)


def test_strict_makes_the_checks_fatal(site):
    done = run_cli(site, "check", "--strict")
    assert done.returncode == 1 and "publishing warning(s) with --strict" in done.stderr
    build = run_cli(site, "build", "--strict")
    assert build.returncode == 1 and "headline is 130 characters" in build.stderr
    assert "Traceback" not in build.stderr + done.stderr


def test_rules_on_documents():
    video = {"@type": "VideoObject", "name": "n", "thumbnailUrl": ["https://x/p.jpg"],
             "uploadDate": "2025-07-04", "contentUrl": "https://x/v.mp4", "duration": "1 min",
             "hasPart": [{"@type": "Clip", "name": "late", "startOffset": 90, "endOffset": 80,
                          "url": "https://x/#t=90"}]}
    problems = rules.document_problems({"@context": "https://schema.org", "@graph": [video]})
    assert "VideoObject uploadDate '2025-07-04' has no time and time zone (use e.g." \
           " 2025-07-04T10:00:00+02:00)" in problems
    assert "VideoObject duration '1 min' is not ISO 8601 (e.g. PT1M33S)" in problems
    assert "Clip 'late' endOffset must be a number after startOffset" in problems
    faq = {"@type": "FAQPage", "mainEntity": [{"@type": "Question", "name": "q"}]}
    assert rules.document_problems(faq) == [
        "FAQPage question 1 has no acceptedAnswer Answer with text"]
    news = {"@type": "NewsArticle", "headline": "h", "image": ["https://x/i.jpg"],
            "datePublished": "2025-07-04T10:00:00+02:00", "author": [{"@type": "Person"}]}
    assert rules.document_problems(news) == ["NewsArticle author has no name"]
    assert rules.iso_seconds("PT1M33S") == 93 and rules.iso_seconds("P1DT1S") == 86401
    assert largest_candidate("a.jpg 480w, b.jpg 960w, c.jpg 720w") == "b.jpg"


def test_the_shipped_pages_pass_the_rules(tmp_path):
    """What reelpress itself writes must satisfy the checks it ships."""
    make_clip(tmp_path / "media" / "clip.mp4", size="320x240", duration=1.0)
    write_site(tmp_path, {"content/a.md": article(
        "A story", "2025-07-04 10:00:00", "Text.", video="media/clip.mp4",
        chapters='["0:00 Start", "0:00.5 Middle"]')},
        site_toml=CONFIG)
    (tmp_path / "media" / "clip.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n")
    build_ok(tmp_path)
    done = run_cli(tmp_path, "check", "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    blocks = [json.loads(b) for b in re.findall(
        r'<script type="application/ld\+json">(.*?)</script>',
        (tmp_path / "site/a/index.html").read_text())]
    assert any("hasPart" in v for b in blocks for v in b.get("video", []))


def test_explain_says_why_a_video_was_remuxed_or_reencoded(tmp_path):
    make_clip(tmp_path / "media" / "clip.mp4", size="320x240", duration=1.0, faststart=True)
    make_clip(tmp_path / "media" / "old.mp4", size="320x240", duration=1.0, vcodec="mpeg4",
              extra=())
    body = "![Old footage](../media/old.mp4)\n"
    write_site(tmp_path, {"content/a.md": article("A", "2025-07-04 10:00:00", body,
                                                  video="media/clip.mp4")},
               site_toml=CONFIG)
    first = run_cli(tmp_path, "build", "--explain")
    assert first.returncode == 0, first.stderr
    explained = [line for line in first.stdout.splitlines() if line.startswith("explain: media/")]
    assert any(re.match(r"explain: media/clip\.mp4: remuxed: web-safe H\.264 at \d+ kb/s,"
                        r" within the 240p budget of 1000 kb/s$", line) for line in explained)
    assert ("explain: media/old.mp4: re-encoded: mpeg4 is not H.264; capped at the 240p budget"
            " of 1000 kb/s") in explained
    again = run_cli(tmp_path, "build", "--explain")
    assert not any(line.startswith("explain: media/") for line in again.stdout.splitlines())
