"""Deploy to a real S3-compatible store (SeaweedFS on 127.0.0.1), as a user runs it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from deploy_servers import EXTRA_ARTICLE, S3Server, demo_project, seaweed_s3, tree
from sitebuilder import assert_no_traceback, run_cli

from reelpress.commands.deploy import RECORD_NAME, DeploySettings, deploy_result
from reelpress.commands.deploy.destination import S3Target, parse_destination
from reelpress.commands.deploy.ledger import RECORDS_FOLDER, record_path
from reelpress.commands.deploy.objects import S3Backend, multipart_etag

__all__ = ["seaweed_s3"]  # the fixture, imported for pytest

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
UNRELATED = {"uploads/team/plan.pdf": b"%PDF-1.4 not ours\n", "CNAME": b"news.example.org\n"}
MiB = 1024 * 1024


@pytest.fixture
def s3(seaweed_s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Credentials from the environment (the AWS chain), and a fresh bucket per test."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", seaweed_s3.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", seaweed_s3.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask 169.254.169.254
    client = seaweed_s3.client()
    yield client


def bucket(client: Any, name: str) -> str:
    client.create_bucket(Bucket=name)
    return name


def objects(client: Any, name: str, prefix: str = "") -> dict[str, bytes]:
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=prefix):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket=name, Key=item["Key"])["Body"].read()
            found[item["Key"][len(prefix):]] = body
    return found


def local_record(project: Path, dest: str) -> Path:
    return record_path(project / RECORDS_FOLDER, parse_destination(dest))


def listing(client: Any, name: str) -> dict[str, tuple[str, object]]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=name)
    return {item["Key"]: (item["ETag"], item["LastModified"])
            for page in pages for item in page.get("Contents", [])}


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
            seaweed_s3: S3Server) -> Path:
    root = demo_project(tmp_path_factory, tmp_path / "project")
    with (root / "site.toml").open("a") as config:
        config.write(f'\n[deploy]\nendpoint_url = "{seaweed_s3.endpoint_url}"\nmax_deletes = 3\n')
    return root


def test_s3_deploy_keeps_unrelated_objects_copies_nothing_twice_and_deletes_one_article(
    project: Path, s3: Any
) -> None:
    name = bucket(s3, "news")
    for key, body in UNRELATED.items():
        s3.put_object(Bucket=name, Key=key, Body=body)
        s3.put_object(Bucket=name, Key="site/" + key, Body=body)
    dest = f"s3://{name}/site"

    first = run_cli(project, "deploy", dest)
    assert first.returncode == 0, first.stderr
    site_v1 = tree(project / "site")
    assert f"deployed to {dest}/: {len(site_v1)} copied, 0 unchanged, 0 deleted" in first.stdout
    assert "uploading" in first.stderr  # the progress line
    assert objects(s3, name, "site/") == {**site_v1, **UNRELATED}
    assert {k: v for k, v in objects(s3, name).items() if not k.startswith("site/")} == UNRELATED
    assert not [key for key in objects(s3, name) if ".reelpress" in key]  # no record published
    record = json.loads(local_record(project, dest).read_text())
    assert sorted(record["files"]) == sorted(site_v1)

    before = listing(s3, name)
    second = run_cli(project, "deploy", dest)
    assert second.returncode == 0, second.stderr
    assert f"0 copied, {len(site_v1)} unchanged, 0 deleted" in second.stdout
    assert listing(s3, name) == before  # not one object rewritten

    (project / EXTRA_ARTICLE).unlink()
    refused = run_cli(project, "deploy", dest)  # the article takes more than 3 files with it
    assert refused.returncode == 1
    site_v2 = tree(project / "site")
    gone = sorted(set(site_v1) - set(site_v2))
    assert len(gone) > 3 and "council-vote/index.html" in gone
    assert f"would delete {len(gone)} file(s), more than [deploy] max_deletes = 3" in \
        refused.stderr
    assert "--force-deletes" in refused.stderr
    assert listing(s3, name) == before
    assert_no_traceback(refused)

    third = run_cli(project, "deploy", dest, "--force-deletes")
    assert third.returncode == 0, third.stderr
    assert f"{len(gone)} deleted" in third.stdout
    assert objects(s3, name, "site/") == {**site_v2, **UNRELATED}


EXPECTED_TYPES = {  # suffix or file name -> Content-Type
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".avif": "image/avif",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    "feed.json": "application/feed+json",
    "feed.xml": "application/atom+xml; charset=utf-8",
    "rss.xml": "application/rss+xml; charset=utf-8",
    "sitemap.xml": "application/xml",
    "robots.txt": "text/plain; charset=utf-8",
}


def expected_type(rel: str) -> str | None:
    name = rel.rsplit("/", 1)[-1]
    return EXPECTED_TYPES.get(name) or EXPECTED_TYPES.get("." + name.rsplit(".", 1)[-1])


def expected_cache(rel: str) -> str | None:
    """The build names everything in media/ and static/ by content hash: a year; pages,
    feeds and the sitemap: minutes. (Other files, e.g. the search index, are not asserted.)"""
    if rel.startswith(("media/", "static/")):
        return IMMUTABLE
    if rel.endswith((".html", ".xml", ".json", ".txt")) and not rel.startswith("pagefind/"):
        return SHORT
    return None


def test_s3_objects_carry_content_type_and_cache_control(project: Path, s3: Any) -> None:
    name = bucket(s3, "headers")
    result = run_cli(project, "deploy", f"s3://{name}")
    assert result.returncode == 0, result.stderr
    files = tree(project / "site")
    checked = set()
    for rel in files:
        head = s3.head_object(Bucket=name, Key=rel)
        if expected_type(rel):
            assert head["ContentType"] == expected_type(rel), rel
            checked.add(rel.rsplit(".", 1)[-1])
        if expected_cache(rel):
            assert head["CacheControl"] == expected_cache(rel), rel
        else:
            assert head["CacheControl"] in (SHORT, IMMUTABLE), rel
    assert {"html", "css", "js", "mp4", "vtt", "avif", "webp", "jpg", "json", "xml"} <= checked


def test_s3_cache_control_comes_from_deploy_settings(tmp_path: Path, s3: Any,
                                                     seaweed_s3: S3Server) -> None:
    site = tmp_path / "site"
    (site / "static").mkdir(parents=True)
    (site / "index.html").write_text("<p>hi</p>")
    (site / "static/app.0123abcd99.js").write_text("console.log(1)")
    settings = DeploySettings(endpoint_url=seaweed_s3.endpoint_url, cache_control="no-cache",
                              immutable_cache_control="public, max-age=600")
    name = bucket(s3, "tuned")
    assert deploy_result(site, f"s3://{name}/", settings=settings).ok
    assert s3.head_object(Bucket=name, Key="index.html")["CacheControl"] == "no-cache"
    script = s3.head_object(Bucket=name, Key="static/app.0123abcd99.js")
    assert script["CacheControl"] == "public, max-age=600"
    assert script["ContentType"] == "text/javascript; charset=utf-8"


def test_s3_multipart_uploads_are_recognised_without_downloading(
    tmp_path: Path, s3: Any, seaweed_s3: S3Server
) -> None:
    site = tmp_path / "site"
    (site / "media").mkdir(parents=True)
    big = site / "media/reel.0a1b2c3d4e.mp4"
    big.write_bytes(os.urandom(11 * MiB))  # three parts of 5 MiB (S3's smallest part)
    (site / "index.html").write_text('<video src="media/reel.0a1b2c3d4e.mp4"></video>')
    settings = DeploySettings(endpoint_url=seaweed_s3.endpoint_url)
    name = bucket(s3, "multipart")
    target = S3Target(name, "")

    def run(part_size: int) -> Any:
        backend = S3Backend(target, settings, multipart_threshold=part_size)
        return deploy_result(site, f"s3://{name}/", settings=settings, backend=backend)

    first = run(5 * MiB)
    assert first.ok and first.copied == 2, first.summary()
    etag = s3.head_object(Bucket=name, Key="media/reel.0a1b2c3d4e.mp4")["ETag"].strip('"')
    assert etag == multipart_etag(big, 5 * MiB) and etag.endswith("-3")
    assert run(5 * MiB).copied == 0  # the record vouches (its ETag is still the store's)
    kept = record_path(tmp_path / RECORDS_FOLDER, S3Target(name, ""))
    kept.unlink()
    assert run(5 * MiB).copied == 0  # no record: the multipart ETag is recomputed locally
    kept.unlink()
    other_parts = run(8 * MiB)  # another part size: only the sha256 metadata can tell
    assert (other_parts.copied, other_parts.unchanged) == (0, 2)
    big.write_bytes(os.urandom(11 * MiB))
    changed = run(5 * MiB)
    assert changed.copied_paths == ("media/reel.0a1b2c3d4e.mp4",)


def test_s3_object_replaced_behind_its_back_is_uploaded_again(tmp_path: Path, s3: Any,
                                                             seaweed_s3: S3Server) -> None:
    """The record is trusted only while the store shows the ETag it gave the upload."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>ours</p>")
    settings = DeploySettings(endpoint_url=seaweed_s3.endpoint_url)
    name = bucket(s3, "replaced")
    assert deploy_result(site, f"s3://{name}/", settings=settings).copied == 1
    s3.put_object(Bucket=name, Key="index.html", Body=b"<p>evil</p>")  # same size
    again = deploy_result(site, f"s3://{name}/", settings=settings)
    assert again.copied_paths == ("index.html",)
    assert s3.get_object(Bucket=name, Key="index.html")["Body"].read() == b"<p>ours</p>"


