"""[video] and [images] of site.toml are checked once, with lines, all problems at once."""

from __future__ import annotations

from pathlib import Path

from sitebuilder import SITE_TOML, article, assert_no_traceback, problem_lines, run_cli, write_site


def test_media_tables_report_every_problem_with_its_line(tmp_path: Path) -> None:
    toml = SITE_TOML + ('\n[video]\ncrf = "high"\nmax_height = 721\n'
                        '\n[images]\nwidths = []\nwebpp = true\n')
    write_site(tmp_path, {"content/a.md": article("A", "2025-07-01")}, site_toml=toml)
    lines = toml.splitlines()
    process = run_cli(tmp_path, "build")
    assert process.returncode == 1
    assert_no_traceback(process)
    problems = problem_lines(process.stderr)

    def line_of(text: str) -> int:
        return lines.index(text) + 1

    crf_line = line_of('crf = "high"')
    assert f"site.toml:{crf_line}: [video] crf: expected a whole number, got 'high'" in problems
    assert any(p.startswith(f"site.toml:{line_of('max_height = 721')}: [video] max_height")
               for p in problems)
    assert any(p.startswith(f"site.toml:{line_of('widths = []')}: [images] widths")
               for p in problems)
    assert any("unknown key 'webpp'" in p and "did you mean 'webp'" in p for p in problems)
    assert not (tmp_path / "site").exists()


def test_build_table_keys_are_checked(tmp_path: Path) -> None:
    toml = SITE_TOML + '\n[build]\nallow_htm = true\n'
    write_site(tmp_path, {"content/a.md": article("A", "2025-07-01")}, site_toml=toml)
    process = run_cli(tmp_path, "build", "--strict")
    assert process.returncode == 1
    line = toml.splitlines().index("allow_htm = true") + 1
    assert f"site.toml:{line}: warning: [build] unknown key 'allow_htm' " \
           "(did you mean 'allow_html'?)" in problem_lines(process.stderr)
