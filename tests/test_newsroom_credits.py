"""Photo captions and credits: from front matter, from the Markdown title and {credit=},
and from the photo's own IPTC/XMP when the author gives none; the HTML figure and the
ImageObject JSON-LD parsed back, the published file checked for stripped metadata."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest
from media_clips import make_clip
from PIL import Image, IptcImagePlugin
from sitebuilder import SITE_TOML, article, build_ok, read_page, write_site


def photo(**metadata: str) -> bytes:
    """A 1300x700 JPEG; `iptc_*` fields go into an APP13 IPTC block, `xmp` is raw XMP."""
    picture = Image.new("RGB", (1300, 700), (90, 120, 160))
    out = io.BytesIO()
    options = {"xmp": metadata["xmp"].encode()} if "xmp" in metadata else {}
    picture.save(out, "JPEG", quality=80, **options)
    data = out.getvalue()
    datasets = {"iptc_creator": 80, "iptc_credit": 110, "iptc_copyright": 116}
    iptc = b"".join(b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(value.encode()))
                    + value.encode() for name, number in datasets.items()
                    if (value := metadata.get(name)))
    if iptc:
        resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iptc)) + iptc
        if len(iptc) % 2:
            resource += b"\x00"
        payload = b"Photoshop 3.0\x00" + resource
        segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
        data = data[:2] + segment + data[2:]
    return data


XMP = """<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="Reuters">
<dc:creator><rdf:Seq><rdf:li>Ann Lens</rdf:li></rdf:Seq></dc:creator>
<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">(c) 2025 Reuters</rdf:li></rdf:Alt></dc:rights>
</rdf:Description></rdf:RDF></x:xmpmeta>"""

BODY = """Intro.

![Firefighters on a ladder](media/ladder.jpg "The rescue, from the street"){credit="AFP / Jane Doe"}

![A quay at night](media/quay.jpg)

![Wire photo](media/wire.jpg "From the agency")

![XMP photo](media/xmp.jpg)

Inline ![tiny](media/quay.jpg "inline title") in a sentence.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("credits"), {
        "media/hero.jpg": photo(iptc_credit="Should not win"),
        "media/ladder.jpg": photo(),
        "media/quay.jpg": photo(),
        "media/wire.jpg": photo(iptc_creator="Max Mustermann", iptc_credit="dpa",
                                iptc_copyright="(c) 2025 dpa"),
        "media/xmp.jpg": photo(xmp=XMP),
        "content/story.md": article(
            "Ladder rescue", "2025-07-01", body=BODY, image="media/hero.jpg",
            image_alt='"A fire engine in the street"',
            image_caption='"The engine arrived at 9:40 <am>"',
            image_credit='"Courier / Lee Chan"'),
    })
    build_ok(root)
    return root / "site"


def figures(site: Path) -> list:
    page = read_page(site, "story/index.html")
    return [page.find("div", class_="article__hero").find("figure"),
            *page.find("div", class_="article__body").find_all("figure")]


def caption_parts(figure) -> tuple[str | None, str | None]:  # noqa: ANN001
    captions = figure.find_all("figcaption")
    if not captions:
        return None, None
    caption = captions[0].find_all("span", class_="caption")
    credit = captions[0].find_all("span", class_="credit")
    return (caption[0].text() if caption else None), (credit[0].text() if credit else None)


def test_captions_and_credits_render_in_figcaption(site: Path) -> None:
    hero, ladder, quay, wire, xmp = figures(site)
    assert caption_parts(hero) == ("The engine arrived at 9:40 <am>", "Photo: Courier / Lee Chan")
    assert caption_parts(ladder) == ("The rescue, from the street", "Photo: AFP / Jane Doe")
    assert caption_parts(quay) == (None, None)  # the alt text is never also the caption
    assert quay.find("img").get("alt") == "A quay at night"
    assert caption_parts(wire) == ("From the agency", "Photo: dpa")  # from IPTC
    assert caption_parts(xmp) == (None, "Photo: Reuters")  # from XMP
    assert "&lt;am&gt;" in read_page(site, "story/index.html").source


