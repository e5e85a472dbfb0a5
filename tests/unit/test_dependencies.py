"""Every runtime dependency (pyproject [project.dependencies]) is imported by the product, so none
is carried that nothing uses (as structlog once was); the import names come from the installed
distributions' metadata."""
from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
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


def test_every_runtime_dependency_is_imported():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    modules: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        for dist in dists:
            modules.setdefault(re.sub(r"[-_.]+", "-", dist).lower(), set()).add(module)
    imported = _imported()
    unused = [d for d in deps
              if not modules.get(re.sub(r"[-_.]+", "-", re.split(r"[<>=!~;\[ ]", d)[0]).lower(),
                                 set()) & imported]
    assert not unused, f"dependencies nothing imports: {unused}"
