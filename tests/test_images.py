"""Photo stage on real images: sizes, formats, orientation, metadata, alpha, cache."""

from __future__ import annotations

import dataclasses
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from images_fixtures import (
    SMALL,
    landscape_photo,
    make_project,
    request,
    save_jpeg,
    swapped_primaries_icc,
)
from PIL import Image, ImageCms, ImageDraw

from reelpress.media.photo.plan import (
    ImageSettings,
    plan_images,
    prune,
    rendition_widths,
    run_image_jobs,
)

PRIVATE_MARKERS = (b"SecretCam", b"secret-xmp", b"secret-comment", b"48.8566", b"Exif\x00\x00",
                   b"http://ns.adobe.com/xap/1.0/", b"ICC_PROFILE", b"GPS-METHOD")


def plan_and_run(project, requests, settings=SMALL, **run_options):
    plan = plan_images(requests, project=project, settings=settings)
    return plan, run_image_jobs(plan, **run_options)


def test_renditions_have_planned_sizes_and_formats(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo((300, 200)), project.media_dir / "Paris Hero.jpg")
    plan, result = plan_and_run(project, [request(project, "../../media/Paris Hero.jpg")])
    assert not [d for d in plan.diagnostics if d.is_error]
    asset = plan.asset_for(project.content_dir / "news", "../../media/Paris Hero.jpg")
    assert asset is not None
    assert (asset.width, asset.height) == (300, 200)
    assert asset.modern_formats == ("avif", "webp")
    assert sorted({r.width for r in asset.renditions}) == [64, 128, 256, 300]
    expected_format = {"avif": "AVIF", "webp": "WEBP", "jpeg": "JPEG"}
    for rendition in asset.renditions:
        assert rendition.path.startswith("media/paris-hero.")
        extension = {"jpeg": "jpg"}.get(rendition.format, rendition.format)
        assert rendition.path.endswith(f".{rendition.width}.{extension}")
        with Image.open(plan.outputs[rendition.path]) as output:
            assert output.format == expected_format[rendition.format]
            assert output.size == (rendition.width, rendition.height)
    assert result.processed == 1
    assert result.encoded == len(asset.renditions) == 12
    assert result.diagnostics == ()


def test_widths_above_the_source_are_dropped_and_source_width_kept():
    assert rendition_widths(300, (480, 800)) == (300,)
    assert rendition_widths(1000, (480, 800, 1200, 1600)) == (480, 800, 1000)
    assert rendition_widths(1600, (480, 800, 1200, 1600)) == (480, 800, 1200, 1600)
    assert rendition_widths(6000, (1600, 480, 800)) == (480, 800, 1600)


def test_small_photo_is_never_upscaled(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo((100, 80)), project.media_dir / "small.jpg")
    plan, _ = plan_and_run(project, [request(project, "/media/small.jpg")])
    asset = plan.asset_for(project.content_dir / "news", "/media/small.jpg")
    assert sorted({r.width for r in asset.renditions}) == [64, 100]
    for rendition in asset.renditions:
        with Image.open(plan.outputs[rendition.path]) as output:
            assert output.width <= 100 and output.height <= 80