def test_alt_text_is_not_repeated_in_the_caption(site: Path) -> None:
    for figure in figures(site):
        alt = figure.find("img").get("alt")
        for caption in figure.find_all("figcaption"):
            assert alt not in caption.text()


def test_inline_image_keeps_its_title_and_gets_no_figure(site: Path) -> None:
    body = read_page(site, "story/index.html").find("div", class_="article__body")
    inline = [img for img in body.find_all("img") if img.get("alt") == "tiny"]
    assert [img.get("title") for img in inline] == ["inline title"]


def test_image_objects_in_news_article(site: Path) -> None:
    [news] = read_page(site, "story/index.html").jsonld_of("NewsArticle")
    objects = {Path(i["url"]).name.split(".")[0]: i for i in news["image"] if isinstance(i, dict)}
    assert objects["hero"]["creditText"] == "Courier / Lee Chan"
    assert objects["hero"]["caption"] == "The engine arrived at 9:40 <am>"
    assert objects["hero"]["creator"] == {"@type": "Person", "name": "Courier / Lee Chan"}
    assert objects["ladder"]["creditText"] == "AFP / Jane Doe"
    wire = objects["wire"]
    assert (wire["creditText"], wire["creator"]["name"], wire["copyrightNotice"]) == \
        ("dpa", "Max Mustermann", "(c) 2025 dpa")
    xmp = objects["xmp"]
    assert (xmp["creditText"], xmp["creator"]["name"], xmp["copyrightNotice"]) == \
        ("Reuters", "Ann Lens", "(c) 2025 Reuters")
    assert all(i["@type"] == "ImageObject" and i["contentUrl"] == i["url"]
               for i in objects.values())
    assert [i for i in news["image"] if isinstance(i, str) and "quay" in i]  # uncredited


def test_published_photos_lose_their_metadata(site: Path) -> None:
    for path in (site / "media").glob("wire.*.jpg"):
        with Image.open(path) as image:
            assert IptcImagePlugin.getiptcinfo(image) is None
            assert "xmp" not in image.info
    for path in (site / "media").glob("xmp.*.jpg"):
        with Image.open(path) as image:
            assert "xmp" not in image.info


def test_video_credit(tmp_path: Path) -> None:
    """`credit=` on a body video and `video_credit:` on the hero video: in the figcaption
    and in each VideoObject (creditText, creator, copyrightNotice), escaped."""
    make_clip(tmp_path / "media/clip.mp4", duration=1.0)
    (tmp_path / "media/clip.en.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n")
    root = write_site(tmp_path, {"content/v.md": article(
        "Video", "2025-07-01", video="media/clip.mp4", video_caption='"From the quay"',
        video_credit='"Harbour TV / <Bo> & Co"',
        body='![The harbour from a boat](media/clip.mp4){credit="Courier video / Ali Ray"}\n\n'
             "![Uncredited](media/clip.mp4)")},
        site_toml=SITE_TOML + '\n[video]\nav1 = false\n')
    build_ok(root)
    page = read_page(root / "site", "v/index.html")
    hero = page.find("div", class_="article__hero").find("figure", class_="reelpress-video")
    body = page.find("div", class_="article__body").find_all("figure", class_="reelpress-video")
    assert caption_parts(hero) == ("From the quay", "Video: Harbour TV / <Bo> & Co")
    assert "Harbour TV / &lt;Bo&gt; &amp; Co" in page.source
    assert [caption_parts(f) for f in body] == [
        ("The harbour from a boat", "Video: Courier video / Ali Ray"), ("Uncredited", None)]
    [news] = page.jsonld_of("NewsArticle")
    videos = {v["name"]: v for v in news["video"]}
    assert {v["@type"] for v in videos.values()} == {"VideoObject"}
    for name, credit in (("From the quay", "Harbour TV / <Bo> & Co"),
                         ("The harbour from a boat", "Courier video / Ali Ray")):
        assert (videos[name]["creditText"], videos[name]["creator"],
                videos[name]["copyrightNotice"]) == (
            credit, {"@type": "Person", "name": credit}, credit), name
    assert not {"creditText", "creator", "copyrightNotice"} & set(videos["Uncredited"])
    assert "<Bo>" not in "".join(s.raw_text() for s in page.scripts)  # escaped in JSON-LD
