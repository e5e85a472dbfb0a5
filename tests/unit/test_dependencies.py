"""Every runtime dependency (pyproject [project.dependencies]) is imported by the product, so none
is carried that nothing uses (as structlog once was), and every third-party module the product
imports is declared, so none arrives only by luck through another package (numpy did, through
pandas); the import names come from the installed distributions' metadata."""
from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("agents", "gateway", "infra", "models", "topics", "tributary")


def _imported() -> set[str]:
    found = set()
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    return found


def _norm(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def _declared() -> list[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return [_norm(re.split(r"[<>=!~;\[ ]", d)[0]) for d in deps]


def test_every_runtime_dependency_is_imported():
    modules: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            modules.setdefault(_norm(dist), set()).add(module)
    imported = _imported()
    unused = [d for d in _declared() if not modules.get(d, set()) & imported]
    assert not unused, f"dependencies nothing imports: {unused}"


def test_every_imported_third_party_module_is_declared():
    declared, owners = set(_declared()), metadata.packages_distributions()
    third_party = _imported() - set(sys.stdlib_module_names) - set(PRODUCT) - {"__future__"}
    undeclared = sorted(m for m in third_party
                        if not {_norm(d) for d in owners.get(m, [])} & declared)
    assert not undeclared, f"imported by the product but not declared: {undeclared}"
