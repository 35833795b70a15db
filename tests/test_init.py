"""`reelpress init DIR` from an installed package (a wheel built from this checkout,
installed outside the clone), then `reelpress build` and `reelpress check` in the new
site; plus the command line's own messages: usage names, --help per subcommand."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sitebuilder import REPO, assert_no_traceback, read_page, run_cli


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """reelpress built into a wheel from a copy of the sources and installed into a
    folder of its own: the tests below never import the clone."""
    work = tmp_path_factory.mktemp("install")
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "reelpress", source / "reelpress",
                    ignore=shutil.ignore_patterns("__pycache__"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"),
                    str(source)], check=True, capture_output=True, timeout=300)
    [wheel] = (work / "dist").glob("reelpress-*.whl")
    target = work / "target"
    subprocess.run([*pip, "install", "--no-deps", "--no-compile", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    return target


def _env(installed: Path) -> dict[str, str]:
    # the installed copy comes first; the dependencies come from this interpreter
    return dict(os.environ, PYTHONPATH=str(installed), PYTHONDONTWRITEBYTECODE="1")


def reelpress(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed / "bin" / "reelpress"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=_env(installed))


def test_init_build_check_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run([sys.executable, "-c", "import reelpress; print(reelpress.__file__)"],
                           capture_output=True, text=True, env=_env(installed), cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(installed), where.stdout

    made = reelpress(installed, "init", "mysite", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "cd mysite && reelpress build" in made.stdout
    site = tmp_path / "mysite"
    assert {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} >= {
        "site.toml", "content/pages/about.md", "media/harbour-at-dawn.jpg", ".gitignore",
        "build.py", "themes/README.md"}
    assert (site / ".gitignore").read_text().split() == ["site/", ".reelpress-cache/"]
    toml = (site / "site.toml").read_text()
    for key in ("language", "timezone", "theme", "per_page", "feed_entries", "faq_jsonld",
                "relative_urls", "ffmpeg", "related_stories", "[images]", "[video]", "[build]",
                "allow_html", "[[menu.main]]", "[extra]"):
        assert key in toml, key

    built = reelpress(installed, "build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "0 warnings" in built.stdout, built.stdout + built.stderr
    checked = reelpress(installed, "check", cwd=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no broken links" in checked.stdout

    [article] = (site / "site").glob("2*-welcome/index.html")
    page = read_page(site / "site", article.relative_to(site / "site").as_posix())
    assert len(page.find("section", class_="faq").find_all("details")) == 3
    assert page.find("div", class_="article__hero").find("span", class_="credit").text() == \
        "Photo: reelpress"
    about = read_page(site / "site", "about/index.html")
    assert about.jsonld_of("AboutPage")

    # the build.py shim in the new site runs the same installed reelpress
    shim = subprocess.run([sys.executable, "build.py", "--quiet"], cwd=site, capture_output=True,
                          text=True, timeout=300, env=_env(installed))
    assert shim.returncode == 0, shim.stderr


def test_usage_says_reelpress_when_run_as_reelpress(installed: Path, tmp_path: Path) -> None:
    wrong = reelpress(installed, "build", "--no-such-flag", cwd=tmp_path)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("usage: reelpress build ")
    assert "build.py" not in wrong.stderr
    helped = reelpress(installed, "--help", cwd=tmp_path)
    assert helped.stdout.startswith("usage: reelpress ") and "build.py" not in helped.stdout
    assert "reelpress init mysite" in helped.stdout
    shimmed = run_cli(None, "build", "--no-such-flag")
    assert shimmed.stderr.startswith("usage: python build.py build ")
    typo = reelpress(installed, "biuld", cwd=tmp_path)  # not read as arguments of build
    assert typo.returncode == 2
    assert typo.stderr.splitlines()[-1] == \
        "reelpress: error: unknown command 'biuld' (did you mean 'build'?)"


def test_init_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "site.toml").write_text("# mine\n")
    refused = run_cli(None, "init", str(target))
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr and "--force" in refused.stderr
    assert_no_traceback(refused)
    assert sorted(p.name for p in target.iterdir()) == ["site.toml"]
    forced = run_cli(None, "init", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (target / "site.toml").read_text() == "# mine\n"  # never overwritten
    assert "kept existing: site.toml" in forced.stdout
    assert (target / "content/pages/about.md").is_file()


def test_init_title_is_escaped_in_toml(tmp_path: Path) -> None:
    title = 'The "Quoted" \\ Gazette'
    made = run_cli(None, "init", str(tmp_path / "q"), "--title", title)
    assert made.returncode == 0, made.stderr
    built = run_cli(tmp_path / "q", "build")
    assert built.returncode == 0, built.stderr
    [website] = read_page(tmp_path / "q/site", "index.html").jsonld_of("WebSite")
    assert website["name"] == title


OWN_OPTIONS = {
    "build": {"--root", "--drafts", "--future", "--base-url", "--force", "--strict", "--jobs"},
    "serve": {"--root", "--drafts", "--host", "--port", "--open"},
    "check": {"--root", "--base-url", "--strict"},  # --strict: publishing warnings fail
    "clean": {"--root"},
    "new": {"--root", "--slug"},
    "deploy": {"--root", "--dry-run", "--no-check", "--overwrite", "--drafts"},
    "init": {"--force", "--title"},
}
NOT_THEIRS = {
    "check": {"--drafts", "--future", "--force", "--jobs", "--host"},
    "clean": {"--drafts", "--base-url", "--force", "--jobs", "--strict"},
    "new": {"--drafts", "--base-url", "--force", "--strict", "--jobs"},
    "init": {"--root", "--drafts", "--base-url", "--strict", "--jobs"},
    "build": {"--host", "--port", "--dry-run", "--slug"},
}


@pytest.mark.parametrize("command", sorted(OWN_OPTIONS))
def test_each_subcommand_help_lists_only_its_options(command: str) -> None:
    helped = run_cli(None, command, "--help")
    assert helped.returncode == 0, helped.stderr
    listed = {word.rstrip(",") for word in helped.stdout.split() if word.startswith("--")}
    assert OWN_OPTIONS[command] <= listed
    assert not (NOT_THEIRS.get(command, set()) & listed), listed


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_serve_with_an_impossible_port_is_a_usage_error(port: str, tmp_path: Path) -> None:
    process = run_cli(tmp_path, "serve", "--port", port)
    assert process.returncode == 2
    assert_no_traceback(process)
    assert f"invalid port {int(port)}" in process.stderr


def test_init_skeleton_summary_counts(tmp_path: Path) -> None:
    """The build summary's numbers add up; a skipped draft is mentioned."""
    run_cli(None, "init", str(tmp_path / "s"))
    draft = tmp_path / "s/content/later.md"
    draft.write_text("---\ntitle: Later\ndate: 2025-01-01\ndraft: true\n---\nx\n")
    built = run_cli(tmp_path / "s", "build")
    assert built.returncode == 0, built.stderr
    summary = built.stdout.strip().splitlines()[-1]
    assert "1 draft skipped (--drafts to include)" in summary, summary
    pages = len(list((tmp_path / "s/site").rglob("*.html")))
    assert summary.startswith(f"built {pages} HTML pages ({pages} written, 0 unchanged), "
                              "1 media file (1 processed, 0 cached)"), summary
