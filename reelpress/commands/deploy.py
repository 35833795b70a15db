"""Publish a built site: to a local folder (content-hash manifest) or over SSH with rsync.

Local folders (a `gh-pages` worktree, a mounted web root) get an incremental,
ownership-aware copy; see `deploy_local` for exactly what is touched. A
`[user@]host:path` destination is mirrored with `rsync -az --delete --checksum`.
Every failure comes back as data in `DeployResult` (message and hint), never as
a traceback, and a site with broken internal links is not published unless forced.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from reelpress.commands.check import CheckReport, check_site
from reelpress.commands.deploy_local import LocalPlan, apply_plan, plan_local, site_files
from reelpress.core.diagnostics import Diagnostic, error

__all__ = [
    "DeployError",
    "DeployResult",
    "LocalPlan",
    "deploy",
    "deploy_local",
    "deploy_result",
    "deploy_rsync",
    "is_remote",
    "rsync_command",
]

# [user@]host:path, as rsync and scp read it. Without a user, a one-letter host
# would be a Windows drive (C:\...); a slash before the colon means a local path.
_REMOTE = re.compile(
    r"^(?:[^@/\s]+@(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])"
    r"|[A-Za-z0-9._-]{2,}|\[[0-9A-Fa-f:.]+\]):(?P<path>.*)$"
)
# Without --protect-args (missing from old and BSD rsyncs), the remote shell
# splits the path: allow only characters that mean nothing to a shell.
_SAFE_REMOTE_PATH = re.compile(r"^[A-Za-z0-9._~/+=,@%-]+$")
_RISKY_REMOTE_PATHS = {"", ".", "~", "~/", "/", "./"}


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did (or, with `dry_run`, would do); `error` is set when it failed."""

    destination: str
    method: str  # "copy", "rsync" or "" when nothing ran
    copied: int = 0
    unchanged: int = 0
    deleted: int = 0
    copied_paths: tuple[str, ...] = ()
    deleted_paths: tuple[str, ...] = ()
    kept_stale_paths: tuple[str, ...] = ()
    dry_run: bool = False
    check_report: CheckReport | None = None
    error: str = ""
    hint: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def summary(self) -> str:
        """One line for the terminal."""
        if self.error:
            hint = f" ({self.hint})" if self.hint else ""
            return f"deploy to {self.destination} failed: {self.error}{hint}"
        verb = "would deploy" if self.dry_run else "deployed"
        text = (
            f"{verb} to {self.destination}: {self.copied} copied, "
            f"{self.unchanged} unchanged, {self.deleted} deleted"
        )
        if self.kept_stale_paths:
            text += f", {len(self.kept_stale_paths)} stale kept"
        if self.check_report is not None and not self.check_report.ok:
            text += f" (forced past {len(self.check_report.broken)} broken reference(s))"
        return text

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Broken links found by the pre-deploy check, then the failure itself."""
        found = list(self.check_report.diagnostics()) if self.check_report else []
        if self.error:
            found.append(error("", None, f"deploy to {self.destination}: {self.error}", self.hint))
        return tuple(found)


class DeployError(Exception):
    """`deploy` did not publish; `result` holds the reason, hint and any broken links."""

    def __init__(self, result: DeployResult) -> None:
        self.result = result
        lines = [result.summary()]
        if result.check_report is not None:
            label = result.check_report.site_label
            lines += ["  " + problem.format(label) for problem in result.check_report.broken]
        super().__init__("\n".join(lines))


def is_remote(destination: str) -> bool:
    """True for `user@host:path` / `host:path` (rsync over SSH)."""
    return bool(_REMOTE.match(destination))


def deploy(
    site_dir: Path,
    dest: str,
    *,
    dry_run: bool = False,
    delete: bool = True,
    force: bool = False,
    check: bool = True,
    base_path: str = "/",
    base_url: str | None = None,
) -> DeployResult:
    """Check the site, then copy it to `dest` (local folder) or rsync it (`user@host:path`).

    `force` deploys despite broken links and lets a local deploy overwrite files
    it did not put there. `check=False` skips the link check entirely. Raises
    `DeployError` (carrying the `DeployResult`) when nothing or not everything
    was published; `deploy_result` returns that result instead of raising.
    """
    result = deploy_result(
        site_dir,
        dest,
        dry_run=dry_run,
        delete=delete,
        force=force,
        check=check,
        base_path=base_path,
        base_url=base_url,
    )
    if not result.ok:
        raise DeployError(result)
    return result


def deploy_result(
    site_dir: Path,
    dest: str,
    *,
    dry_run: bool = False,
    delete: bool = True,
    force: bool = False,
    check: bool = True,
    base_path: str = "/",
    base_url: str | None = None,
) -> DeployResult:
    """`deploy` with failures returned as data (`result.ok`, `error`, `hint`)."""
    site_dir = Path(site_dir)
    if not site_dir.is_dir():
        return DeployResult(
            dest, "", error=f"no built site at {site_dir}", hint="run `python build.py` first"
        )
    report = None
    if check:
        report = check_site(site_dir, base_path=base_path, base_url=base_url)
        if not report.ok and not force:
            return DeployResult(
                dest,
                "",
                check_report=report,
                dry_run=dry_run,
                error=f"{len(report.broken)} broken reference(s) in the site",
                hint="fix them, or deploy anyway with --no-check",
            )
    if is_remote(dest):
        result = deploy_rsync(site_dir, dest, delete=delete, dry_run=dry_run)
    else:
        result = deploy_local(site_dir, Path(dest), delete=delete, dry_run=dry_run, force=force)
    return _with_report(result, report)


def _with_report(result: DeployResult, report: CheckReport | None) -> DeployResult:
    return replace(result, check_report=report)


# --- local folder ---------------------------------------------------------------------------


def deploy_local(
    site_dir: Path, dest: Path, *, delete: bool = True, dry_run: bool = False, force: bool = False
) -> DeployResult:
    """Copy changed files into `dest`, decided by content hash; keep unknown files.

    - A file whose hash matches the destination is not copied (its mtime stays).
    - `delete` removes files a previous deploy put there (listed in
      `.reelpress-manifest.json`) that are gone from the site. Files reelpress
      never deployed (`CNAME`, `.git/`, a hand-made `404.html`) are never deleted;
      with `delete=False` stale files stay and stay listed, so a later run can
      remove them.
    - Overwriting a file reelpress did not deploy, with different content, is
      refused unless `force` (a first deploy into a non-empty folder).
    - Each file is written to a temporary name and renamed over the old one.
    """
    label = str(dest)
    problem = _unsafe_local_destination(Path(site_dir), Path(dest))
    if problem:
        return DeployResult(label, "copy", error=problem[0], hint=problem[1])
    try:
        plan = plan_local(Path(site_dir), Path(dest), delete=delete)
    except OSError as failure:
        return DeployResult(label, "copy", error=f"cannot read files: {failure}")
    if plan.conflicts and not force:
        shown = ", ".join(plan.conflicts[:5]) + (" ..." if len(plan.conflicts) > 5 else "")
        return DeployResult(
            label,
            "copy",
            dry_run=dry_run,
            error=f"would overwrite {len(plan.conflicts)} file(s) it did not deploy: {shown}",
            hint="deploy into an empty folder, or use --force to overwrite them",
        )
    failures: tuple[str, ...] = ()
    if not dry_run:
        try:
            failures = apply_plan(plan, Path(site_dir), Path(dest))
        except OSError as failure:
            return DeployResult(label, "copy", error=f"cannot write to {dest}: {failure}")
    result = DeployResult(
        label,
        "copy",
        copied=len(plan.copy) - len(failures),
        unchanged=len(plan.unchanged),
        deleted=len(plan.delete),
        copied_paths=tuple(path for path in plan.copy if path not in failures),
        deleted_paths=plan.delete,
        kept_stale_paths=plan.keep,
        dry_run=dry_run,
    )
    if failures:
        return DeployResult(
            **{
                **result.__dict__,
                "error": f"could not write {len(failures)} file(s): {failures[0]}",
            }
        )
    return result


def _unsafe_local_destination(site_dir: Path, dest: Path) -> tuple[str, str] | None:
    """Refuse destinations where copying would eat the source or the project."""
    site_real, dest_real = site_dir.resolve(), dest.resolve()
    if dest_real == site_real or site_real in dest_real.parents:
        return f"{dest} is inside the site folder {site_dir}", "choose a folder outside it"
    if dest_real in site_real.parents:
        return f"{dest} contains the site folder {site_dir}", "choose a separate folder"
    if dest.exists() and not dest.is_dir():
        return f"{dest} exists and is not a folder", "give a folder path"
    return None


# --- rsync over SSH -------------------------------------------------------------------------


def rsync_command(
    site_dir: Path, dest: str, *, delete: bool = True, dry_run: bool = False, rsync: str = "rsync"
) -> list[str]:
    """The argument list (no shell) that mirrors `site_dir`'s contents into `dest`.

    The trailing slash on the source copies the folder's contents, not the folder.
    `--checksum` compares content, since every build gives files new mtimes.
    """
    command = [rsync, "-az", "--checksum"]
    if delete:
        command.append("--delete")
    if dry_run:
        command.append("--dry-run")
    command += ["--out-format=%i %n", "--", str(site_dir).rstrip("/") + "/", dest]
    return command


def _remote_problem(dest: str) -> tuple[str, str] | None:
    match = _REMOTE.match(dest)
    path = match.group("path") if match else dest
    if path in _RISKY_REMOTE_PATHS:
        return (
            f"refusing to mirror into {dest!r}: --delete would empty that whole folder",
            "name the web root explicitly, e.g. user@host:/var/www/site/",
        )
    if not _SAFE_REMOTE_PATH.match(path):
        return (
            f"remote path {path!r} has spaces or shell characters",
            "use a path of letters, digits and ./_-~",
        )
    return None


def _count_rsync_output(stdout: str) -> tuple[list[str], list[str]]:
    """Copied and deleted file names from `--out-format=%i %n` lines."""
    copied, deleted = [], []
    for line in stdout.splitlines():
        if line.startswith("*deleting"):
            name = line[len("*deleting") :].strip()
            if not name.endswith("/"):
                deleted.append(name)
        elif len(line) > 12 and line[0] in "<>" and line[1] == "f":
            copied.append(line[12:])
    return copied, deleted


def deploy_rsync(
    site_dir: Path, dest: str, *, delete: bool = True, dry_run: bool = False
) -> DeployResult:
    """Mirror the site with rsync; `dest` is `user@host:path` (or, for tests, a local path)."""
    site_dir = Path(site_dir)
    if is_remote(dest):
        problem = _remote_problem(dest)
        if problem:
            return DeployResult(dest, "rsync", error=problem[0], hint=problem[1])
    rsync = shutil.which("rsync")
    if rsync is None:
        return DeployResult(
            dest,
            "rsync",
            error="rsync is not installed",
            hint="install it (apt install rsync, brew install rsync) or deploy to a local folder",
        )
    command = rsync_command(site_dir, dest, delete=delete, dry_run=dry_run, rsync=rsync)
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        detail = (run.stderr.strip().splitlines() or ["no output"])[-1]
        hint = (
            f"check that `ssh {dest.split(':', 1)[0]}` works (host name, keys)"
            if run.returncode == 255
            else "see rsync's message"
        )
        return DeployResult(
            dest, "rsync", error=f"rsync exited with {run.returncode}: {detail}", hint=hint
        )
    copied, deleted = _count_rsync_output(run.stdout)
    total = len(site_files(site_dir))
    return DeployResult(
        dest,
        "rsync",
        copied=len(copied),
        unchanged=max(0, total - len(copied)),
        deleted=len(deleted),
        copied_paths=tuple(sorted(copied)),
        deleted_paths=tuple(sorted(deleted)),
        dry_run=dry_run,
    )
