"""The one settings tree (infra/config.py): every TRIBUTARY_* variable is read there and only
there, once at process start (tributary/), and docs/settings.md is its table."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from infra.config import Settings, load_settings, markdown, variables
from tributary.cli import SETTINGS_DOC, main

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("agents", "gateway", "infra", "models", "topics", "tributary")
SETTINGS_MODULE = ROOT / "infra" / "config.py"
# read by the test suite and bench/ only (never by the product), as the docs say
TEST_ONLY = {"TRIBUTARY_RELIABILITY_OUT", "TRIBUTARY_SCREENSHOTS"}


def _product_files():
    for package in PRODUCT:
        yield from sorted((ROOT / package).rglob("*.py"))


def _environ_reads(tree: ast.AST) -> list[int]:
    """Lines reading the environment: os.environ (but `{**os.environ, …}` for a child, and AWS_*
    credentials, which are botocore's), os.getenv, or `….get("TRIBUTARY_…")` on any mapping."""
    spreads = {id(v) for node in ast.walk(tree) if isinstance(node, ast.Dict)
               for k, v in zip(node.keys, node.values) if k is None}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            name = node.args[0].value
            if name.startswith("TRIBUTARY_") and node.func.attr in ("get", "getenv", "pop"):
                lines.append(node.lineno)
            if ast.unparse(node.func.value) == "os.environ" and name.startswith("AWS_"):
                spreads.add(id(node.func.value))
        if isinstance(node, ast.Attribute) and ast.unparse(node) in ("os.environ", "os.getenv") \
                and id(node) not in spreads:
            lines.append(node.lineno)
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                and str(node.slice.value).startswith("TRIBUTARY_") and isinstance(node.ctx, ast.Load):
            lines.append(node.lineno)
    return lines


def test_the_check_sees_environment_reads():
    code = ('import os\nA = os.environ.get("TRIBUTARY_X")\nB = env.get("TRIBUTARY_Y")\n'
            'C = os.getenv("TRIBUTARY_Z")\nD = {**os.environ, "TRIBUTARY_W": "1"}\n'
            'E = os.environ.get("AWS_ACCESS_KEY_ID")\nF = env["TRIBUTARY_V"]\n')
    assert sorted(set(_environ_reads(ast.parse(code)))) == [2, 3, 4, 7]


def test_no_module_but_the_settings_reads_the_environment():
    bad = {}
    for path in _product_files():
        if path == SETTINGS_MODULE:
            continue
        lines = _environ_reads(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            bad[str(path.relative_to(ROOT))] = lines
    assert not bad, bad


def test_only_the_composition_root_builds_the_tree():
    """Built once at process start by tributary/ and passed down, never at import time."""
    bad = [str(p.relative_to(ROOT)) for p in _product_files()
           if "load_settings(" in p.read_text(encoding="utf-8")
           and p.parts[len(ROOT.parts)] != "tributary" and p != SETTINGS_MODULE]
    assert not bad, bad


def test_every_variable_named_in_the_code_or_docs_is_in_the_tree():
    declared = {row["variable"] for row in variables()}
    named = set()
    for path in [*_product_files(), *(ROOT / "docs").glob("*.md"), ROOT / "README.md",
                 ROOT / "docker-compose.yml"]:
        named |= set(re.findall(r"TRIBUTARY_[A-Z][A-Z0-9_]*[A-Z0-9]", path.read_text(encoding="utf-8")))
    topic_counts = {n for n in named if n.startswith("TRIBUTARY_PARTITIONS_")}
    unknown = named - declared - topic_counts - TEST_ONLY
    assert not unknown, sorted(unknown)


def test_the_environment_is_read_into_the_tree_with_documented_defaults(tmp_path):
    default = load_settings(tmp_path, env={}, use_state=False)
    assert (default.outbox.delay, default.outbox.tries, default.work.stale_after) == (5.0, 10, 30.0)
    assert default.sweeper.upload_ttl == 86400 and default.fetch.allow == ""
    assert default.worker_bind == default.worker_host and not default.consistent_reads
    chosen = load_settings(tmp_path, use_state=False, env={
        "TRIBUTARY_OUTBOX_DELAY": "1", "TRIBUTARY_CONSISTENT_READS": "1",
        "TRIBUTARY_SWEEP_EVERY": "", "TRIBUTARY_PARTITIONS_SALES_FILES_COMMANDS": "24",
        "TRIBUTARY_FETCH_ALLOW": "loopback", "TRIBUTARY_WORKER_BIND": "0.0.0.0"})
    assert chosen.outbox.delay == 1.0 and chosen.consistent_reads
    assert chosen.sweeper.every == 300.0  # empty counts as unset
    assert chosen.topic_partitions == {"SALES_FILES_COMMANDS": 24}
    assert chosen.fetch.allow == "loopback" and chosen.worker_bind == "0.0.0.0"
    assert isinstance(chosen, Settings)


def test_docs_table_is_the_trees(capsys):
    assert SETTINGS_DOC.read_text() == markdown(), "run: tributary settings --write"
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "| `TRIBUTARY_OUTBOX_DELAY` | `outbox.delay` | float | 5.0 |" in out


def test_process_start_installs_the_retry_and_outbox_policies(tmp_path):
    from infra import outbox, retry
    from tributary.boot import policies

    chosen = load_settings(tmp_path, use_state=False, env={
        "TRIBUTARY_OUTBOX_DELAY": "1.5", "TRIBUTARY_OUTBOX_TRIES": "3",
        "TRIBUTARY_RETRY_ATTEMPTS": "2", "TRIBUTARY_RETRY_BACKOFF": "0.1"})
    try:
        policies(chosen)
        assert (outbox.DELAY, outbox.TRIES, retry._settings()) == (1.5, 3, (2, 0.1))
    finally:
        policies(load_settings(tmp_path, env={}, use_state=False))
    assert (outbox.DELAY, outbox.TRIES, retry._settings()) == (5.0, 10, (4, 0.5))


def _import_time_calls(tree: ast.Module) -> list[ast.Call]:
    """Calls that run when the module is imported (not inside functions, not under __main__)."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend(node.decorator_list if not isinstance(node, ast.Lambda) else [])
            todo.extend(d for d in node.args.defaults + node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Call):
            found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def test_no_module_reads_settings_at_import_time():
    from infra.config import GROUPS

    builders = {"load_settings", "Settings", *(cls.__name__ for cls in GROUPS.values())}
    bad = []
    for path in _product_files():
        for call in _import_time_calls(ast.parse(path.read_text(encoding="utf-8"))):
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if name in builders and path != SETTINGS_MODULE:
                bad.append(f"{path.relative_to(ROOT)}:{call.lineno} {ast.unparse(call)}")
    assert not bad, bad
    sample = ast.parse("A = Outbox()\ndef f(x=Retry()):\n    return Settings()\n")
    assert [ast.unparse(c) for c in _import_time_calls(sample)] == ["Retry()", "Outbox()"]
