"""The style guide's structural rules, checked: short modules, and the layering of the
stages stated as data (which folder may import which); any import that goes upward, or
sideways where the table does not allow it, fails."""

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


# Lowest first. Each unit (a folder of reelpress/, or a top-level module) may import the
# units listed for it, and itself; `reelpress` (the package root: its version) is free.
STAGES = ("core", "content", "markup", "structured", "media", "render", "output")
MAY_IMPORT: dict[str, set[str]] = {
    "core": set(),
    "content": {"core"},
    "markup": {"core"},
    "structured": {"core"},
    "media": {"core", "content", "markup", "structured"},
    "render": {"core", "content", "markup", "structured", "media"},
    "output": {"core", "render"},            # theme static files, the search index
    "build": set(STAGES),                    # the engine runs the stages
    "commands": set(STAGES),                 # check, deploy, new, init
    "pipeline": {*STAGES, "build"},          # the checklist
    "serve": {"core", "pipeline"},           # the preview drives builds
    "themes": set(),
    "cli": {*STAGES, "build", "commands", "pipeline", "serve"},
    "__main__": {"cli"},
}


def unit_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "reelpress":
        return None
    return parts[1] if len(parts) > 1 else "reelpress"


def test_every_unit_of_the_package_has_a_layer() -> None:
    units = {unit_of(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts))
             for p in modules()}
    assert units - {"reelpress", "__init__"} <= set(MAY_IMPORT)


def test_no_import_goes_against_the_layering() -> None:
    offenders: dict[str, list[str]] = {}
    for path in modules():
        rel = path.relative_to(PACKAGE.parent)
        unit = unit_of(".".join(rel.with_suffix("").parts))
        if unit in (None, "reelpress", "__init__"):
            continue
        allowed = MAY_IMPORT[unit] | {unit, "reelpress"}
        bad = sorted({name for name in imported_names(path)
                      if (target := unit_of(name)) is not None and target not in allowed
                      and name.count(".") >= 1 and target in MAY_IMPORT})
        if bad:
            offenders[rel.as_posix()] = bad
    assert not offenders


def test_the_pipeline_is_a_checklist_of_stages() -> None:
    """The orchestrator stays short: policy (caches, keys, preview cases) lives in stages."""
    lines = (PACKAGE / "pipeline.py").read_text(encoding="utf-8").count("\n")
    assert lines < 150, f"reelpress/pipeline.py has {lines} lines (the checklist's cap is 150)"
