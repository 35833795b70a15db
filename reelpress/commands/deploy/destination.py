"""What a DEST argument means: a local folder, an SSH target or an object-storage prefix.

The rule, short enough to remember and documented in docs/deploy.md:

- `s3://bucket/prefix` is object storage;
- `ssh://[user@]host[:port]/path` is SSH;
- `user@host:path`, `host:/absolute/path` and `host:~/path` are SSH (rsync's syntax);
- anything else is a local folder, so `backup:2025` or `./a:b` is a folder named so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

_HOST = r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])"
_USER = r"[^@/\s:]+"
_WITH_USER = re.compile(rf"^(?P<login>{_USER}@{_HOST}):(?P<path>.*)$")
_HOST_ONLY = re.compile(rf"^(?P<login>{_HOST}):(?P<path>[/~].*)$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class FolderTarget:
    path: str

    @property
    def label(self) -> str:
        return self.path


@dataclass(frozen=True)
class SshTarget:
    login: str  # host or user@host, as ssh takes it
    path: str  # the remote folder, as the remote shell reads it
    port: int | None = None

    @property
    def label(self) -> str:
        if self.port is not None:
            return f"ssh://{self.login}:{self.port}/{self.path.lstrip('/')}"
        return f"{self.login}:{self.path}"


@dataclass(frozen=True)
class S3Target:
    bucket: str
    prefix: str  # '' or 'some/prefix/' (always ending in a slash)

    @property
    def label(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


Target = FolderTarget | SshTarget | S3Target


class DestinationError(ValueError):
    """DEST cannot be used; the message says how to write it."""


def parse_destination(dest: str) -> Target:
    """Classify DEST by the rule in this module's docstring; raises `DestinationError`."""
    if dest.startswith("s3://"):
        return _s3_target(dest)
    if dest.startswith("ssh://"):
        return _ssh_url_target(dest)
    match = _WITH_USER.match(dest) or _HOST_ONLY.match(dest)
    if match:
        return SshTarget(match.group("login"), match.group("path"))
    if not dest.strip():
        raise DestinationError("DEST is empty: give a folder, host:/path or s3://bucket/")
    return FolderTarget(dest)


def looks_like_ssh(dest: str) -> bool:
    """`host:path` read as a local folder (no user, relative path): worth a note."""
    head, colon, _rest = dest.partition(":")
    return bool(colon) and "/" not in head and len(head) > 1


def _s3_target(dest: str) -> S3Target:
    rest = dest[len("s3://") :]
    bucket, _slash, prefix = rest.partition("/")
    if not _BUCKET.match(bucket):
        raise DestinationError(f"{dest!r}: {bucket!r} is not an S3 bucket name")
    prefix = prefix.strip("/")
    if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
        raise DestinationError(f"{dest!r}: the prefix may not contain '.', '..' or '//'")
    return S3Target(bucket, prefix + "/" if prefix else "")


def _ssh_url_target(dest: str) -> SshTarget:
    parts = urlsplit(dest)
    try:
        port = parts.port
    except ValueError:
        raise DestinationError(f"{dest!r}: the port is not a number from 1 to 65535") from None
    host = parts.netloc.rpartition("@")[2]
    if port is not None:
        host = host[: -len(f":{port}")]
    if not re.fullmatch(_HOST, host) or (parts.username and not re.fullmatch(_USER,
                                                                            parts.username)):
        raise DestinationError(f"{dest!r}: expected ssh://[user@]host[:port]/path")
    login = f"{parts.username}@{host}" if parts.username else host
    path = parts.path
    if path.startswith("/~"):
        path = path[1:]  # ssh://host/~/www is relative to the home folder
    return SshTarget(login, path, port)
