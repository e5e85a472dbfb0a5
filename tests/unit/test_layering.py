"""Layering of the packages, read from the source (every import statement, also those inside
functions): the domain (models/) and the topic contract (topics/) use no service client; the
gateway and the agents never import each other; infra/ never imports upward (gateway, agents,
tributary); nothing imports tributary/, the composition root (the `tributary` command and the
process entry points), but the tests; and no modules import each other in a cycle — neither at
module level nor through imports inside functions."""
from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("agents", "topics", "gateway", "models", "infra", "tributary")
CLIENTS = ("pymongo", "aiokafka", "aiobotocore", "botocore", "boto3", "aiohttp", "faust",
           "httpx", "requests", "urllib.request", "socket", "calfkit", "testcontainers")


@functools.cache
def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _imports(name: str, path: Path, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _hits(imports: set[str], prefixes: tuple[str, ...]) -> set[str]:
    return {i for i in imports if any(i == p or i.startswith(p + ".") for p in prefixes)}


def test_domain_and_contract_use_no_service_client():
    bad = {}
    for name, path in _modules().items():
        if name.split(".")[0] in ("models", "topics"):
            hits = _hits(_imports(name, path), CLIENTS + ("gateway", "agents", "infra"))
            if hits:
                bad[name] = sorted(hits)
    assert not bad, bad


def test_gateway_agents_and_infra_keep_to_their_layer():
    rules = {"gateway": ("agents", "tributary"), "agents": ("gateway", "tributary"),
             "infra": ("gateway", "agents", "tributary"), "models": ("tributary",),
             "topics": ("tributary",)}
    bad = {}
    for name, path in _modules().items():
        forbidden = rules.get(name.split(".")[0])
        if forbidden:
            hits = _hits(_imports(name, path), forbidden)
            if hits:
                bad[name] = sorted(hits)
    assert not bad, bad


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        imported = _imports(name, path, top_level_only=top_level_only)
        # `from pkg import submodule` imports the submodule, not (a name of) the package
        via = {m.rpartition(".")[0] for m in imported if m in modules}
        graph[name] = {m for m in imported if m in modules and m != name and m not in via}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_import_cycles_at_module_level():
    assert not _cycles(_graph(top_level_only=True))


def test_no_import_cycles_through_imports_inside_functions():
    """A deferred import only hides a cycle: the two modules still need each other."""
    assert not _cycles(_graph(top_level_only=False))


def test_every_package_is_installed_and_in_the_image():
    pyproject = (ROOT / "pyproject.toml").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in PACKAGES:
        assert f'"{package}*"' in pyproject, f"{package} is not in [tool.setuptools.packages.find]"
        assert f"COPY {package} {package}" in dockerfile, f"the image lacks {package}/"