def test_s3_multipart_object_from_another_tool_is_adopted_by_its_etag(
    tmp_path: Path, s3: Any, seaweed_s3: S3Server
) -> None:
    """No record and no reelpress metadata: only the recomputed multipart ETag can tell."""
    from boto3.s3.transfer import TransferConfig
    site = tmp_path / "site"
    site.mkdir()
    big = site / "reel.0a1b2c3d4e.mp4"
    big.write_bytes(os.urandom(11 * MiB))
    name = bucket(s3, "adopted")
    s3.upload_file(str(big), name, big.name, Config=TransferConfig(
        multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB))
    settings = DeploySettings(endpoint_url=seaweed_s3.endpoint_url)
    backend = S3Backend(S3Target(name, ""), settings, multipart_threshold=5 * MiB)
    result = deploy_result(site, f"s3://{name}/", settings=settings, backend=backend,
                           check=False)
    assert result.ok, result.summary()  # a differing file it did not deploy would be refused
    assert (result.copied, result.unchanged) == (0, 1)


def test_s3_record_entry_dotdot_victim_is_refused(project: Path, s3: Any) -> None:
    name = bucket(s3, "hostile")
    s3.put_object(Bucket=name, Key="victim.txt", Body=b"precious")
    assert run_cli(project, "deploy", f"s3://{name}/site").returncode == 0
    kept = local_record(project, f"s3://{name}/site")
    record = json.loads(kept.read_text())
    record["files"]["../victim.txt"] = {"sha256": "0" * 64, "size": 8}
    kept.unlink()  # as an older reelpress left it: at the prefix, in the bucket
    key = f"site/{RECORD_NAME}"
    s3.put_object(Bucket=name, Key=key, Body=json.dumps(record, indent=1).encode())
    refused = run_cli(project, "deploy", f"s3://{name}/site")
    assert refused.returncode == 1
    assert "entry '../victim.txt' leaves the destination" in refused.stderr
    assert s3.get_object(Bucket=name, Key="victim.txt")["Body"].read() == b"precious"
    assert_no_traceback(refused)
    del record["files"]["../victim.txt"]
    s3.put_object(Bucket=name, Key=key, Body=json.dumps(record, indent=1).encode())
    moved = run_cli(project, "deploy", f"s3://{name}/site")
    assert moved.returncode == 0, moved.stderr
    assert key not in objects(s3, name, "") and kept.is_file()  # moved into the project


def test_s3_errors_are_one_clear_line(project: Path, s3: Any, seaweed_s3: S3Server,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    site = project / "site"
    settings = DeploySettings(endpoint_url=seaweed_s3.endpoint_url)
    missing = deploy_result(site, "s3://no-such-bucket/", settings=settings)
    assert missing.error.startswith("NoSuchBucket while reading the deploy record")
    assert "create the bucket" in missing.hint
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    name = "news"  # any bucket: the signature is checked first
    denied = deploy_result(site, f"s3://{name}/", settings=settings)
    assert not denied.ok and "SignatureDoesNotMatch" in denied.error
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(variable)
    anonymous = deploy_result(site, f"s3://{name}/", settings=settings)
    assert anonymous.error.startswith("no AWS credentials found")
    assert "never go in site.toml" in anonymous.hint
