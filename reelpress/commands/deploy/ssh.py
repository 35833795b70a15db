"""Deploy over SSH: rsync for the bytes, a short POSIX sh script for the bookkeeping.

rsync never runs with --delete: a dry run (`--checksum`) says which files differ,
`--files-from` uploads exactly the plan's files (rsync writes each to a temporary
name and renames it, so the remote side is atomic per file), and deletions are an
explicit list that the remote script checks against the web root's real path
first, so a symlink on the server cannot lead a deletion outside it.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

from reelpress.commands.deploy.contract import (
    Applied,
    BackendError,
    DeployPlan,
    Progress,
    State,
    Survey,
)
from reelpress.commands.deploy.destination import SshTarget
from reelpress.commands.deploy.record import RECORD_NAME, RecordEntry, SiteFile

# Without a full shell-quoting story on every rsync version, allow only characters
# that mean nothing to a shell in the remote path.
_SAFE_REMOTE_PATH = re.compile(r"^[A-Za-z0-9._~/+=,@%-]+$")
_RISKY_REMOTE_PATHS = {"", ".", "~", "~/", "/", "./"}
_BLOCKED = re.compile(r"could not make way for new (?:regular file|symlink): (?P<rel>.+)$")
_MARK = "reelpress:"


class SshBackend:
    method = "rsync"

    def __init__(self, target: SshTarget, ssh_command: str) -> None:
        self.target = target
        self.label = target.label
        self.ssh = shlex.split(ssh_command) + (["-p", str(target.port)] if target.port else [])

    # --- running ssh and rsync -----------------------------------------------------------

    def _check_tools(self) -> None:
        path = self.target.path
        if path in _RISKY_REMOTE_PATHS:
            raise BackendError(f"refusing to deploy into {path or 'the home folder'!r}",
                               "name the web root explicitly, e.g. user@host:/var/www/site")
        if not _SAFE_REMOTE_PATH.match(path):
            raise BackendError(f"remote path {path!r} has spaces or shell characters",
                               "use a path of letters, digits and ./_-~")
        for tool, package in ((self.ssh[0], "openssh-client"), ("rsync", "rsync")):
            if shutil.which(tool) is None:
                raise BackendError(f"{tool} is not installed",
                                   f"install it (apt install {package}, brew install {package})"
                                   " or deploy to a local folder")

    def _ssh_failed(self, run: subprocess.CompletedProcess[str], doing: str) -> BackendError:
        detail = (run.stderr.strip().splitlines() or ["no output"])[-1]
        command = " ".join(shlex.quote(word) for word in [*self.ssh, self.target.login, "true"])
        if run.returncode == 255:
            return BackendError(f"ssh to {self.target.login} failed while {doing}: {detail}",
                                f"check that `{command}` works (host, port, keys, known_hosts)")
        if "command not found" in run.stderr or run.returncode in (12, 127):
            return BackendError(f"rsync or sh failed on {self.target.login}: {detail}",
                                "install rsync on the server")
        return BackendError(f"{doing} failed (exit {run.returncode}): {detail}")

    def _remote_sh(self, script: str, doing: str) -> str:
        command = [*self.ssh, self.target.login, "sh -s"]
        run = subprocess.run(command, input=script, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise self._ssh_failed(run, doing)
        return run.stdout

    def _rsync_base(self) -> list[str]:
        shell = " ".join(shlex.quote(word) for word in self.ssh)
        return ["rsync", "-e", shell, "--out-format=%i|%n"]

    @property
    def _remote_dir(self) -> str:
        return f"{self.target.login}:{self.target.path.rstrip('/')}/"

    # --- the backend protocol ------------------------------------------------------------

    def read_record(self) -> str | None:
        self._check_tools()
        root = remote_sh_path(self.target.path)
        script = (f"cd -- {root} 2>/dev/null || {{ echo {_MARK}none; exit 0; }}\n"
                  f"if [ -f {RECORD_NAME} ]; then echo {_MARK}record; cat {RECORD_NAME};"
                  f" else echo {_MARK}none; fi\n")
        out = self._remote_sh(script, "reading the deploy record")
        head, _newline, body = out.partition("\n")
        return body if head == f"{_MARK}record" else None

    def survey(self, site_dir: Path, files: tuple[SiteFile, ...],
               record: Mapping[str, RecordEntry]) -> Survey:
        """Which files differ, by rsync's own content comparison (nothing is transferred)."""
        if not files:
            return Survey({})
        command = [*self._rsync_base(), "-a", "--checksum", "--dry-run",
                   "--files-from=-", "--from0", f"{site_dir}/", self._remote_dir]
        listing = "\0".join(item.rel for item in files)
        run = subprocess.run(command, input=listing, capture_output=True, text=True,
                             check=False)
        blocked = {m.group("rel") for line in run.stderr.splitlines()
                   if (m := _BLOCKED.search(line))}
        if run.returncode not in (0, 23) or (run.returncode == 23 and not blocked):
            raise self._ssh_failed(run, "comparing files")
        states = {item.rel: State.SAME for item in files}
        for line in run.stdout.splitlines():
            flags, _bar, rel = line.partition("|")
            if len(flags) > 2 and flags[0] in "<>" and flags[1] == "f" and rel in states:
                states[rel] = State.ABSENT if flags[2:].startswith("+++") else State.DIFFERS
        for rel in blocked:
            if rel in states:
                states[rel] = State.BLOCKED
        return Survey(states)

    def apply(self, plan: DeployPlan, files: tuple[SiteFile, ...], site_dir: Path,
              progress: Progress | None) -> Applied:
        deleted = self._delete(plan.delete)
        uploaded, failure = self._upload(plan, files, site_dir, progress)
        failed = tuple(rel for rel in plan.upload if rel not in set(uploaded))
        return Applied(tuple(uploaded), deleted, failed, failure=failure)

    def remove_record(self) -> None:
        script = (f"cd -- {remote_sh_path(self.target.path)} && rm -f -- {RECORD_NAME}\n")
        self._remote_sh(script, "removing the old deploy record")

    # --- steps ---------------------------------------------------------------------------

    def _delete(self, rels: tuple[str, ...]) -> tuple[str, ...]:
        """Create the web root, then delete the plan's files (all checked before any goes)."""
        out = self._remote_sh(delete_script(self.target.path, rels), "deleting stale files")
        outside = [line[len(f"{_MARK}outside ") :] for line in out.splitlines()
                   if line.startswith(f"{_MARK}outside ")]
        if outside:
            raise BackendError(
                f"{outside[0]}: its folder leads outside {self.target.path} on the server"
                " (through a symlink); nothing was deleted",
                "remove that symlink on the server")
        return tuple(line[len(f"{_MARK}deleted ") :] for line in out.splitlines()
                     if line.startswith(f"{_MARK}deleted "))

    def _upload(self, plan: DeployPlan, files: tuple[SiteFile, ...], site_dir: Path,
                progress: Progress | None) -> tuple[list[str], str]:
        if not plan.upload:
            return [], ""
        sizes = {item.rel: item.size for item in files}
        command = [*self._rsync_base(), "-a", "-I", "--files-from=-", "--from0",
                   f"{site_dir}/", self._remote_dir]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        assert process.stdin and process.stdout and process.stderr
        stdin = process.stdin

        def feed() -> None:
            stdin.write("\0".join(plan.upload))
            stdin.close()

        errors: list[str] = []
        reader = threading.Thread(target=lambda: errors.extend(process.stderr or []))
        writer = threading.Thread(target=feed)
        writer.start()
        reader.start()
        wanted, uploaded, done_bytes = set(plan.upload), [], 0
        for line in process.stdout:
            flags, _bar, rel = line.rstrip("\n").partition("|")
            if len(flags) > 1 and flags[1] == "f" and rel in wanted:
                uploaded.append(rel)
                done_bytes += sizes.get(rel, 0)
                if progress:
                    progress(len(uploaded), len(plan.upload), done_bytes, plan.upload_bytes)
        writer.join()
        reader.join()
        code = process.wait()
        if code != 0:
            run = subprocess.CompletedProcess(command, code, "", "".join(errors))
            if code == 255 or not uploaded:
                raise self._ssh_failed(run, "uploading")
            return uploaded, self._ssh_failed(run, "uploading").message
        return uploaded, ""


