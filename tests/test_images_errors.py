"""Bad photo input: each problem is one clear message for that image; others still build."""

from __future__ import annotations

import os

from images_fixtures import (
    SMALL,
    landscape_photo,
    make_project,
    png_header_only,
    request,
    save_jpeg,
)
from PIL import Image

from reelpress.media.photo.plan import plan_images, run_image_jobs


def plan_one_bad_and_one_good(project, bad_ref, **bad_options):
    save_jpeg(landscape_photo((150, 100)), project.media_dir / "good.jpg")
    requests = [request(project, bad_ref, line=7, **bad_options),
                request(project, "media/good.jpg", line=9)]
    plan = plan_images(requests, project=project, settings=SMALL)
    errors = [d for d in plan.diagnostics if d.is_error]
    # the good photo is unaffected by its neighbour
    assert plan.asset_for(project.content_dir / "news", "media/good.jpg") is not None
    result = run_image_jobs(plan)
    assert result.failed == () and result.encoded + result.cached == 9
    return plan, errors


def only_error(errors):
    assert len(errors) == 1, [e.format() for e in errors]
    problem = errors[0]
    assert (problem.path, problem.line) == ("content/news/paris.md", 7)
    assert problem.hint
    return problem.format()


def test_missing_image_names_page_line_and_places_looked(tmp_path):
    project = make_project(tmp_path)
    plan, errors = plan_one_bad_and_one_good(project, "media/nowhere.jpg")
    text = only_error(errors)
    assert text.startswith("content/news/paris.md:7: image 'media/nowhere.jpg' not found")
    assert "content/news/media/nowhere.jpg" in text and " media/nowhere.jpg" in text
    assert plan.asset_for(project.content_dir / "news", "media/nowhere.jpg") is None


def test_text_file_named_jpg_is_not_an_image(tmp_path):
    project = make_project(tmp_path)
    (project.media_dir / "notes.jpg").write_text("just some notes, not a photo\n")
    _, errors = plan_one_bad_and_one_good(project, "media/notes.jpg")
    text = only_error(errors)
    assert "media/notes.jpg is not an image that can be read" in text
    assert "whatever its name" in text


def test_unsupported_format_is_named(tmp_path):
    project = make_project(tmp_path)
    landscape_photo((40, 30)).save(project.media_dir / "scan.bmp")
    _, errors = plan_one_bad_and_one_good(project, "media/scan.bmp")
    assert "media/scan.bmp is a BMP image, which is not supported" in only_error(errors)


def test_image_cut_inside_its_header_fails_at_plan(tmp_path):
    project = make_project(tmp_path)
    whole = save_jpeg(landscape_photo(), project.media_dir / "whole.jpg").read_bytes()
    (project.media_dir / "stub.jpg").write_bytes(whole[:40])
    _, errors = plan_one_bad_and_one_good(project, "media/stub.jpg")
    assert "media/stub.jpg is truncated or corrupt" in only_error(errors)


