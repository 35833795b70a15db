"""The link checker on small built sites written inline: what it flags and what it skips."""

from __future__ import annotations

from pathlib import Path

from reelpress.commands.check import BrokenLink, check_site
from reelpress.commands.check_html import scan_css, scan_html
from reelpress.core.urls import srcset_urls


def write_site(root: Path, files: dict[str, str | bytes]) -> Path:
    site = root / "site"
    for rel, body in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return site


def page(body: str, head: str = "") -> str:
    return f"<!doctype html>\n<html><head>{head}</head>\n<body>\n{body}\n</body></html>\n"


def broken_set(report) -> set[tuple[str, str, str]]:
    return {(b.page, b.url, b.kind) for b in report.broken}


GOOD_SITE: dict[str, str | bytes] = {
    "index.html": page(
        '<a href="paris/">pretty</a> <a href="paris">no slash</a> <a href="/paris/#faq">abs</a>'
        ' <a href="paris/index.html#faq">file</a> <a href="#main">self</a> <a id="main"></a>'
        ' <a href="#top">top</a> <a href="?page=2">query</a> <a href="">empty</a>'
        ' <a href="mailto:news@example.org">m</a> <a href="tel:+331">t</a>'
        ' <a href="javascript:void(0)">js</a> <a href="https://elsewhere.example/x">ext</a>'
        ' <a href="//cdn.example/lib.js">proto-rel</a>'
        ' <img src="data:image/gif;base64,R0lGOD" alt="">'
        ' <a href="media/caf%C3%A9%20noir.jpg">encoded</a> <a href="media/clip.mp4#t=10">t</a>',
        head='<link rel="stylesheet" href="css/site.css"><link rel="icon" href="/favicon.ico">'
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">',
    ),
    "paris/index.html": page(
        '<h2 id="faq">FAQ</h2><a name="old-anchor"></a><a href="../">home</a>'
        '<a href="../#main">home main</a><a href="#old-anchor">named</a>'
        '<img src="../media/a.jpg" srcset="../media/a.jpg 1x, ../media/a,2x.jpg 2x" alt="">'
        '<picture><source srcset="../media/a.webp 480w, ../media/a.jpg 800w"></picture>'
        '<video poster="../media/a.jpg" controls><source src="../media/clip.mp4" type="video/mp4">'
        '<track src="../media/clip.vtt" kind="captions"></video>'
        '<script type="application/ld+json">{"@context": "https://schema.org",'
        ' "@type": "VideoObject", "name": "Clip"}</script>'
    ),
    "css/site.css": "body { background: url('../media/a.jpg'); }\n"
    "@font-face { src: url(fonts/f.woff2) format('woff2'); }\n",
    "css/fonts/f.woff2": b"wOF2",
    "favicon.ico": b"\x00",
    "atom.xml": "<feed/>",
    "media/a.jpg": b"\xff\xd8",
    "media/a,2x.jpg": b"\xff\xd8",
    "media/a.webp": b"RIFF",
    "media/clip.mp4": b"\x00",
    "media/clip.vtt": "WEBVTT\n",
    "media/café noir.jpg": b"\xff\xd8",
}


def test_a_correct_site_has_no_problems(tmp_path: Path) -> None:
    report = check_site(write_site(tmp_path, GOOD_SITE))
    assert report.broken == ()
    assert report.ok
    assert report.pages == 3  # two HTML pages and one stylesheet
    assert report.references >= 30
    assert report.format().endswith(": no broken links")


