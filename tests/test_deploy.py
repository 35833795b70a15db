"""Deploy into local folders (the contract every destination follows), the record's
validation, the DEST rule, and the pure pieces (plan, headers, ETags)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sitebuilder import REPO, assert_no_traceback, run_cli, write_site

from reelpress.commands.deploy import (
    RECORD_NAME,
    DeployError,
    DeploySettings,
    deploy,
    deploy_result,
    parse_destination,
)
from reelpress.commands.deploy.destination import (
    DestinationError,
    FolderTarget,
    S3Target,
    SshTarget,
)
from reelpress.commands.deploy.headers import cache_control, content_type, is_fingerprinted
from reelpress.commands.deploy.ledger import RECORDS_FOLDER, record_path
from reelpress.commands.deploy.objects import multipart_etag
from reelpress.commands.deploy.record import RecordError, parse_record, unsafe_path_reason

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
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def mtimes(root: Path) -> dict[str, int]:
    return {path.relative_to(root).as_posix(): path.stat().st_mtime_ns
            for path in root.rglob("*") if path.is_file()}


def local_record(site: Path, dest: Path | str) -> Path:
    """The project's record of deploys of `site` to `dest` (beside site/, never in DEST)."""
    return record_path(site.parent / RECORDS_FOLDER, parse_destination(str(dest)))


def add_record_entry(record_file: Path, rel: str) -> None:
    record = json.loads(record_file.read_text())
    record["files"][rel] = {"sha256": "0" * 64, "size": 8}
    record_file.write_text(json.dumps(record, indent=1))


