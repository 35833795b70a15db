"""`[deploy]` in site.toml: limits and per-destination knobs, validated like other tables.

Credentials never live here: object storage takes them from the standard AWS chain
(environment, ~/.aws, instance roles) and SSH from the user's keys and ~/.ssh/config.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from reelpress.core.config import SiteConfig, key_line, read_config_text, settings_from_section
from reelpress.core.diagnostics import Diagnostic, error
from reelpress.core.project import ProjectPaths

IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class DeploySettings:
    """Every `[deploy]` key; defaults suit a site deployed by hand or from CI."""

    max_deletes: int = 256  # a plan deleting more is refused unless --force-deletes
    endpoint_url: str = ""  # S3-compatible stores (R2, B2, MinIO, GCS) name theirs
    region: str = ""
    ssh_command: str = "ssh"  # e.g. "ssh -p 2222 -i ~/.ssh/deploy"
    cache_control: str = "public, max-age=300"  # HTML, feeds, sitemap: checked back often
    immutable_cache_control: str = IMMUTABLE  # fingerprinted assets, content-addressed media
    uploads: int = 8  # parallel uploads to object storage

    def problems(self) -> list[tuple[str, str]]:
        found = []
        if self.max_deletes < 0:
            found.append(("max_deletes", "must be 0 or more"))
        if self.uploads < 1 or self.uploads > 64:
            found.append(("uploads", "must be from 1 to 64"))
        if self.endpoint_url:
            parts = urlsplit(self.endpoint_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                found.append(("endpoint_url", "expected an http(s) URL"))
        try:
            if not shlex.split(self.ssh_command):
                found.append(("ssh_command", "is empty"))
        except ValueError as failure:
            found.append(("ssh_command", f"cannot be split into words ({failure})"))
        for name in ("cache_control", "immutable_cache_control"):
            value = getattr(self, name)
            if not value.strip() or any(ch in value for ch in "\r\n"):
                found.append((name, "must be one non-empty line"))
        return found


def deploy_settings(
    paths: ProjectPaths, config: SiteConfig
) -> tuple[DeploySettings | None, tuple[Diagnostic, ...]]:
    """`[deploy]` of the validated config, every problem at its line of site.toml."""
    text = read_config_text(paths)
    where = paths.relative(paths.config_file)
    settings, problems = settings_from_section(config, "deploy", DeploySettings, text, where)
    found = list(problems)
    for name, message in settings.problems():
        found.append(error(where, key_line(text, name, "deploy"), f"[deploy] {name}: {message}"))
    return (None if any(p.is_error for p in found) else settings), tuple(found)
