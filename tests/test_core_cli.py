"""`python build.py` as a user runs it: exit codes, one line per problem, no tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitebuilder import (
    article,
    assert_no_traceback,
    problem_lines,
    read_page,
    run_cli,
    write_site,
)

GOOD = {f"content/s{n}.md": article(f"Story {n}", f"2025-06-0{n}", tags="[Harbour]")
        for n in range(1, 4)}


@pytest.mark.parametrize("args", [
    ("--no-such-flag",),
    ("build", "--jobs", "many"),
    ("deploy",),  # DEST is required
    ("serve", "--port", "eighty"),
])
def test_usage_errors_exit_2(args: tuple[str, ...], tmp_path: Path) -> None:
    process = run_cli(None, *args, "--root", str(tmp_path))
    assert process.returncode == 2
    assert "usage:" in process.stderr
    assert_no_traceback(process)
    assert not (tmp_path / "site").exists()


def test_help_exits_0() -> None:
    process = run_cli(None, "--help")
    assert process.returncode == 0
    assert "exit codes" in process.stdout


def test_template_error_in_base_reported_once(tmp_path: Path) -> None:
    """base.html is used by every page: the same problem is one line, not one per page."""
    from reelpress.render.theme import BUILTIN_THEMES
    base = (BUILTIN_THEMES / "default/templates/base.html").read_text(encoding="utf-8")
    broken = base.replace("<main id=\"main\" tabindex=\"-1\">",
                          "<main id=\"main\">{{ site.missing_setting }}")
    line = broken[:broken.index("missing_setting")].count("\n") + 1
    root = write_site(tmp_path, {**GOOD, "templates/base.html": broken})
    process = run_cli(root, "build")
    assert_no_traceback(process)
    assert process.returncode == 1
    assert problem_lines(process.stderr) == [
        f"templates/base.html:{line}: undefined variable: "
        "'dict object' has no attribute 'missing_setting' "
        "(rendering content/s1.md and 9 other output(s))"]


def test_template_error_in_partial_names_the_partial(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        **GOOD, "templates/partials/card.html": "<article>\n{{ card.title | nosuchfilter }}\n"})
    process = run_cli(root, "build")
    assert process.returncode == 1
    assert problem_lines(process.stderr) == [
        "templates/partials/card.html:2: template syntax error: No filter named 'nosuchfilter'."]


def test_missing_article_template_named_in_front_matter(tmp_path: Path) -> None:
    root = write_site(tmp_path, {**GOOD, "content/special.md": article(
        "Special", "2025-06-05", template="special.html")})
    process = run_cli(root, "build")
    assert_no_traceback(process)
    assert process.returncode == 1
    [line] = problem_lines(process.stderr)
    assert "template not found: special.html" in line


def test_warnings_go_to_stderr_and_do_not_fail(tmp_path: Path) -> None:
    root = write_site(tmp_path, {**GOOD, "content/typo.md": article(
        "Typo", "2025-06-05", titel="x", image_alt='"nothing"')})
    process = run_cli(root, "build")
    assert process.returncode == 0, process.stderr
    assert problem_lines(process.stderr) == [
        "content/typo.md:4: warning: unknown front matter key 'titel' (did you mean 'title'?)"]
    strict = run_cli(root, "build", "--strict")
    assert strict.returncode == 1
    assert "1 warning(s) with --strict" in strict.stderr


def test_quiet_hides_warnings_but_not_errors(tmp_path: Path) -> None:
    root = write_site(tmp_path, {**GOOD, "content/typo.md": article("T", "2025-06-05", x="1"),
                                 "content/bad.md": article("B", "someday")})
    process = run_cli(root, "build", "-q")
    assert process.returncode == 1
    lines = problem_lines(process.stderr)
    assert lines == ["content/bad.md:3: date: expected a date like 2025-07-04, got 'someday' "
                     "(or a date and time like 2025-07-04 18:30:00+02:00)"]


def test_new_starts_a_draft_that_builds_with_drafts(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/a.md": article("A", "2025-07-01")})
    created = run_cli(tmp_path, "new", 'Storm "hits" Lyon')
    assert created.returncode == 0, created.stderr
    draft = tmp_path / "content" / "storm-hits-lyon.md"
    assert 'title: "Storm \\"hits\\" Lyon"' in draft.read_text()
    assert run_cli(tmp_path, "build").returncode == 0
    assert not (tmp_path / "site" / "storm-hits-lyon").exists()
    assert run_cli(tmp_path, "build", "--drafts").returncode == 0
    page = read_page(tmp_path / "site", "storm-hits-lyon/index.html")
    assert page.find("h1").text() == 'Storm "hits" Lyon'
    again = run_cli(tmp_path, "new", 'Storm "hits" Lyon')
    assert again.returncode == 1 and "already exists" in again.stderr