def test_every_kind_of_broken_reference_is_found(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="missing/">gone</a>\n<a href="paris/#nope">bad anchor</a>\n'
                '<a href="#nowhere">bad self anchor</a>\n<img src="img/x.jpg" alt="">\n'
                '<img srcset="a.jpg 1x, b.jpg 2x" alt="">\n<video poster="p.jpg">'
                '<source src="v.mp4"><track src="t.vtt"></video>\n<a href="empty/">dir</a>\n'
                '<a href="paris/index.html/">file as dir</a>\n<script src="app.js"></script>\n'
                '<meta http-equiv="refresh" content="0; url=old/">',
                head='<link rel="stylesheet" href="s.css"><link rel="icon" href="i.png">'
                '<link rel="alternate" type="application/rss+xml" href="rss.xml">'
                '<link rel="preload" as="image" imagesrcset="a.jpg 1x, hero-2x.jpg 2x">',
            ),
            "paris/index.html": page("<p>no ids</p>"),
            "a.jpg": b"",
            "empty/.keep": "",
        },
    )
    report = check_site(site)
    assert broken_set(report) == {
        ("index.html", "missing/", "link"),
        ("index.html", "paris/#nope", "anchor"),
        ("index.html", "#nowhere", "anchor"),
        ("index.html", "img/x.jpg", "image"),
        ("index.html", "b.jpg", "image"),
        ("index.html", "p.jpg", "poster"),
        ("index.html", "v.mp4", "source"),
        ("index.html", "t.vtt", "track"),
        ("index.html", "empty/", "link"),
        ("index.html", "paris/index.html/", "link"),
        ("index.html", "app.js", "script"),
        ("index.html", "old/", "redirect"),
        ("index.html", "s.css", "stylesheet"),
        ("index.html", "i.png", "icon"),
        ("index.html", "rss.xml", "alternate"),
        ("index.html", "hero-2x.jpg", "image"),
    }
    reasons = {b.url: b.reason for b in report.broken}
    assert reasons["missing/"] == "no such directory"
    assert reasons["empty/"] == "directory has no index.html"
    assert reasons["img/x.jpg"] == "no such file"
    assert reasons["paris/#nope"] == "no element with id 'nope' in paris/index.html"
    assert reasons["#nowhere"] == "no element with id 'nowhere' on this page"
    assert not report.ok


def test_report_lines_name_page_line_and_url(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"index.html": "<p>\n<a href='foo/'>x</a>\n", "a/b.html": ""})
    report = check_site(site)
    assert report.format().splitlines() == [
        "site/index.html:2: broken link 'foo/' (no such directory)",
        "checked 2 file(s), 1 reference(s): 1 problem(s)",
    ]
    (diagnostic,) = report.diagnostics()
    assert diagnostic.path == "site/index.html" and diagnostic.line == 2
    assert diagnostic.format() == (
        "site/index.html:2: broken link 'foo/' (no such directory)"
        " (fix the URL or add the missing file)"
    )


def test_project_site_under_a_base_path(tmp_path: Path) -> None:
    """A GitHub Pages project site: root-relative links must carry /project/."""
    site = write_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="/project/paris/">ok</a>\n<a href="/paris/">forgot base</a>\n'
                '<a href="https://user.github.io/project/paris/#faq">absolute ok</a>\n'
                '<a href="https://user.github.io/project/nope/">absolute broken</a>\n'
                '<a href="https://user.github.io/other-project/">other site</a>\n'
                '<a href="HTTPS://USER.GITHUB.IO/project">home, no slash</a>\n'
                '<a href="../../up/">climbs out</a>\n<a href="/project">home</a>',
                head='<meta property="og:image" content="https://user.github.io/project/x.jpg">',
            ),
            "paris/index.html": page('<h2 id="faq">Q</h2><a href="../">up</a>'),
        },
    )
    report = check_site(site, base_url="https://user.github.io/project/")
    assert broken_set(report) == {
        ("index.html", "/paris/", "link"),
        ("index.html", "https://user.github.io/project/nope/", "link"),
        ("index.html", "../../up/", "link"),
        ("index.html", "https://user.github.io/project/x.jpg", "meta"),
    }
    reasons = {b.url: b.reason for b in report.broken}
    assert reasons["/paris/"] == "outside the site's base path '/project/'"
    # The same tree checked with an explicit base path and no base URL:
    # absolute URLs are then external and not checked.
    explicit = check_site(site, base_path="project")
    assert broken_set(explicit) == {
        ("index.html", "/paris/", "link"),
        ("index.html", "../../up/", "link"),
    }


