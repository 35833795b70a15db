"""Deploy a real built tree to temporary folders, locally and with a real rsync."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reelpress.commands.deploy import (
    DeployError,
    deploy,
    deploy_result,
    deploy_rsync,
    is_remote,
    rsync_command,
)
from reelpress.commands.deploy_local import MANIFEST_NAME

SITE: dict[str, str | bytes] = {
    "index.html": '<a href="paris/">Paris</a><link rel="stylesheet" href="css/site.css">',
    "paris/index.html": '<img src="../media/a.jpg" alt=""><a href="../">home</a>',
    "css/site.css": "body { color: #222 }\n",
    "media/a.jpg": bytes(range(256)) * 8,
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != MANIFEST_NAME
    }


def mtimes(root: Path) -> dict[str, int]:
    return {
        path.relative_to(root).as_posix(): path.stat().st_mtime_ns
        for path in root.rglob("*")
        if path.is_file() and path.name != MANIFEST_NAME
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "site", SITE)


def test_first_deploy_copies_everything_and_writes_a_manifest(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    result = deploy(site, str(dest))
    assert result.ok, result.summary()
    assert (result.copied, result.unchanged, result.deleted) == (4, 0, 0)
    assert result.method == "copy"
    assert tree(dest) == tree(site)
    manifest = json.loads((dest / MANIFEST_NAME).read_text())
    assert sorted(manifest["files"]) == sorted(SITE)
    assert manifest["files"]["media/a.jpg"]["size"] == 2048
    assert result.summary() == f"deployed to {dest}: 4 copied, 0 unchanged, 0 deleted"
    assert not list(dest.rglob(".reelpress-tmp-*"))


def test_second_deploy_copies_nothing_and_keeps_mtimes(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    past = 1_600_000_000_000_000_000
    for path in dest.rglob("*"):  # an old mtime makes any rewrite visible
        if path.is_file():
            os.utime(path, ns=(past, past))
    before = mtimes(dest)
    # Touching the source (a rebuild) must not cause copies: content decides.
    for path in site.rglob("*"):
        path.touch()
    result = deploy(site, str(dest))
    assert (result.copied, result.unchanged, result.deleted) == (0, 4, 0)
    assert mtimes(dest) == before


def test_one_changed_file_is_the_only_copy(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (site / "css/site.css").write_text("body { color: #000 }\n")
    result = deploy(site, str(dest))
    assert result.copied_paths == ("css/site.css",)
    assert (result.copied, result.unchanged, result.deleted) == (1, 3, 0)
    assert (dest / "css/site.css").read_text() == "body { color: #000 }\n"


def test_a_file_gone_from_the_site_is_removed_with_its_empty_folder(
    site: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (site / "css/site.css").unlink()
    (site / "index.html").write_text('<a href="paris/">Paris</a>')
    result = deploy(site, str(dest))
    assert result.deleted_paths == ("css/site.css",)
    assert (result.copied, result.deleted) == (1, 1)
    assert not (dest / "css").exists()
    assert "css/site.css" not in json.loads((dest / MANIFEST_NAME).read_text())["files"]


def test_files_reelpress_did_not_deploy_are_never_deleted(site: Path, tmp_path: Path) -> None:
    dest = write_tree(tmp_path / "public", {"CNAME": "news.example.org\n", ".git/HEAD": "ref"})
    deploy(site, str(dest))
    (site / "media/a.jpg").unlink()
    (site / "paris/index.html").write_text("<p>no image</p>")
    result = deploy(site, str(dest))
    assert result.deleted_paths == ("media/a.jpg",)
    assert (dest / "CNAME").read_text() == "news.example.org\n"
    assert (dest / ".git/HEAD").exists()


def test_without_delete_stale_files_stay_and_a_later_run_removes_them(
    site: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (site / "css/site.css").unlink()
    (site / "index.html").write_text("<p>plain</p>")
    kept = deploy(site, str(dest), delete=False)
    assert (kept.deleted, kept.kept_stale_paths) == (0, ("css/site.css",))
    assert (dest / "css/site.css").exists()
    assert kept.summary().endswith("1 stale kept")
    removed = deploy(site, str(dest))
    assert removed.deleted_paths == ("css/site.css",)


def test_overwriting_unknown_files_needs_force(site: Path, tmp_path: Path) -> None:
    dest = write_tree(
        tmp_path / "public",
        {"index.html": "<p>someone else's page</p>", "media/a.jpg": SITE["media/a.jpg"]},
    )
    with pytest.raises(DeployError) as caught:
        deploy(site, str(dest))
    refused = caught.value.result
    assert not refused.ok
    assert "would overwrite 1 file(s) it did not deploy: index.html" in refused.error
    assert "--force" in refused.hint
    assert (dest / "index.html").read_text() == "<p>someone else's page</p>"
    forced = deploy(site, str(dest), force=True)
    assert forced.ok
    # Identical content already there is adopted, not copied.
    assert "media/a.jpg" not in forced.copied_paths
    assert (forced.copied, forced.unchanged) == (3, 1)
    assert tree(dest) == tree(site)


def test_broken_links_refuse_the_deploy_unless_forced(site: Path, tmp_path: Path) -> None:
    (site / "index.html").write_text('<a href="gone/">x</a>')
    dest = tmp_path / "public"
    with pytest.raises(DeployError) as caught:
        deploy(site, str(dest))
    refused = caught.value.result
    assert not refused.ok
    assert not dest.exists()
    assert refused.check_report is not None
    assert [b.url for b in refused.check_report.broken] == ["gone/"]
    assert refused.summary() == (
        f"deploy to {dest} failed: 1 broken reference(s) in the site"
        " (fix them, or deploy anyway with --no-check)"
    )
    assert [d.path for d in refused.diagnostics()] == ["site/index.html", ""]
    assert str(caught.value).splitlines()[1] == (
        "  site/index.html:1: broken link 'gone/' (no such directory)"
    )
    forced = deploy(site, str(dest), force=True)
    assert forced.ok and forced.copied == 4
    assert forced.summary().endswith("(forced past 1 broken reference(s))")
    unchecked = deploy(site, str(tmp_path / "other"), check=False)
    assert unchecked.ok and unchecked.check_report is None


def test_deploy_result_returns_the_refusal_as_data(site: Path, tmp_path: Path) -> None:
    (site / "index.html").write_text('<img src="nope.png" alt="">')
    result = deploy_result(site, str(tmp_path / "public"))
    assert not result.ok and result.check_report is not None
    assert [d.message for d in result.diagnostics()][0] == (
        "broken image 'nope.png' (no such file)"
    )


def test_a_file_that_cannot_be_written_is_retried_next_time(site: Path, tmp_path: Path) -> None:
    # A folder with content stands where the site wants the file css/site.css.
    dest = write_tree(tmp_path / "public", {"css/site.css/keep.txt": "mine"})
    with pytest.raises(DeployError, match="could not write 1 file"):
        deploy(site, str(dest), force=True)
    manifest = json.loads((dest / MANIFEST_NAME).read_text())["files"]
    assert "css/site.css" not in manifest and "index.html" in manifest
    assert (dest / "css/site.css/keep.txt").read_text() == "mine"
    shutil.rmtree(dest / "css/site.css")
    retry = deploy(site, str(dest))
    assert retry.copied_paths == ("css/site.css",)


def test_dry_run_writes_nothing(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    result = deploy(site, str(dest), dry_run=True)
    assert result.ok and result.dry_run
    assert result.copied == 4
    assert result.summary().startswith("would deploy")
    assert not dest.exists()


def test_destinations_that_would_eat_the_source_are_refused(site: Path, tmp_path: Path) -> None:
    for dest in (site, site / "sub", tmp_path):
        with pytest.raises(DeployError, match="site folder"):
            deploy(site, str(dest))
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(DeployError, match="not a folder"):
        deploy(site, str(tmp_path / "a-file"))
    with pytest.raises(DeployError) as caught:
        deploy(tmp_path / "nope", str(tmp_path / "out"))
    missing = caught.value.result
    assert missing.error.startswith("no built site") and "build.py" in missing.hint


def test_remote_destinations_are_recognised() -> None:
    assert is_remote("deploy@example.org:/var/www/news/")
    assert is_remote("example.org:www")
    assert is_remote("u@h:/srv")
    assert is_remote("u@[2001:db8::1]:/srv")
    assert not is_remote("/srv/www")
    assert not is_remote("./odd:name")
    assert not is_remote("C:\\sites\\news")
    assert not is_remote("public")


def test_rsync_arguments() -> None:
    assert rsync_command(Path("site"), "u@h:/var/www/") == [
        "rsync",
        "-az",
        "--checksum",
        "--delete",
        "--out-format=%i %n",
        "--",
        "site/",
        "u@h:/var/www/",
    ]
    quiet = rsync_command(Path("/p/site/"), "h:x", delete=False, dry_run=True, rsync="/bin/rs")
    assert quiet[:3] == ["/bin/rs", "-az", "--checksum"]
    assert "--delete" not in quiet and "--dry-run" in quiet
    assert quiet[-2:] == ["/p/site/", "h:x"]


def test_risky_remote_paths_are_refused_before_running_anything(site: Path) -> None:
    for dest in ("u@host:", "u@host:~", "host:/", "u@host:/var/www/my site", "h1:/x;rm -rf ~"):
        with pytest.raises(DeployError) as caught:
            deploy(site, dest)
        assert caught.value.result.method == "rsync", dest


def test_missing_rsync_is_a_clear_error(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(DeployError) as caught:
        deploy(site, "deploy@example.org:/var/www/news/")
    result = caught.value.result
    assert result.error == "rsync is not installed"
    assert "apt install rsync" in result.hint


def test_rsync_is_installed_for_the_real_rsync_tests() -> None:
    assert shutil.which("rsync"), "install rsync (apt-get install -y rsync) to run these tests"


def test_real_rsync_mirrors_and_counts(site: Path, tmp_path: Path) -> None:
    dest = write_tree(tmp_path / "mirror", {"leftover.html": "old"})
    first = deploy_rsync(site, str(dest))
    assert first.ok, first.summary()
    assert (first.copied, first.deleted) == (4, 1)
    assert first.deleted_paths == ("leftover.html",)
    assert tree(dest) == tree(site)
    second = deploy_rsync(site, str(dest))
    assert (second.copied, second.unchanged, second.deleted) == (0, 4, 0)
    (site / "css/site.css").write_text("body { color: red }\n")
    third = deploy_rsync(site, str(dest), dry_run=True)
    assert third.copied_paths == ("css/site.css",)
    assert (dest / "css/site.css").read_text() == "body { color: #222 }\n"


def test_rsync_failure_is_reported_with_its_message(site: Path, tmp_path: Path) -> None:
    (tmp_path / "plain-file").write_text("x")
    result = deploy_rsync(site, str(tmp_path / "plain-file" / "sub" / "deeper"))
    assert not result.ok
    assert result.error.startswith("rsync exited with")
