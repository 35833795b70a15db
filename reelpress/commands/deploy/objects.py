"""Deploy to S3 or an S3-compatible store (R2, B2, GCS, MinIO, SeaweedFS) with boto3.

Nothing is downloaded to find what changed: the listing gives each object's size
and ETag. A file is unchanged when the record says this deploy uploaded these
bytes and the store still shows the ETag it gave then; else when a single-part
ETag (an MD5) matches the file's MD5, or a multipart ETag (`md5-of-md5s-N`)
matches the same computation over our part size; else when the object's
`reelpress-sha256` metadata (one HEAD request) matches. Uploads run in parallel.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reelpress.commands.deploy.contract import (
    Applied,
    BackendError,
    DeployPlan,
    Progress,
    State,
    Survey,
)
from reelpress.commands.deploy.destination import S3Target
from reelpress.commands.deploy.headers import cache_control, content_type
from reelpress.commands.deploy.record import RECORD_NAME, RecordEntry, SiteFile
from reelpress.commands.deploy.settings import DeploySettings

MULTIPART_THRESHOLD = 8 * 1024 * 1024  # boto3's default part size, used for both
SHA_KEY = "reelpress-sha256"


class S3Backend:
    method = "s3"

    def __init__(self, target: S3Target, settings: DeploySettings, *,
                 multipart_threshold: int = MULTIPART_THRESHOLD) -> None:
        self.target = target
        self.label = target.label
        self.settings = settings
        self.part_size = multipart_threshold
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3  # type: ignore[import-untyped]
                from botocore.config import Config  # type: ignore[import-untyped]
            except ImportError:
                raise BackendError("boto3 is not installed (needed for s3:// destinations)",
                                   "pip install 'reelpress[s3]'") from None
            with self._errors("connecting"):
                session = boto3.session.Session()
                self._client = session.client(
                    "s3", endpoint_url=self.settings.endpoint_url or None,
                    region_name=self.settings.region or None,
                    config=Config(max_pool_connections=self.settings.uploads + 2,
                                  retries={"max_attempts": 4, "mode": "standard"}))
        return self._client

    def key(self, rel: str) -> str:
        return self.target.prefix + rel

    @contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        """botocore's exceptions as one clear line with a hint."""
        from botocore.exceptions import (  # type: ignore[import-untyped]
            BotoCoreError,
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )
        try:
            yield
        except (NoCredentialsError, PartialCredentialsError):
            raise BackendError(
                f"no AWS credentials found while {doing}",
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE "
                "(credentials never go in site.toml)") from None
        except EndpointConnectionError as failure:
            raise BackendError(f"cannot reach the store while {doing}: {failure}",
                               "check [deploy] endpoint_url and the network") from None
        except ClientError as failure:
            code = failure.response.get("Error", {}).get("Code", "")
            message = failure.response.get("Error", {}).get("Message", "") or str(failure)
            hint = {"NoSuchBucket": f"create the bucket {self.target.bucket!r} first",
                    "AccessDenied": "the credentials lack s3:ListBucket, GetObject, PutObject "
                                    "or DeleteObject on this bucket",
                    "InvalidAccessKeyId": "check the access key",
                    "SignatureDoesNotMatch": "check the secret key"}.get(code, "")
            raise BackendError(f"{code or 'error'} while {doing}: {message}", hint) from None
        except BotoCoreError as failure:
            raise BackendError(f"{doing} failed: {failure}") from None

    # --- the backend protocol ------------------------------------------------------------

    def read_record(self) -> str | None:
        client = self.client  # first: a missing boto3 is reported before botocore is needed
        from botocore.exceptions import ClientError  # type: ignore[import-untyped]
        with self._errors("reading the deploy record"):
            try:
                reply = client.get_object(Bucket=self.target.bucket,
                                               Key=self.key(RECORD_NAME))
            except ClientError as failure:
                if failure.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise
            data: bytes = reply["Body"].read()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise BackendError("the deploy record is not UTF-8 text",
                               where=self.label + RECORD_NAME) from None

    def listing(self) -> dict[str, tuple[int, str]]:
        """rel -> (size, ETag) of every object under the prefix."""
        found: dict[str, tuple[int, str]] = {}
        with self._errors("listing the bucket"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.target.bucket, Prefix=self.target.prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    rel = item["Key"][len(self.target.prefix):]
                    found[rel] = (int(item["Size"]), str(item["ETag"]).strip('"'))
        return found

    def survey(self, site_dir: Path, files: tuple[SiteFile, ...],
               record: Mapping[str, RecordEntry]) -> Survey:
        there = self.listing()
        states: dict[str, State] = {}
        etags: dict[str, str] = {}
        for item in files:
            if item.rel not in there:
                states[item.rel] = State.ABSENT
                continue
            size, etag = there[item.rel]
            same = size == item.size and self._same(site_dir / item.rel, item, etag,
                                                    record.get(item.rel))
            states[item.rel] = State.SAME if same else State.DIFFERS
            if same:
                etags[item.rel] = etag
        stale = frozenset(rel for rel in set(record) - set(states) if rel in there)
        return Survey(states, stale, etags)

    def _same(self, path: Path, item: SiteFile, etag: str, deployed: RecordEntry | None) -> bool:
        if deployed and deployed.etag == etag and deployed.sha256 == item.sha256:
            return True  # the bytes this site uploaded, untouched since
        if "-" not in etag:
            return etag == _md5(path).hexdigest()
        if etag == multipart_etag(path, self.part_size):
            return True
        with self._errors("reading object metadata"):
            head = self.client.head_object(Bucket=self.target.bucket, Key=self.key(item.rel))
        return bool(head.get("Metadata", {}).get(SHA_KEY) == item.sha256)

    def apply(self, plan: DeployPlan, files: tuple[SiteFile, ...], site_dir: Path,
              progress: Progress | None) -> Applied:
        deleted = self._delete(plan.delete)
        by_rel = {item.rel: item for item in files}
        uploaded: list[str] = []
        failed: list[str] = []
        etags: dict[str, str] = {}
        failure = ""
        done_bytes = 0
        client = self.client
        with ThreadPoolExecutor(max_workers=self.settings.uploads) as pool:
            futures = {pool.submit(self._upload, client, site_dir, by_rel[rel]): rel
                       for rel in plan.upload}
            for future in as_completed(futures):
                rel = futures[future]
                try:
                    etags[rel] = future.result()
                    uploaded.append(rel)
                except BackendError as problem:
                    failed.append(rel)
                    failure = failure or f"{rel}: {problem.message}"
                done_bytes += by_rel[rel].size
                if progress:
                    progress(len(uploaded) + len(failed), len(plan.upload), done_bytes,
                             plan.upload_bytes)
        return Applied(tuple(sorted(uploaded)), deleted, tuple(sorted(failed)), etags, failure)

    def remove_record(self) -> None:
        with self._errors("removing the old deploy record"):
            self.client.delete_object(Bucket=self.target.bucket, Key=self.key(RECORD_NAME))

    # --- steps ---------------------------------------------------------------------------

    def _upload(self, client: Any, site_dir: Path, item: SiteFile) -> str:
        """One file with its headers; returns the ETag the store gave it."""
        path = site_dir / item.rel
        extra = {"ContentType": content_type(item.rel),
                 "CacheControl": cache_control(item.rel, self.settings),
                 "Metadata": {SHA_KEY: item.sha256}}
        with self._errors(f"uploading {item.rel}"):
            if item.size < self.part_size:
                data = path.read_bytes()
                digest = base64.b64encode(hashlib.md5(data).digest()).decode("ascii")
                reply = client.put_object(Bucket=self.target.bucket, Key=self.key(item.rel),
                                          Body=data, ContentMD5=digest, **extra)
                return str(reply["ETag"]).strip('"')
            from boto3.s3.transfer import TransferConfig  # type: ignore[import-untyped]
            config = TransferConfig(multipart_threshold=self.part_size,
                                    multipart_chunksize=self.part_size, use_threads=False)
            client.upload_file(str(path), self.target.bucket, self.key(item.rel),
                               ExtraArgs=extra, Config=config)
            head = client.head_object(Bucket=self.target.bucket, Key=self.key(item.rel))
            return str(head["ETag"]).strip('"')

    def _delete(self, rels: tuple[str, ...]) -> tuple[str, ...]:
        deleted: list[str] = []
        for start in range(0, len(rels), 1000):  # DeleteObjects takes at most 1000 keys
            batch = rels[start:start + 1000]
            with self._errors("deleting stale objects"):
                reply = self.client.delete_objects(
                    Bucket=self.target.bucket,
                    Delete={"Objects": [{"Key": self.key(rel)} for rel in batch], "Quiet": True})
            refused = {item.get("Key") for item in reply.get("Errors", [])}
            deleted += [rel for rel in batch if self.key(rel) not in refused]
        return tuple(deleted)


def _md5(path: Path) -> Any:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest


def multipart_etag(path: Path, part_size: int) -> str:
    """The ETag S3 gives a multipart upload: MD5 of the parts' MD5s, a dash, the count."""
    parts = []
    with path.open("rb") as handle:
        while chunk := handle.read(part_size):
            parts.append(hashlib.md5(chunk).digest())
    return f"{hashlib.md5(b''.join(parts)).hexdigest()}-{len(parts)}"
