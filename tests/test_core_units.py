"""Unit tests of the pure pieces: front matter splitting and line mapping, schema checks,
slugify, URL scheme, JSON-LD builders and serialiser, config validation, Markdown body."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

import pytest
from sitebuilder import parse_html

from reelpress.content.frontmatter import (
    FrontMatterError,
    locate,
    parse_yaml,
    split_front_matter,
)
from reelpress.content.loader import url_path_for
from reelpress.content.schema import parse_moment, slugify, validate_meta
from reelpress.core.config import did_you_mean, key_line, validate_config
from reelpress.core.media_names import media_kind
from reelpress.core.urls import UrlScheme, page_path_for_output, relativize_root_links
from reelpress.markup.engine import render_body
from reelpress.structured import jsonld

PARIS = ZoneInfo("Europe/Paris")
CONFIG, _ = validate_config({"title": "T", "base_url": "https://example.org"}, "", "site.toml")

# --- front matter ---------------------------------------------------------------------------


def test_split_front_matter_lines() -> None:
    split = split_front_matter("---\ntitle: x\nb: 1\n---\nbody\nmore\n")
    assert split.front_matter == "title: x\nb: 1\n"
    assert split.front_matter_line == 2
    assert split.body == "body\nmore\n"
    assert split.body_line == 5


def test_split_front_matter_crlf_and_bom() -> None:
    split = split_front_matter("\ufeff---\r\ntitle: x\r\n---\r\nbody\r\n")
    assert split.front_matter == "title: x\r\n"
    assert (split.body, split.body_line) == ("body\r\n", 4)


def test_split_without_front_matter_or_closing_fence() -> None:
    assert split_front_matter("# Just Markdown\n").front_matter is None
    assert split_front_matter("----\nx\n").front_matter is None
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter("---\ntitle: x\n")
    assert caught.value.line == 1


def test_fence_must_be_alone_on_its_line() -> None:
    split = split_front_matter("---\ntitle: a --- b\n---  \nbody\n")
    assert split.front_matter == "title: a --- b\n"
    assert split.body == "body\n"


@pytest.mark.parametrize(("yaml_text", "line", "fragment"), [
    ("title: x\ntags: [a, b\nsummary: y\n", 3, "flow sequence"),    # where the [ opened
    ('title: "never closed\ndate: 2025-01-01\n', 2, "quoted scalar"),
    ("title: x\n  date: 2025-01-01\n", 3, "mapping values"),
    ("title: x\n\tdate: 2025-01-01\n", 3, "tab"),
])
def test_yaml_errors_map_to_file_lines(yaml_text: str, line: int, fragment: str) -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_yaml(yaml_text, first_line=2)
    assert caught.value.line == line
    assert fragment in caught.value.message
    assert caught.value.message.startswith("invalid YAML: ")


def test_impossible_date_stays_text() -> None:
    """Regression: PyYAML raised a bare ValueError (a traceback) for 2025-13-45."""
    data = parse_yaml("date: 2025-13-45\nok: 2025-01-02\n", first_line=2)
    assert data == {"date": "2025-13-45", "ok": dt.date(2025, 1, 2)}


def test_yaml_must_be_a_mapping() -> None:
    with pytest.raises(FrontMatterError) as caught:
        parse_yaml("- a\n- b\n", first_line=2)
    assert caught.value.line == 2
    assert parse_yaml("", first_line=2) == {}


def test_locate_key_paths() -> None:
    text = "title: x\nfaq:\n  - q: one\n    a: two\n  - q: three\n    a: four\n"
    assert locate(text, 2, ("title",)) == 2
    assert locate(text, 2, ("faq",)) == 3
    assert locate(text, 2, ("faq", 1)) == 6
    assert locate(text, 2, ("faq", 1, "a")) == 7
    assert locate(text, 2, ("faq", 5)) == 3   # nearest existing parent
    assert locate(text, 2, ("missing",)) == 2


def meta_of(text: str):  # noqa: ANN201
    split = split_front_matter(text)
    data = parse_yaml(split.front_matter or "", split.front_matter_line)
    return validate_meta(data, rel="content/x.md", front_matter=split.front_matter or "",
                         first_line=split.front_matter_line, config=CONFIG, file_stem="x")


def test_validate_meta_reports_each_field_on_its_line() -> None:
    meta, problems = meta_of("---\ntitle: T\ntags: [ok, '', 3]\ndraft: maybe\n"
                             "date: 2025-01-01\nslug: Not Safe\ntemplate: ../x.html\n---\n")
    assert meta is None
    assert [d.format() for d in problems] == [
        "content/x.md:3: tags[1]: expected a tag name, got ''",
        "content/x.md:4: draft: expected true or false, got 'maybe'",
        "content/x.md:6: slug: 'Not Safe' is not a URL-safe slug "
        "(use lowercase letters, digits and dashes, e.g. 'not-safe')",
        "content/x.md:7: template: '../x.html' is not a template name like 'article.html'",
    ]


def test_validate_meta_values() -> None:
    meta, problems = meta_of("---\ntitle: 2025\ndate: 2025-07-04 18:30:00+02:00\n"
                             "tags: Paris, Rescues, Paris\nfaq:\n  - q: ' Why? '\n    a: 7\n---\n")
    assert problems == []
    assert meta.title == "2025"
    assert meta.date == dt.datetime(2025, 7, 4, 16, 30, tzinfo=dt.UTC)
    assert meta.tags == ("Paris", "Rescues")
    assert [(f.question, f.answer) for f in meta.faq] == [("Why?", "7")]


def test_parse_moment() -> None:
    assert parse_moment(dt.date(2025, 7, 4), PARIS) == dt.datetime(2025, 7, 4, tzinfo=PARIS)
    assert parse_moment("2025-07-04T10:00:00", PARIS) == \
        dt.datetime(2025, 7, 4, 10, tzinfo=PARIS)
    aware = parse_moment("2025-07-04 10:00:00+00:00", PARIS)
    assert aware is not None and aware.utcoffset() == dt.timedelta(0)
    assert parse_moment("yesterday", PARIS) is None
    assert parse_moment(1700000000, PARIS) is None


# --- slugs and URLs -------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "slug"), [
    ("Fousseynou Cissé, hero!", "fousseynou-cisse-hero"),
    ("Été chaud", "ete-chaud"),
    ("  --Already-slugged--  ", "already-slugged"),
    ("C++ & Rust", "c-rust"),
    ("日本語", "ribenyu"),
    ("Москва", "moskva"),
    ("2025", "2025"),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_url_path_for() -> None:
    assert url_path_for(PurePosixPath("2025/Paris Rescue.md"), None) == "2025/paris-rescue/"
    assert url_path_for(PurePosixPath("2025/paris.md"), "ledge") == "2025/ledge/"
    assert url_path_for(PurePosixPath("2025/paris.md"), "a/b") == "a/b/"


def test_url_scheme_absolute_paths() -> None:
    urls = UrlScheme("https://example.org/news/")
    assert urls.link("paris/") == "/news/paris/"
    assert urls.link("") == "/news/"
    assert urls.link("/static/x.css", "a/b/") == "/news/static/x.css"
    assert urls.absolute("paris/") == "https://example.org/news/paris/"
    assert urls.absolute("/paris/") == "https://example.org/news/paris/"
    assert urls.base_path == "/news/"


@pytest.mark.parametrize(("target", "from_page", "link"), [
    ("", "", "index.html"),
    ("", "a/b/", "../../index.html"),
    ("a/b/", "", "a/b/index.html"),
    ("a/", "a/", "index.html"),
    ("static/x.css", "a/b/", "../../static/x.css"),
    ("feed.xml", "tags/x/page/2/", "../../../../feed.xml"),
    ("404.html", "a/", "../404.html"),
])
def test_url_scheme_relative(target: str, from_page: str, link: str) -> None:
    assert UrlScheme("https://example.org/news/", relative=True).link(target, from_page) == link


def test_relativize_root_links() -> None:
    urls = UrlScheme("https://example.org/news/", relative=True)
    html = ('<a href="/news/about/#team">a</a><a href="//cdn.example.org/x">b</a>'
            '<a href="/elsewhere/">c</a><img src="/news/x.png">')
    assert relativize_root_links(html, urls, "2025/paris/") == (
        '<a href="../../about/index.html#team">a</a><a href="//cdn.example.org/x">b</a>'
        '<a href="/elsewhere/">c</a><img src="../../x.png">')
    assert relativize_root_links(html, UrlScheme("https://example.org/news/"), "a/") == html


def test_page_path_for_output() -> None:
    assert page_path_for_output("index.html") == ""
    assert page_path_for_output("a/b/index.html") == "a/b/"
    assert page_path_for_output("404.html") == "404.html"


# --- JSON-LD --------------------------------------------------------------------------------

NASTY = '</script><script>alert(1)</script> <!-- & "q" \u2028 \u2029 é'


def test_script_json_cannot_break_out_and_round_trips() -> None:
    data = {"text": NASTY, "list": [NASTY]}
    text = str(jsonld.to_script_json(data))
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in text
    assert json.loads(text) == data
    page = parse_html(f'<script type="application/ld+json">{text}</script><p>after</p>')
    assert len(page.scripts) == 1
    assert json.loads(page.scripts[0].raw_text()) == data
    assert page.find("p").text() == "after"


def test_news_article_builder() -> None:
    published = dt.datetime(2025, 7, 14, 9, 30, tzinfo=PARIS)
    data = jsonld.news_article(
        url="https://example.org/a/", headline="H" * 200, description=None,
        published=published, modified=None, authors=[jsonld.person("Ana", "https://a.example")],
        images=["https://example.org/i.jpg"], publisher=jsonld.organization("Org"),
        language="fr", keywords=["x"], word_count=0)
    assert data["@type"] == "NewsArticle"
    assert len(data["headline"]) == 110
    assert data["datePublished"] == data["dateModified"] == "2025-07-14T09:30:00+02:00"
    assert data["author"] == [{"@type": "Person", "name": "Ana", "url": "https://a.example"}]
    assert data["image"] == ["https://example.org/i.jpg"]
    assert data["publisher"] == {"@type": "Organization", "name": "Org"}
    assert "description" not in data and "wordCount" not in data and "video" not in data


def test_faq_page_and_breadcrumbs() -> None:
    faq = jsonld.faq_page(url="https://example.org/a/", items=[("Q1?", "<p>A1</p>")])
    assert faq["@id"] == "https://example.org/a/#faq"
    assert faq["mainEntity"] == [{"@type": "Question", "name": "Q1?", "acceptedAnswer": {
        "@type": "Answer", "text": "<p>A1</p>"}}]
    crumbs = jsonld.breadcrumb_list([("Home", "https://e.org/"), ("A", "https://e.org/a/")])
    assert [i["position"] for i in crumbs["itemListElement"]] == [1, 2]


# --- config ---------------------------------------------------------------------------------

def test_config_reports_every_problem_at_once() -> None:
    text = 'titel = "x"\nbase_url = "ftp://x"\nper_page = 0\nfaq_jsonld = "no"\n'
    raw = {"titel": "x", "base_url": "ftp://x", "per_page": 0, "faq_jsonld": "no"}
    config, problems = validate_config(raw, text, "site.toml")
    assert config is None
    lines = [d.format() for d in problems]
    assert "site.toml:1: warning: unknown key 'titel' (did you mean 'title'?)" in lines
    assert "site.toml:4: faq_jsonld: expected true or false, got 'no'" in lines
    assert "site.toml:3: per_page: must be at least 1" in lines
    assert any(line.startswith("site.toml:2: base_url: expected an absolute http(s) URL")
               for line in lines)
    assert any("missing required key 'title'" in line for line in lines)


def test_config_defaults() -> None:
    assert CONFIG is not None
    assert CONFIG.base_url == "https://example.org/"
    assert CONFIG.base_path == "/"
    assert CONFIG.faq_jsonld is True and CONFIG.relative_urls is False
    assert CONFIG.publisher is not None and CONFIG.publisher.name == "T"


def test_key_line_and_did_you_mean() -> None:
    text = 'title = "x"\n[video]\ncrf = 20\n[images]\ncrf = 1\n'
    assert key_line(text, "crf", "images") == 5
    assert key_line(text, "title") == 1
    assert did_you_mean("titel", ["title", "theme"]) == "did you mean 'title'?"
    assert did_you_mean("zzz", ["title"]) == ""


# --- Markdown body --------------------------------------------------------------------------

def test_body_is_escaped_and_lines_are_file_lines() -> None:
    body = "Hi <b>there</b>.\n\n::: faq\n### Q?\n\nA.\n:::\n\n![Clip](media/x.mp4){poster=2.5}\n"
    rendered = render_body(body, body_line=10)
    assert "<b>" not in rendered.html and "&lt;b&gt;" in rendered.html
    assert [(f.question, f.answer_html, f.line) for f in rendered.faq] == [("Q?", "<p>A.</p>", 13)]
    [ref] = rendered.media
    assert (ref.kind, ref.src, ref.alt, ref.line, ref.attr("poster")) == \
        ("video", "media/x.mp4", "Clip", 18, "2.5")
    assert "\x00media:0\x00" in rendered.html


def test_placeholders_cannot_be_forged() -> None:
    rendered = render_body("text \x00media:0\x00 more\n")
    assert "\x00" not in rendered.html


def test_root_links_get_the_base_path() -> None:
    html = render_body("[a](/about/) [b](//cdn.x/y) [c](/news/x/)", base_path="/news/").html
    hrefs = [a.get("href") for a in parse_html(html).find_all("a")]
    assert hrefs == ["/news/about/", "//cdn.x/y", "/news/x/"]


@pytest.mark.parametrize(("src", "kind"), [
    ("media/a.MP4", "video"), ("a.mp3", "audio"), ("a.jpeg?x=1", "image"),
    ("https://x.org/a.mp4", None), ("data:image/png;base64,xx", None), ("notes.txt", None),
])
def test_media_kind(src: str, kind: str | None) -> None:
    assert media_kind(src) == kind
