"""Deploy over SSH to a real sshd on 127.0.0.1 (rsync on both ends), as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from deploy_servers import EXTRA_ARTICLE, SshServer, demo_project, sshd, tree
from sitebuilder import assert_no_traceback, run_cli

from reelpress.commands.deploy import RECORD_NAME, DeploySettings, deploy_result
from reelpress.commands.deploy.destination import parse_destination
from reelpress.commands.deploy.ledger import RECORDS_FOLDER, record_path

__all__ = ["sshd"]  # the fixture, imported for pytest

UNRELATED = {
    "CNAME": b"news.example.org\n",
    ".well-known/acme-challenge/token": b"verification\n",
    "uploads/team/plan.pdf": b"%PDF-1.4 not ours\n",
}


def local_record(project: Path, dest: str) -> Path:
    return record_path(project / RECORDS_FOLDER, parse_destination(dest))


def write_files(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, sshd: SshServer) -> Path:
    root = demo_project(tmp_path_factory, tmp_path / "project")
    with (root / "site.toml").open("a") as config:
        config.write(f'\n[deploy]\nssh_command = "{sshd.ssh_command}"\n')
    return root


def test_ssh_deploy_keeps_unrelated_files_copies_nothing_twice_and_deletes_one_article(
    project: Path, tmp_path: Path
) -> None:
    www = tmp_path / "srv" / "www"
    write_files(www, UNRELATED)
    dest = f"localtest:{www}"

    first = run_cli(project, "deploy", dest)
    assert first.returncode == 0, first.stderr
    site_v1 = tree(project / "site")
    assert f"deployed to {dest}: {len(site_v1)} copied, 0 unchanged, 0 deleted" in first.stdout
    assert tree(www) == {**site_v1, **UNRELATED}
    assert not list(www.rglob(".reelpress*"))  # no record (or temp file) published
    record = json.loads(local_record(project, dest).read_text())
    assert sorted(record["files"]) == sorted(site_v1)  # only this site's public files

    stamps = {p: p.stat().st_mtime_ns for p in www.rglob("*") if p.is_file()}
    second = run_cli(project, "deploy", dest)
    assert second.returncode == 0, second.stderr
    assert f"0 copied, {len(site_v1)} unchanged, 0 deleted" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in www.rglob("*") if p.is_file()} == stamps

    (project / EXTRA_ARTICLE).unlink()
    plan = run_cli(project, "deploy", dest, "--dry-run")
    assert plan.returncode == 0, plan.stderr
    site_v2 = tree(project / "site")
    gone = sorted(set(site_v1) - set(site_v2))
    assert "council-vote/index.html" in gone and any(p.startswith("media/council") for p in gone)
    assert [line[len("delete "):] for line in plan.stdout.splitlines()
            if line.startswith("delete ")] == gone
    assert tree(www) == {**site_v1, **UNRELATED}  # a dry run changes nothing

    third = run_cli(project, "deploy", dest)
    assert third.returncode == 0, third.stderr
    assert f"{len(gone)} deleted" in third.stdout
    assert tree(www) == {**site_v2, **UNRELATED}
    assert not (www / "council-vote").exists()  # the folder it left empty went too
    assert (www / "uploads/team/plan.pdf").is_file()
    assert_no_traceback(third)


def test_ssh_record_entry_dotdot_victim_is_refused_on_the_server(
    project: Path, tmp_path: Path, sshd: SshServer
) -> None:
    www = tmp_path / "www"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    first = run_cli(project, "deploy", f"localtest:{www}")
    assert first.returncode == 0, first.stderr
    kept = local_record(project, f"localtest:{www}")
    record = json.loads(kept.read_text())
    record["files"]["../victim.txt"] = {"sha256": "0" * 64, "size": 8}
    kept.unlink()  # as an older reelpress left it: in the web root
    (www / RECORD_NAME).write_text(json.dumps(record, indent=1))
    refused = run_cli(project, "deploy", f"localtest:{www}")
    assert refused.returncode == 1
    assert "entry '../victim.txt' leaves the destination" in refused.stderr
    assert f"{www}/{RECORD_NAME}:" in refused.stderr  # file:line of the bad entry
    assert victim.read_text() == "precious"
    assert_no_traceback(refused)
    del record["files"]["../victim.txt"]
    (www / RECORD_NAME).write_text(json.dumps(record, indent=1))
    moved = run_cli(project, "deploy", f"localtest:{www}")
    assert moved.returncode == 0, moved.stderr
    assert not (www / RECORD_NAME).exists() and kept.is_file()  # moved into the project


def test_ssh_deletion_through_a_symlink_out_of_the_web_root_is_refused(
    project: Path, tmp_path: Path, sshd: SshServer
) -> None:
    """A record entry inside the root whose folder is a symlink to elsewhere on the server."""
    www, outside = tmp_path / "www", tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("precious")
    assert run_cli(project, "deploy", f"localtest:{www}").returncode == 0
    (www / "linked").symlink_to(outside)
    kept = local_record(project, f"localtest:{www}")
    record = json.loads(kept.read_text())
    record["files"]["linked/victim.txt"] = {"sha256": "0" * 64, "size": 8}
    kept.write_text(json.dumps(record, indent=1))
    refused = run_cli(project, "deploy", f"localtest:{www}")
    assert refused.returncode == 1
    assert "linked/victim.txt: its folder leads outside" in refused.stderr
    assert (outside / "victim.txt").read_text() == "precious"


def test_ssh_url_with_port_and_a_refusing_host(project: Path, tmp_path: Path,
                                               sshd: SshServer) -> None:
    settings = DeploySettings(ssh_command=sshd.ssh_command)
    site = project / "site"
    www = tmp_path / "www"
    # ssh://host:port/path: the port from the URL (the alias' own port is overridden)
    done = deploy_result(site, f"ssh://localtest:{sshd.port}{www}", settings=settings)
    assert done.ok, done.summary()
    assert done.method == "rsync" and done.copied == len(tree(site))
    closed = deploy_result(site, f"ssh://localtest:1{www}", settings=settings)
    assert not closed.ok
    assert closed.error.startswith("ssh to localtest failed while reading the deploy record")
    assert "Connection refused" in closed.error and "-p 1 localtest true" in closed.hint


def test_missing_ssh_is_a_clear_error(project: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = deploy_result(project / "site", "deploy@example.org:/var/www/news",
                           check=False)
    assert (result.error, result.hint.split(" (")[0]) == ("ssh is not installed", "install it")


def test_risky_remote_paths_are_refused_before_connecting(project: Path) -> None:
    for dest in ("u@host:", "u@host:~", "host:/", "u@host:/var/www/my site",
                 "u@h1:/x;rm -rf ~"):
        result = deploy_result(project / "site", dest, check=False)
        assert not result.ok and result.method == "rsync", dest
        assert "refusing" in result.error or "shell characters" in result.error
