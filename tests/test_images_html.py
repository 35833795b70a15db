"""<picture> markup parsed back: every srcset entry is a real output of the stated width."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest
from images_fixtures import SMALL, landscape_photo, make_project, request, save_jpeg
from PIL import Image

from reelpress.media.html import DEFAULT_SIZES, picture_html
from reelpress.media.photo.plan import plan_images, run_image_jobs


class PictureParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = PictureParser()
    parser.feed(html)
    parser.close()
    return parser.tags


def url_for(path: str) -> str:
    return "/news/" + path


@pytest.fixture
def built(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo((300, 200)), project.media_dir / "street.jpg")
    plan = plan_images([request(project, "media/street.jpg", card=True)], project=project,
                       settings=SMALL)
    assert run_image_jobs(plan).failed == ()
    return plan, plan.asset_for(project.content_dir / "news", "media/street.jpg")


def srcset_entries(value: str) -> list[tuple[str, int]]:
    entries = []
    for item in value.split(","):
        url, descriptor = item.split()
        assert descriptor.endswith("w")
        entries.append((url, int(descriptor[:-1])))
    return entries


def test_every_srcset_entry_is_an_output_of_that_width(built):
    plan, asset = built
    tags = parse(picture_html(asset, "A street", url_for, sizes="(min-width: 40em) 40em, 100vw"))
    assert [tag for tag, _ in tags] == ["picture", "source", "source", "img"]
    assert [attrs["type"] for _, attrs in tags[1:3]] == ["image/avif", "image/webp"]
    for _, attrs in tags[1:]:
        assert attrs["sizes"] == "(min-width: 40em) 40em, 100vw"
        entries = srcset_entries(attrs["srcset"])
        assert [width for _, width in entries] == [64, 128, 256, 300]
        for url, width in entries:
            assert url.startswith("/news/media/street.")
            with Image.open(plan.outputs[url.removeprefix("/news/")]) as output:
                assert output.width == width
    img = tags[-1][1]
    assert img["src"] == url_for(asset.largest_fallback.path)
    assert img["src"].endswith(".300.jpg")
    assert (img["width"], img["height"]) == ("300", "200")
    assert img["alt"] == "A street"
    assert img["decoding"] == "async"


def test_lazy_by_default_eager_with_priority_for_the_hero(built):
    _, asset = built
    body = parse(picture_html(asset, "x", url_for))[-1][1]
    assert body["loading"] == "lazy" and "fetchpriority" not in body
    assert body["sizes"] == DEFAULT_SIZES
    hero = parse(picture_html(asset, "x", url_for, hero=True))[-1][1]
    assert hero["loading"] == "eager" and hero["fetchpriority"] == "high"


def test_alt_and_title_are_escaped(built):
    _, asset = built
    hostile = 'Fire "rescue" <script>alert(1)</script> & more'
    html = picture_html(asset, hostile, url_for, title="Photo: <b>AFP</b>")
    assert "<script>" not in html and "<b>" not in html
    img = parse(html)[-1][1]
    assert img["alt"] == hostile
    assert img["title"] == "Photo: <b>AFP</b>"


def test_missing_alt_renders_an_empty_alt_attribute(built):
    _, asset = built
    img = parse(picture_html(asset, None, url_for))[-1][1]
    assert img["alt"] == ""


def test_without_modern_formats_only_the_img_remains(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo((150, 100)), project.media_dir / "a.jpg")
    settings = dataclasses.replace(SMALL, avif=False, webp=False)
    plan = plan_images([request(project, "media/a.jpg")], project=project, settings=settings)
    asset = plan.asset_for(project.content_dir / "news", "media/a.jpg")
    assert [tag for tag, _ in parse(picture_html(asset, "a", url_for))] == ["picture", "img"]


def test_social_card_and_largest_jpeg_are_exposed_for_metadata(built):
    plan, asset = built
    assert asset.social_card in plan.outputs
    with Image.open(plan.outputs[asset.social_card]) as card:
        assert card.size == (240, 126)
    assert asset.largest_fallback.format == "jpeg"
    assert (asset.largest_fallback.width, asset.largest_fallback.height) == (300, 200)
