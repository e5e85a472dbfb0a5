"""The gateway's shared state lives under typed `web.AppKey`s (gateway/keys.py): building the
app raises no NotAppKeyWarning, and no gateway module indexes an app with a string."""
from __future__ import annotations

import ast
import warnings
from pathlib import Path

from aiohttp import web

from gateway import keys
from gateway.app import create_app
from infra.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_building_the_app_uses_no_string_keys(tmp_path):
    settings = load_settings(tmp_path, env={}, use_state=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", web.NotAppKeyWarning)
        app = create_app(settings)
        app[keys.DB] = object()  # the keys _start sets are AppKeys too
    assert app[keys.SETTINGS] is settings


def test_no_gateway_module_indexes_an_app_with_a_string():
    bad = []
    for path in sorted((ROOT / "gateway").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.slice.value, str) and ast.unparse(node.value).endswith("app"):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, bad