def _private_jpeg(path):
    image = landscape_photo((300, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (48.0, 51.0, 23.76)  # 48.8566 N: Paris
    gps[27] = b"ASCII\x00\x00\x00GPS-METHOD"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
           b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>secret-xmp'
           b'</rdf:Description></rdf:RDF></x:xmpmeta>')
    save_jpeg(image, path, exif=exif, xmp=xmp, comment=b"secret-comment", icc_profile=srgb)
    with Image.open(path) as check:  # the source really carries everything we strip
        assert check.getexif().get_ifd(0x8825)
        assert {"exif", "xmp", "icc_profile", "comment"} <= set(check.info)
    return path


def test_all_metadata_is_stripped_from_every_output(tmp_path):
    project = make_project(tmp_path)
    _private_jpeg(project.media_dir / "private.jpg")
    plan, result = plan_and_run(project, [request(project, "media/private.jpg", card=True)])
    assert result.encoded == len(plan.outputs) == 13
    for cache_file in plan.outputs.values():
        raw = cache_file.read_bytes()
        for marker in PRIVATE_MARKERS:
            assert marker not in raw, (cache_file.name, marker)
        with Image.open(cache_file) as output:
            output.load()
            assert not set(output.info) & {"exif", "xmp", "icc_profile", "comment",
                                           "XML:com.adobe.xmp"}, cache_file.name
            assert len(output.getexif()) == 0


def _oriented(project, name, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    return save_jpeg(landscape_photo((300, 200)), project.media_dir / name, exif=exif)


def test_exif_orientation_6_and_8_make_portrait_outputs(tmp_path):
    project = make_project(tmp_path)
    _oriented(project, "six.jpg", 6)
    _oriented(project, "eight.jpg", 8)
    plan, result = plan_and_run(project, [request(project, "media/six.jpg"),
                                          request(project, "media/eight.jpg")])
    assert result.failed == ()
    # Orientation 6 is shown turned 90 degrees clockwise: the stored left (red) goes to
    # the top. Orientation 8 is turned the other way: red ends at the bottom.
    for name, top, bottom in (("six", "red", "blue"), ("eight", "blue", "red")):
        asset = plan.asset_for(project.content_dir / "news", f"media/{name}.jpg")
        assert (asset.width, asset.height) == (200, 300)
        largest = plan.outputs[asset.largest_fallback.path]
        with Image.open(largest) as output:
            assert output.size == (200, 300)
            assert _colour(output.getpixel((100, 20))) == top
            assert _colour(output.getpixel((100, 280))) == bottom
            assert 0x0112 not in output.getexif()


def _colour(pixel):
    red, _, blue = pixel[:3]
    return "red" if red > blue else "blue"


def test_alpha_source_gets_png_fallback_and_keeps_transparency(tmp_path):
    project = make_project(tmp_path)
    logo = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(logo).ellipse((50, 0, 150, 100), fill=(200, 30, 30, 255))
    logo.save(project.media_dir / "logo.png")
    plan, result = plan_and_run(project, [request(project, "media/logo.png", card=True)])
    asset = plan.asset_for(project.content_dir / "news", "media/logo.png")
    assert asset.has_alpha and asset.fallback_format == "png"
    assert {r.format for r in asset.renditions} == {"avif", "webp", "png"}
    for fmt in ("png", "webp"):
        biggest = max(asset.renditions_of(fmt), key=lambda r: r.width)
        with Image.open(plan.outputs[biggest.path]) as output:
            assert output.mode == "RGBA"
            assert output.getpixel((5, 5))[3] == 0  # corner stays transparent
            assert output.getpixel((100, 50))[3] == 255
    with Image.open(plan.outputs[asset.social_card]) as card:
        assert card.format == "JPEG" and card.mode == "RGB"
        assert min(card.getpixel((2, 2))) > 240  # transparency flattened onto white
    assert result.failed == ()


def test_social_card_is_a_centred_1200x630_jpeg(tmp_path):
    project = make_project(tmp_path)
    photo = Image.new("RGB", (1300, 900), (20, 20, 220))
    draw = ImageDraw.Draw(photo)
    draw.rectangle((0, 0, 1299, 89), fill=(220, 20, 20))  # red band at the very top
    draw.rectangle((0, 200, 1299, 299), fill=(220, 20, 20))  # red band inside the crop
    save_jpeg(photo, project.media_dir / "hero.jpg")
    settings = ImageSettings(widths=(320,), avif=False)
    plan, _ = plan_and_run(project, [request(project, "media/hero.jpg", card=True)], settings)
    asset = plan.asset_for(project.content_dir / "news", "media/hero.jpg")
    assert asset.social_card.endswith(".card.jpg")
    with Image.open(plan.outputs[asset.social_card]) as card:
        assert (card.format, card.size) == ("JPEG", (1200, 630))
        # 1300x900 covers 1200x630 by scaling to 1200x831 and cropping 100 px top and
        # bottom: the top band (83 px once scaled) is cut off; rows 200-299 land at
        # card rows 85-176.
        assert _colour(card.getpixel((600, 2))) == "blue"
        assert _colour(card.getpixel((600, 130))) == "red"
        assert _colour(card.getpixel((600, 620))) == "blue"
    assert not [d for d in plan.diagnostics if "enlarged" in d.message]


def test_second_plan_and_run_encodes_nothing(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo(), project.media_dir / "a.jpg")
    requests = [request(project, "media/a.jpg", card=True)]
    first_plan, first = plan_and_run(project, requests)
    assert first.encoded == len(first_plan.outputs) == 13
    stamps = {path: path.stat().st_mtime_ns for path in first_plan.outputs.values()}
    second_plan, second = plan_and_run(project, requests)
    assert second_plan.jobs == ()
    assert (second.processed, second.encoded, second.cached) == (0, 0, 13)
    assert second_plan.outputs == first_plan.outputs
    assert {path: path.stat().st_mtime_ns for path in second_plan.outputs.values()} == stamps


def test_recipe_change_reencodes_only_what_it_affects_and_prune_drops_orphans(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo(), project.media_dir / "a.jpg")
    requests = [request(project, "media/a.jpg")]
    old_plan, _ = plan_and_run(project, requests)
    new_settings = dataclasses.replace(SMALL, jpeg_quality=60)
    new_plan, result = plan_and_run(project, requests, new_settings)
    assert (result.encoded, result.cached) == (4, 8)  # the four JPEG widths only
    changed = set(old_plan.outputs) ^ set(new_plan.outputs)
    assert changed and all(path.endswith(".jpg") for path in changed)
    cache_dir = new_plan.cache_dir
    (cache_dir / ".a.x.jpg.999.tmp").write_bytes(b"half written")
    removed = prune(cache_dir, new_plan.outputs.values())
    assert {p.name for p in removed} == (
        {old_plan.outputs[p].name for p in set(old_plan.outputs) - set(new_plan.outputs)}
        | {".a.x.jpg.999.tmp"})
    assert set(cache_dir.iterdir()) == set(new_plan.outputs.values())


def test_changed_source_bytes_reprocess_everything(tmp_path):
    project = make_project(tmp_path)
    path = save_jpeg(landscape_photo(), project.media_dir / "a.jpg")
    old_plan, _ = plan_and_run(project, [request(project, "media/a.jpg")])
    save_jpeg(landscape_photo().transpose(Image.Transpose.FLIP_LEFT_RIGHT), path)
    new_plan, result = plan_and_run(project, [request(project, "media/a.jpg")])
    assert result.encoded == 12 and result.cached == 0
    assert not set(old_plan.outputs) & set(new_plan.outputs)


def test_one_job_per_source_shared_by_pages_and_pool_runs_them(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo(), project.media_dir / "a.jpg")
    save_jpeg(landscape_photo((200, 150)), project.media_dir / "b.jpg")
    requests = [
        request(project, "../../media/a.jpg"),
        request(project, "/media/a.jpg", article="content/other.md", card=True),
        request(project, "media/b.jpg", article="content/other.md"),
    ]
    plan = plan_images(requests, project=project, settings=SMALL)
    assert len(plan.jobs) == 2
    first = plan.asset_for(project.content_dir / "news", "../../media/a.jpg")
    assert first is plan.asset_for(project.content_dir, "/media/a.jpg")
    assert first.social_card is not None  # one page asked for it: every use gets it
    result = run_image_jobs(plan, max_workers=2)  # a real process pool
    assert (result.processed, result.encoded) == (2, 13 + 9)  # b.jpg is 200 wide: 64, 128, 200
    assert all(path.is_file() for path in plan.outputs.values())
    assert not list(plan.cache_dir.glob(".*.tmp"))


def test_caller_supplied_executor_is_used(tmp_path):
    project = make_project(tmp_path)
    for name in ("a.jpg", "b.jpg"):
        save_jpeg(landscape_photo((150, 100)), project.media_dir / name,
                  comment=name.encode())  # different bytes
    plan = plan_images([request(project, "media/a.jpg"), request(project, "media/b.jpg")],
                       project=project, settings=dataclasses.replace(SMALL, avif=False))
    with ThreadPoolExecutor(max_workers=2) as pool:
        result = run_image_jobs(plan, executor=pool)
    assert (result.processed, result.encoded) == (2, 2 * 2 * 3)
    asset = plan.asset_for(project.content_dir / "news", "media/a.jpg")
    assert asset.modern_formats == ("webp",)


def test_invalid_settings_are_reported_not_raised(tmp_path):
    project = make_project(tmp_path)
    settings = ImageSettings(widths=(0, 800), jpeg_quality=300, output_dir="../out")
    plan = plan_images([request(project, "media/a.jpg")], project=project, settings=settings)
    messages = [d.format() for d in plan.diagnostics]
    assert any("images.widths" in m and "0 is not a width" in m for m in messages)
    assert any("images.jpeg_quality" in m for m in messages)
    assert any("images.output_dir" in m for m in messages)
    assert plan.jobs == () and plan.assets == {}


def test_cmyk_grey16_and_palette_sources_come_out_as_web_ready_rgb(tmp_path):
    project = make_project(tmp_path)
    gradient = Image.linear_gradient("L").resize((200, 120))
    Image.merge("RGB", (gradient, gradient, gradient)).convert("CMYK").save(
        project.media_dir / "press.jpg")
    gradient.convert("I").point(lambda v: v * 257).convert("I;16").save(
        project.media_dir / "scan16.png")
    gradient.convert("P").save(project.media_dir / "palette.png", transparency=0)
    names = ("press.jpg", "scan16.png", "palette.png")
    plan, result = plan_and_run(project, [request(project, f"media/{n}") for n in names])
    assert result.failed == ()
    expected_mode = {"press.jpg": "RGB", "scan16.png": "RGB", "palette.png": "RGBA"}
    for name in names:
        asset = plan.asset_for(project.content_dir / "news", f"media/{name}")
        with Image.open(plan.outputs[asset.largest_fallback.path]) as output:
            assert output.mode == expected_mode[name]
            low, high = output.convert("L").getextrema()
            assert low < 40 and high > 215, name  # the gradient survived, not clipped


def test_animated_gif_uses_first_frame_with_a_warning(tmp_path):
    project = make_project(tmp_path)
    frames = [Image.new("RGB", (120, 80), colour) for colour in ("red", "blue")]
    frames[0].save(project.media_dir / "loop.gif", save_all=True, append_images=frames[1:])
    plan, result = plan_and_run(project, [request(project, "media/loop.gif")])
    [note] = plan.diagnostics
    assert not note.is_error and "animated; only its first frame is used" in note.message
    asset = plan.asset_for(project.content_dir / "news", "media/loop.gif")
    with Image.open(plan.outputs[asset.largest_fallback.path]) as output:
        assert _colour(output.getpixel((60, 40))) == "red"


def test_demo_hero_photo_loses_its_gps_in_the_build(tmp_path):
    demo = Path(__file__).resolve().parent.parent / "media" / "paris-rescue-street.jpg"
    with Image.open(demo) as source:
        assert source.size == (1600, 1000)
        assert source.getexif().get_ifd(0x8825)  # the committed demo does carry GPS
    project = make_project(tmp_path)
    shutil.copy(demo, project.media_dir / demo.name)
    settings = ImageSettings(widths=(480,), avif=False)
    plan, result = plan_and_run(project, [request(project, f"media/{demo.name}", card=True)],
                                settings)
    assert result.encoded == 3 and result.failed == ()
    for cache_file in plan.outputs.values():
        with Image.open(cache_file) as output:
            assert len(output.getexif()) == 0 and "exif" not in output.info
        assert b"reelpress demo" not in cache_file.read_bytes()


def test_non_srgb_profile_is_converted_to_srgb_then_dropped(tmp_path):
    project = make_project(tmp_path)
    Image.new("RGB", (200, 100), (255, 0, 0)).save(
        project.media_dir / "wide-gamut.png", icc_profile=swapped_primaries_icc())
    plan, result = plan_and_run(project, [request(project, "media/wide-gamut.png")])
    assert result.failed == () and result.diagnostics == ()
    asset = plan.asset_for(project.content_dir / "news", "media/wide-gamut.png")
    for rendition in asset.renditions:
        with Image.open(plan.outputs[rendition.path]) as output:
            assert "icc_profile" not in output.info
            red, green, blue = output.convert("RGB").getpixel(
                (output.width // 2, output.height // 2))
            assert green > 200 and red < 60 and blue < 60, (rendition.format, red, green, blue)