def test_truncated_pixels_fail_that_image_only_at_run(tmp_path):
    project = make_project(tmp_path)
    whole = save_jpeg(landscape_photo((400, 300)), project.media_dir / "w.jpg").read_bytes()
    (project.media_dir / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    save_jpeg(landscape_photo((150, 100)), project.media_dir / "good.jpg")
    plan = plan_images([request(project, "media/cut.jpg", line=7),
                        request(project, "media/good.jpg", line=9)],
                       project=project, settings=SMALL)
    assert not [d for d in plan.diagnostics if d.is_error]  # header alone looks fine
    result = run_image_jobs(plan, max_workers=2)
    assert result.failed == ("media/cut.jpg",)
    assert result.encoded == 9  # every output of good.jpg
    [problem] = result.diagnostics
    assert (problem.path, problem.line) == ("content/news/paris.md", 7)
    assert "media/cut.jpg is truncated or corrupt" in problem.message
    good = plan.asset_for(project.content_dir / "news", "media/good.jpg")
    assert all(plan.outputs[r.path].is_file() for r in good.renditions)


def test_decompression_bombs_are_refused_without_touching_the_global_limit(tmp_path, recwarn):
    project = make_project(tmp_path)
    limit = Image.MAX_IMAGE_PIXELS
    # above the limit (Pillow only warns) and above twice the limit (Pillow raises)
    png_header_only(project.media_dir / "wide.png", 10_000, limit // 10_000 + 100)
    png_header_only(project.media_dir / "huge.png", 30_000, 30_000)
    for name in ("wide.png", "huge.png"):
        _, errors = plan_one_bad_and_one_good(project, f"media/{name}")
        text = only_error(errors)
        assert f"media/{name} is too large to decode safely" in text
        assert "decompression bomb" in text
    assert limit == Image.MAX_IMAGE_PIXELS
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_path_escaping_the_project_is_refused(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo(), tmp_path / "outside.jpg")
    _, errors = plan_one_bad_and_one_good(project, "../../../outside.jpg")
    assert "image '../../../outside.jpg' is outside the project" in only_error(errors)


def test_symlink_pointing_out_of_the_project_is_refused(tmp_path):
    project = make_project(tmp_path)
    outside = save_jpeg(landscape_photo(), tmp_path / "elsewhere" / "secret.jpg")
    os.symlink(outside, project.media_dir / "linked.jpg")
    _, errors = plan_one_bad_and_one_good(project, "media/linked.jpg")
    text = only_error(errors)
    assert "image 'media/linked.jpg'" in text and "outside the project" in text


def test_symlink_inside_the_project_is_fine(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo(), project.media_dir / "real.jpg")
    os.symlink(project.media_dir / "real.jpg", project.media_dir / "alias.jpg")
    plan = plan_images([request(project, "media/alias.jpg")], project=project, settings=SMALL)
    assert plan.diagnostics == ()
    assert plan.asset_for(project.content_dir / "news", "media/alias.jpg").source == \
        "media/real.jpg"


def test_remote_url_is_not_fetched(tmp_path):
    project = make_project(tmp_path)
    _, errors = plan_one_bad_and_one_good(project, "https://example.org/x.jpg")
    assert "is not a local file" in only_error(errors)


def test_missing_alt_is_a_warning_not_an_error(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo(), project.media_dir / "a.jpg")
    requests = [request(project, "media/a.jpg", alt=None, line=3),
                request(project, "media/a.jpg", alt="  ", line=4),
                request(project, "media/a.jpg", alt="A street in Paris", line=5)]
    plan = plan_images(requests, project=project, settings=SMALL)
    assert [(d.line, d.is_error) for d in plan.diagnostics] == [(3, False), (4, False)]
    assert "image 'media/a.jpg' has no alt text" in plan.diagnostics[0].format()
    assert "warning:" in plan.diagnostics[0].format()
    assert len(plan.jobs) == 1


def test_source_replaced_between_plan_and_run_is_reported(tmp_path):
    project = make_project(tmp_path)
    path = save_jpeg(landscape_photo(), project.media_dir / "a.jpg")
    plan = plan_images([request(project, "media/a.jpg")], project=project, settings=SMALL)
    save_jpeg(landscape_photo((120, 90)), path)
    result = run_image_jobs(plan)
    assert result.failed == ("media/a.jpg",) and result.encoded == 0
    assert "media/a.jpg changed during the build" in result.diagnostics[0].format()


def test_percent_encoded_markdown_target_finds_the_file(tmp_path):
    project = make_project(tmp_path)
    save_jpeg(landscape_photo(), project.media_dir / "café de flore.jpg")
    ref = "media/caf%C3%A9%20de%20flore.jpg"  # what markdown-it hands over for <media/...>
    plan = plan_images([request(project, ref)], project=project, settings=SMALL)
    assert plan.diagnostics == ()
    asset = plan.asset_for(project.content_dir / "news", ref)
    assert asset.source == "media/café de flore.jpg"
    assert asset.renditions[0].path.startswith("media/cafe-de-flore.")
