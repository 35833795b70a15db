"""The style guide's structural rules, checked: short modules, and stages that never
import the orchestrator or the command line (only the preview server, which drives
builds, may import the pipeline)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reelpress"
MAX_LINES = 500
ORCHESTRATORS = {"reelpress.pipeline", "reelpress.cli"}
ALLOWED = {"reelpress/cli.py", "reelpress/pipeline.py", "reelpress/serve/preview.py"}


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_is_longer_than_the_cap() -> None:
    too_long = {str(p.relative_to(PACKAGE.parent)): n for p in modules()
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not too_long


def test_stages_do_not_import_the_orchestrator() -> None:
    offenders = {}
    for path in modules():
        rel = path.relative_to(PACKAGE.parent).as_posix()
        if rel in ALLOWED:
            continue
        bad = imported_names(path) & ORCHESTRATORS
        if bad:
            offenders[rel] = sorted(bad)
    assert not offenders