def test_json_ld_must_parse_and_its_internal_urls_exist(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "index.html": '<html><head>\n<script type="application/ld+json">\n'
            '{"@type": "NewsArticle",\n "headline": "x",,\n}\n</script>\n'
            '<script type="Application/LD+JSON; charset=utf-8">{"@id": '
            '"https://example.org/#org", "@type": "VideoObject",'
            ' "contentUrl": "https://example.org/v.mp4",'
            ' "thumbnailUrl": ["https://example.org/t.jpg"],'
            ' "embedUrl": "https://youtube.example/e/1"}</script>\n'
            '<script>{"not": json}</script></head><body></body></html>\n',
            "t.jpg": b"",
        },
    )
    report = check_site(site, base_url="https://example.org/")
    assert [(b.kind, b.url, b.line) for b in report.broken] == [
        ("json-ld", "", 4),
        ("json-ld url", "https://example.org/v.mp4", 7),
    ]
    assert report.broken[0].reason.startswith("Expecting property name enclosed in double quotes")
    assert report.broken[0].format() == (
        "site/index.html:4: invalid JSON-LD (Expecting property name enclosed in double quotes"
        " at line 3 column 18)"
    )


def test_base_href_changes_how_relative_urls_resolve(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "deep/page/index.html": page('<a href="a.jpg">a</a><a href="b.jpg">b</a>', head=""),
            "deep/page/a.jpg": b"",
            "based/index.html": page('<a href="media/a.jpg">a</a>', head='<base href="/deep/">'),
            "deep/media/a.jpg": b"",
        },
    )
    report = check_site(site)
    assert broken_set(report) == {("deep/page/index.html", "b.jpg", "link")}


def test_fragments_on_media_files_are_not_anchors(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="clip.mp4#t=5">t</a><a href="doc.pdf#page=2">p</a>'
                '<a href="#%C3%A9t%C3%A9">encoded id</a><h2 id="été">x</h2>'
            ),
            "clip.mp4": b"",
            "doc.pdf": b"",
        },
    )
    assert check_site(site).broken == ()


def test_css_references_resolve_from_the_stylesheet(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "assets/css/main.css": "/* url(commented-out.png) */\n@import 'base.css';\n"
            'a { background: url("../img/ok.png") }\nb { background: url(../img/gone.png) }\n'
            "c { background: url(data:image/png;base64,AAA) }\n",
            "assets/css/base.css": "",
            "assets/img/ok.png": b"",
        },
    )
    report = check_site(site)
    assert [(b.page, b.url, b.kind, b.line) for b in report.broken] == [
        ("assets/css/main.css", "../img/gone.png", "css", 4)
    ]


def test_unreadable_bytes_and_unclosed_tags_do_not_crash(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "index.html": b"<p>\xff\xfe<a href='x/'>bad utf-8</a>"
            b"<script type='application/ld+json'>{",
            "x/index.html": b"<a href=",
        },
    )
    report = check_site(site)
    assert {b.kind for b in report.broken} == {"json-ld"}


def test_srcset_parsing_follows_the_html_spec() -> None:
    assert srcset_urls("a.jpg 1x, b.jpg 2x") == ["a.jpg", "b.jpg"]
    assert srcset_urls("a,1.jpg 480w,b.jpg 800w") == ["a,1.jpg", "b.jpg"]
    assert srcset_urls("a.jpg, b.jpg") == ["a.jpg", "b.jpg"]
    assert srcset_urls("  single.jpg  ") == ["single.jpg"]
    assert srcset_urls("x.jpg (max-width: 5px, 1x), y.jpg") == ["x.jpg", "y.jpg"]
    assert srcset_urls("") == []


def test_scanners_report_line_numbers() -> None:
    scan = scan_html('<p>\n\n<img src="a.png">\n<a name="n" id="i" href="#n">x</a>')
    assert [(r.url, r.kind, r.line) for r in scan.references] == [
        ("a.png", "image", 3),
        ("#n", "link", 4),
    ]
    assert scan.anchors == {"n", "i"}
    assert [
        (r.url, r.line) for r in scan_css("a{}\n\nb{background:url( 'x.png' )}").references
    ] == [("x.png", 3)]


def test_broken_links_sort_by_page_then_line() -> None:
    problems = sorted(
        [BrokenLink("b.html", "x", "link", "r", 1), BrokenLink("a.html", "y", "link", "r", 9)]
    )
    assert [p.page for p in problems] == ["a.html", "b.html"]