def remote_sh_path(path: str) -> str:
    """`path` quoted for the remote sh, keeping `~` meaning the home folder."""
    if path == "~":
        return '"$HOME"'
    if path.startswith("~/"):
        return '"$HOME"/' + shlex.quote(path[2:])
    return shlex.quote(path)


def delete_script(root: str, rels: tuple[str, ...]) -> str:
    """POSIX sh: make the web root, refuse if any target's folder resolves outside it,
    then delete each target and the folders that leaves empty."""
    quoted = " ".join(shlex.quote(rel) for rel in rels)
    return f"""set -u
mkdir -p -- {remote_sh_path(root)} || exit 3
root=$(cd -P -- {remote_sh_path(root)} && pwd -P) || exit 3
cd -- "$root" || exit 3
inside() {{
  d=$(cd -P -- "$(dirname -- "$1")" 2>/dev/null && pwd -P) || return 0
  case "$d/" in "$root"/*) return 0;; esac
  return 1
}}
bad=0
for f in {quoted}; do
  if ! inside "$f"; then echo "{_MARK}outside $f"; bad=1; fi
done
[ "$bad" = 0 ] || exit 0
for f in {quoted}; do
  if [ -L "$f" ] || [ -f "$f" ]; then
    rm -f -- "$f" && echo "{_MARK}deleted $f"
    rmdir -p -- "$(dirname -- "$f")" 2>/dev/null
  fi
done
exit 0
"""