def published_bookkeeping(dest: Path) -> list[str]:
    """Any file of reelpress's own in the web root (a record, a temporary file)."""
    return sorted(p.relative_to(dest).as_posix() for p in dest.rglob(".reelpress*"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "site", SITE)


# --- the contract, on a folder -----------------------------------------------------------


def test_first_deploy_copies_everything_and_writes_the_record(site: Path, tmp_path: Path
                                                              ) -> None:
    dest = tmp_path / "public"
    result = deploy(site, str(dest))
    assert (result.copied, result.unchanged, result.deleted, result.method) == (4, 0, 0, "copy")
    assert tree(dest) == tree(site)
    assert published_bookkeeping(dest) == []  # the record is not published
    record = json.loads(local_record(site, dest).read_text())
    assert sorted(record["files"]) == sorted(SITE) and record["version"] == 2
    assert record["files"]["media/a.jpg"]["size"] == 2048
    assert result.summary() == f"deployed to {dest}: 4 copied, 0 unchanged, 0 deleted"
    assert not list(dest.rglob(".reelpress-tmp-*"))


def test_second_deploy_copies_nothing_and_writes_nothing(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    past = 1_600_000_000_000_000_000
    for path in dest.rglob("*"):  # an old mtime makes any rewrite visible
        os.utime(path, ns=(past, past))
    record = local_record(site, dest)
    os.utime(record, ns=(past, past))
    before = mtimes(dest)
    for path in site.rglob("*"):  # a rebuild touches the source: content decides
        path.touch()
    result = deploy(site, str(dest))
    assert (result.copied, result.unchanged, result.deleted) == (0, 4, 0)
    assert mtimes(dest) == before
    assert record.stat().st_mtime_ns == past  # nor the record


def test_record_vouches_for_unchanged_files_without_reading_them(site: Path, tmp_path: Path
                                                                 ) -> None:
    """The skip-work path: a file the record lists with the same digest and size is not
    hashed again. Same-size garbage written behind reelpress's back stays unnoticed, which
    shows the file was not read (and is why the record is trusted only with a size match)."""
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (dest / "css/site.css").write_text("body { color: #f00 }\n")  # same size
    assert deploy(site, str(dest)).copied == 0
    (dest / "css/site.css").write_text("body { color: #f00; }\n")  # another size
    assert deploy(site, str(dest)).copied_paths == ("css/site.css",)


def test_one_changed_file_is_the_only_copy(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (site / "css/site.css").write_text("body { color: #000 }\n")
    result = deploy(site, str(dest))
    assert result.copied_paths == ("css/site.css",)
    assert (dest / "css/site.css").read_text() == "body { color: #000 }\n"


def test_a_file_gone_from_the_site_is_removed_with_its_empty_folder(site: Path, tmp_path: Path
                                                                    ) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (site / "css/site.css").unlink()
    (site / "index.html").write_text('<a href="paris/">Paris</a>')
    result = deploy(site, str(dest))
    assert (result.deleted_paths, result.copied) == (("css/site.css",), 1)
    assert not (dest / "css").exists()
    assert "css/site.css" not in json.loads(local_record(site, dest).read_text())["files"]


def test_files_reelpress_did_not_deploy_are_never_deleted(site: Path, tmp_path: Path) -> None:
    dest = write_tree(tmp_path / "public", {"CNAME": "news.example.org\n", ".git/HEAD": "ref",
                                           "media/their.jpg": "x"})
    deploy(site, str(dest))
    (site / "media/a.jpg").unlink()
    (site / "paris/index.html").write_text("<p>no image</p>")
    result = deploy(site, str(dest))
    assert result.deleted_paths == ("media/a.jpg",)
    assert (dest / "CNAME").read_text() == "news.example.org\n"
    assert (dest / ".git/HEAD").exists() and (dest / "media/their.jpg").exists()


def test_overwriting_files_it_did_not_deploy_needs_overwrite(site: Path, tmp_path: Path
                                                             ) -> None:
    dest = write_tree(tmp_path / "public", {"index.html": "<p>someone else's page</p>",
                                           "media/a.jpg": SITE["media/a.jpg"]})
    with pytest.raises(DeployError) as caught:
        deploy(site, str(dest))
    refused = caught.value.result
    assert "would overwrite 1 file(s) it did not deploy: index.html" in refused.error
    assert "--overwrite" in refused.hint
    assert (dest / "index.html").read_text() == "<p>someone else's page</p>"
    forced = deploy(site, str(dest), overwrite=True)
    assert "media/a.jpg" not in forced.copied_paths  # identical bytes are adopted
    assert (forced.copied, forced.unchanged) == (3, 1)
    assert tree(dest) == tree(site)


def test_max_deletes_refuses_a_plan_unless_force_deletes(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (site / "css/site.css").unlink()
    (site / "media/a.jpg").unlink()
    (site / "index.html").write_text("<p>plain</p>")
    (site / "paris/index.html").write_text("<p>plain</p>")
    limit = DeploySettings(max_deletes=1)
    refused = deploy_result(site, str(dest), settings=limit)
    assert refused.error == ("would delete 2 file(s), more than [deploy] max_deletes = 1: "
                             "css/site.css, media/a.jpg")
    assert "--force-deletes" in refused.hint
    assert (dest / "css/site.css").exists() and (dest / "index.html").read_text() != "<p>plain</p>"
    done = deploy_result(site, str(dest), settings=limit, force_deletes=True)
    assert done.ok and done.deleted_paths == ("css/site.css", "media/a.jpg")


def test_dry_run_lists_the_plan_and_writes_nothing(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (site / "css/site.css").unlink()
    (site / "index.html").write_text('<a href="paris/">P</a>')
    before = mtimes(dest)
    result = deploy(site, str(dest), dry_run=True)
    assert result.plan_lines() == ["upload index.html", "delete css/site.css"]
    assert result.summary().startswith("would deploy")
    assert mtimes(dest) == before
    assert len(deploy(site, str(tmp_path / "fresh"), dry_run=True).plan_lines()) == 3
    assert not (tmp_path / "fresh").exists()


def test_broken_links_refuse_the_deploy_unless_no_check(site: Path, tmp_path: Path) -> None:
    (site / "index.html").write_text('<a href="gone/">x</a>')
    dest = tmp_path / "public"
    with pytest.raises(DeployError) as caught:
        deploy(site, str(dest))
    refused = caught.value.result
    assert not dest.exists()
    assert refused.check_report is not None
    assert [b.url for b in refused.check_report.broken] == ["gone/"]
    assert refused.summary() == (f"deploy to {dest} failed: 1 broken reference(s) in the site"
                                 " (fix them, or deploy anyway with --no-check)")
    assert str(caught.value).splitlines()[1] == (
        "  site/index.html:1: broken link 'gone/' (no such directory)")
    unchecked = deploy(site, str(dest), check=False)
    assert unchecked.copied == 4 and unchecked.check_report is None


def test_a_file_that_cannot_be_written_is_retried_next_time(site: Path, tmp_path: Path) -> None:
    dest = write_tree(tmp_path / "public", {"css/site.css/keep.txt": "mine"})
    with pytest.raises(DeployError, match="would overwrite 1 file"):
        deploy(site, str(dest))  # a folder stands where a file goes: not ours to replace
    with pytest.raises(DeployError, match="could not upload 1 file"):
        deploy(site, str(dest), overwrite=True)  # and a full folder cannot be replaced
    record = json.loads(local_record(site, dest).read_text())["files"]
    assert "css/site.css" not in record and "index.html" in record
    assert (dest / "css/site.css/keep.txt").read_text() == "mine"
    (dest / "css/site.css/keep.txt").unlink()
    (dest / "css/site.css").rmdir()
    assert deploy(site, str(dest)).copied_paths == ("css/site.css",)


def test_destinations_that_would_eat_the_source_are_refused(site: Path, tmp_path: Path) -> None:
    for dest in (site, site / "sub", tmp_path):
        with pytest.raises(DeployError, match="site folder"):
            deploy(site, str(dest))
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(DeployError, match="not a folder"):
        deploy(site, str(tmp_path / "a-file"))
    missing = deploy_result(tmp_path / "nope", str(tmp_path / "out"))
    assert missing.error.startswith("no built site") and "build.py" in missing.hint


# --- issue 16: a hostile destination -----------------------------------------------------


@pytest.mark.parametrize("entry", ["../victim.txt", "ABSOLUTE", "media/../../victim.txt"])
def test_record_entry_dotdot_victim_never_deletes_outside_dest(
    site: Path, tmp_path: Path, entry: str
) -> None:
    """Regression: an entry like `../victim.txt` (or an absolute path) in the destination's
    record made the next deploy delete that file."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    dest = tmp_path / "public"
    deploy(site, str(dest))
    entry = str(victim) if entry == "ABSOLUTE" else entry
    add_record_entry(local_record(site, dest), entry)
    result = deploy_result(site, str(dest))
    assert not result.ok
    assert result.error.startswith(f"deploy record rejected: entry {entry!r}")
    assert result.where == str(local_record(site, dest)) and result.line is not None
    lines = local_record(site, dest).read_text().splitlines()
    assert json.dumps(entry) in lines[result.line - 1]  # the line points at the entry
    assert victim.read_text() == "precious"


def test_record_entry_through_a_symlink_out_of_dest_is_refused(site: Path, tmp_path: Path
                                                               ) -> None:
    outside = write_tree(tmp_path / "outside", {"victim.txt": "precious"})
    dest = tmp_path / "public"
    deploy(site, str(dest))
    (dest / "linked").symlink_to(outside)
    add_record_entry(local_record(site, dest), "linked/victim.txt")
    result = deploy_result(site, str(dest))
    assert "linked/victim.txt: its folder leads outside" in result.error
    assert (outside / "victim.txt").read_text() == "precious"


def test_a_site_folder_symlinked_out_of_dest_is_never_written_through(site: Path,
                                                                      tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "public"
    dest.mkdir()
    (dest / "css").symlink_to(outside)
    result = deploy_result(site, str(dest))
    assert "css/site.css: its folder leads outside" in result.error
    assert list(outside.iterdir()) == [] and not (dest / "index.html").exists()


def test_a_damaged_record_is_a_clear_error_not_an_empty_one(site: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    deploy(site, str(dest))
    record = local_record(site, dest)
    record.write_text('{"version": 2, "files": {"a.html": {"sha256": "x"}}}')
    result = deploy_result(site, str(dest))
    assert "entry 'a.html' needs a sha256" in result.error and "remov" in result.hint
    record.write_text("{not json")
    assert "not valid JSON" in deploy_result(site, str(dest)).error


def test_a_record_left_at_the_destination_is_validated_used_then_removed(
        site: Path, tmp_path: Path) -> None:
    """An older reelpress kept the record in the web root (published as
    /.reelpress-manifest.json): it is still read, with every check, when the project
    has none, and it goes from the destination once the project holds its copy."""
    dest = tmp_path / "public"
    deploy(site, str(dest))
    moved = local_record(site, dest)
    legacy = dest / RECORD_NAME
    legacy.write_text(moved.read_text())
    moved.unlink()
    (site / "css/site.css").unlink()  # the legacy record is what says this file was ours
    (site / "index.html").write_text('<a href="paris/">Paris</a>')
    done = deploy(site, str(dest))
    assert done.deleted_paths == ("css/site.css",)
    assert not legacy.exists() and published_bookkeeping(dest) == []
    assert moved.is_file() and "css/site.css" not in json.loads(moved.read_text())["files"]

    victim = write_tree(tmp_path / "elsewhere", {"victim.txt": "precious"}) / "victim.txt"
    legacy.write_text(moved.read_text())
    moved.unlink()
    add_record_entry(legacy, "../elsewhere/victim.txt")
    refused = deploy_result(site, str(dest))
    assert refused.error.startswith("deploy record rejected: entry '../elsewhere/victim.txt'")
    assert refused.where == str(legacy) and victim.read_text() == "precious"


def test_records_are_kept_per_destination_and_survive_clean(site: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.chdir(tmp_path)
    deploy(site, "public")
    assert deploy(site, str(tmp_path / "public")).copied == 0  # one record, however spelled
    assert deploy(site, str(tmp_path / "mirror")).copied == 4  # another destination
    records = sorted(p.name for p in (tmp_path / RECORDS_FOLDER).iterdir())
    assert len(records) == 2 and all(name.endswith(".json") for name in records)
    (tmp_path / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    cleaned = run_cli(tmp_path, "clean")
    assert cleaned.returncode == 0, cleaned.stderr
    assert sorted(p.name for p in (tmp_path / RECORDS_FOLDER).iterdir()) == records


def test_unsafe_record_paths() -> None:
    for rel in ("", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "C:/x",
                "a\x00b", RECORD_NAME, "media/.reelpress-tmp-1-a.jpg"):
        assert unsafe_path_reason(rel), rel
    for rel in ("index.html", "media/a.b.c.jpg", ".well-known/x", "tags/日本/index.html"):
        assert unsafe_path_reason(rel) == "", rel
    with pytest.raises(RecordError):
        parse_record('{"version": 9, "files": {}}')


def test_deploy_backup_2025_is_a_local_folder_not_an_ssh_host(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `deploy backup:2025` was taken as the SSH host `backup`."""
    monkeypatch.chdir(tmp_path)
    result = deploy(site, "backup:2025")
    assert result.method == "copy" and result.copied == 4
    assert tree(tmp_path / "backup:2025") == tree(site)
    assert result.notes and "is a local folder; for SSH write host:/path" in result.notes[0]


def test_the_destination_rule() -> None:
    assert parse_destination("backup:2025") == FolderTarget("backup:2025")
    assert parse_destination("example.org:www") == FolderTarget("example.org:www")
    assert parse_destination("./odd:name") == FolderTarget("./odd:name")
    assert parse_destination("C:\\sites\\news") == FolderTarget("C:\\sites\\news")
    assert parse_destination("/srv/www") == FolderTarget("/srv/www")
    assert parse_destination("example.org:/var/www") == SshTarget("example.org", "/var/www")
    assert parse_destination("example.org:~/www") == SshTarget("example.org", "~/www")
    assert parse_destination("u@h:www") == SshTarget("u@h", "www")
    assert parse_destination("u@[2001:db8::1]:/srv") == SshTarget("u@[2001:db8::1]", "/srv")
    assert parse_destination("ssh://deploy@h.example:2222/srv/www") == SshTarget(
        "deploy@h.example", "/srv/www", 2222)
    assert parse_destination("ssh://h/~/www") == SshTarget("h", "~/www")
    assert parse_destination("s3://news-bucket") == S3Target("news-bucket", "")
    assert parse_destination("s3://news-bucket/a/b/") == S3Target("news-bucket", "a/b/")
    for bad in ("s3://UPPER/x", "s3://b/../x", "ssh://h:99999/x", ""):
        with pytest.raises(DestinationError):
            parse_destination(bad)


# --- issue 16: a deploy killed mid-copy --------------------------------------------------

KILL_AT_RENAME = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from reelpress.commands.deploy import deploy
    def killed(source, target):  # the temp file is complete: die before the rename
        os.kill(os.getpid(), signal.SIGKILL)
    os.replace = killed
    deploy(Path(sys.argv[1]), sys.argv[2])
""")


def test_deploy_killed_mid_copy_leaves_no_temp_file_after_the_next_deploy(
    site: Path, tmp_path: Path
) -> None:
    """Regression: a deploy killed mid-copy left `.reelpress-tmp-*` in the web root forever."""
    dest = tmp_path / "public"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    killed = subprocess.run([sys.executable, "-c", KILL_AT_RENAME, str(site), str(dest)],
                            env=env, capture_output=True, text=True, check=False)
    assert killed.returncode == -9, killed.stderr
    leftovers = [p.name for p in dest.rglob(".reelpress-tmp-*")]
    assert len(leftovers) == 1  # the first file, written and never renamed
    result = deploy(site, str(dest))
    assert not list(dest.rglob(".reelpress-tmp-*"))
    assert result.notes == ("removed 1 temporary file(s) left by an interrupted deploy",)
    assert tree(dest) == tree(site)


# --- the command line --------------------------------------------------------------------


def test_cli_dry_run_prints_the_plan_and_bad_deploy_settings_have_a_line(tmp_path: Path
                                                                         ) -> None:
    root = write_site(tmp_path / "project",
                      {"content/a.md": "---\ntitle: A\ndate: 2025-01-01\n---\nBody.\n"},
                      site_toml='title = "T"\nbase_url = "https://example.org/"\n')
    dest = tmp_path / "public"
    plan = run_cli(root, "deploy", str(dest), "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "upload index.html" in plan.stdout.splitlines()
    assert plan.stdout.splitlines()[-1].startswith(f"would deploy to {dest}: ")
    assert not dest.exists()
    with (root / "site.toml").open("a") as config:
        config.write('\n[deploy]\nmax_deletes = "many"\nuplods = 3\n')
    bad = run_cli(root, "deploy", str(dest))
    assert bad.returncode == 1 and not dest.exists()
    lines = (root / "site.toml").read_text().splitlines()
    number = lines.index('max_deletes = "many"') + 1
    assert (f"site.toml:{number}: [deploy] max_deletes: expected a whole number, got 'many'"
            in bad.stderr)
    assert "unknown key 'uplods' (did you mean 'uploads'?)" in bad.stderr
    assert_no_traceback(bad)


# --- pure pieces -------------------------------------------------------------------------


def test_headers_by_file() -> None:
    settings = DeploySettings()
    assert is_fingerprinted("static/style.23ee9edee3.css")
    assert is_fingerprinted("media/paris-rescue-street.173c5951.800.avif")
    assert not is_fingerprinted("index.html") and not is_fingerprinted("feed.json")
    assert not is_fingerprinted("media/deadbeef.jpg")  # the hash must be a middle part
    assert not is_fingerprinted("a.0123456789.html")  # HTML is never immutable
    assert cache_control("static/style.23ee9edee3.css", settings) == (
        "public, max-age=31536000, immutable")
    assert cache_control("sitemap.xml", settings) == "public, max-age=300"
    assert content_type("media/x.0123abcd.m3u8") == "application/vnd.apple.mpegurl"
    assert content_type("media/seg.0123abcd.ts") == "video/mp2t"
    assert content_type("media/x.0123abcd.en.vtt") == "text/vtt; charset=utf-8"
    assert content_type("tags/x/feed.json") == "application/feed+json"


def test_multipart_etag_matches_the_s3_rule(tmp_path: Path) -> None:
    import hashlib
    path = tmp_path / "f"
    path.write_bytes(b"a" * 10 + b"b" * 10 + b"c" * 5)
    parts = [hashlib.md5(b"a" * 10).digest(), hashlib.md5(b"b" * 10).digest(),
             hashlib.md5(b"c" * 5).digest()]
    assert multipart_etag(path, 10) == hashlib.md5(b"".join(parts)).hexdigest() + "-3"
