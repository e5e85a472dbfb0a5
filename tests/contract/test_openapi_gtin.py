"""The generated OpenAPI document describes the specification: every GTIN example request and
response validates against the JSON Schema the document declares for its route (so a client
generated from /api/openapi.json reads the specification's examples)."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from tests.contract.examples import load
from tests.support.openapi import route_document

D = "/description-service"
CASES = [  # (method, path, "request" | status, example)
    ("post", f"{D}/gtins", "request", "gtins_create.request.json"),
    ("post", f"{D}/gtins", "201", "gtins_create.response.json"),
    ("put", "/gtins/{gtin}", "request", "gtins_update.request.json"),
    ("put", "/gtins/{gtin}", "200", "gtins_update.response.json"),
    ("post", f"{D}/gtins/{{gtin}}/attachments/{{action}}", "request", "attachments_add.request.json"),
    ("post", f"{D}/gtins/{{gtin}}/attachments/{{action}}", "200", "attachments_add.response.json"),
    ("post", f"{D}/gtins/{{gtin}}/attachments/{{action}}", "200", "attachments_remove.response.json"),
    ("post", f"{D}/description", "request", "description_add.request.json"),
    ("post", f"{D}/description", "request", "description_remove_own.request.json"),
    ("post", f"{D}/description", "request", "description_system.request.json"),
    ("get", f"{D}/description", "200", "description_read.response.json"),
    ("post", f"{D}/parse/file", "request", "parse_file_gs1.request.json"),
    ("post", f"{D}/parse/file", "request", "parse_file_gs1_gpc.request.json"),
    ("post", f"{D}/parse/file", "request", "parse_file_expert.request.json"),
    ("post", f"{D}/parse/file", "200", "parse_file.response.json"),
    ("get", f"{D}/parse/status", "200", "parse_status.response.json"),
    ("post", f"{D}/import/preview", "request", "import_preview.request.json"),
    ("post", f"{D}/import/preview", "200", "import_preview.response.json"),
    ("post", f"{D}/import/tasks", "request", "import_tasks_create.request.json"),
    ("post", f"{D}/import/tasks", "200", "import_tasks_create.response.json"),
    ("get", f"{D}/import/tasks/{{task_id}}", "200", "import_task_status.response.json"),
    ("get", f"{D}/import/tasks", "200", "import_tasks_list.response.json"),
]


@pytest.fixture(scope="module")
def document() -> dict:
    return route_document()


@pytest.mark.parametrize("method, path, part, name", CASES)
def test_example_fits_the_documented_schema(document, method, path, part, name):
    op = document["paths"][path][method]
    content = op["requestBody" if part == "request" else "responses"]
    content = (content if part == "request" else content[part])["content"]["application/json"]
    schema = {**content["schema"], "components": document["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(load(name)), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_fields_map_example_fits_the_import_schema(document):
    body = {"link": "https://x/y.csv", "gtin_field": "GTIN",
            "fields": load("import_fields_mapping.json")}
    schema = {"$ref": "#/components/schemas/ImportBody", "components": document["components"]}
    assert not list(Draft202012Validator(schema).iter_errors(body))
