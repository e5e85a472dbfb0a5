"""Property tests (hypothesis) on the parsers not covered elsewhere: any input ends in a result
or a clean error, never an unhandled exception.

- sales layouts and DDEX DSR: clean_file on mutated real-layout fixtures (bytes flipped, lines
  cut, duplicated, truncated, delimiters and quotes injected) — random bytes alone are in
  tests/unit/sales/test_sales_property.py;
- GTIN import: the task body (ImportSpec.parse) on arbitrary JSON, and map_line on arbitrary
  records (CSV reading itself: tests/unit/gtin/test_gtin_tabular.py);
- gateway bodies: arbitrary JSON values and forms POSTed to every POST route over HTTP → never
  a 5xx, and a JSON error body with a message.
The number of examples each property ran is recorded in the figures file.
"""
from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.gtin import GtinError, ImportSpec, Participant, map_line
from models.gtin.tabular import BadLine
from models.sales.clean import CleanOptions, CleanResult, clean_file
from models.sales.errors import SalesFileError
from tests.e2e.gtin_import.conftest import new_participant
from tests.reliability.conftest import record
from tests.support.mutation import mutated
from tests.support.participants import HEADER
from tests.support.stack import cli

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sales"
SAMPLES = sorted(p for p in [*FIXTURES.glob("*.*"), *(FIXTURES / "layouts").glob("*.*")]
                 if p.suffix.lower() in (".csv", ".tsv", ".txt", ".xlsx"))
DSR = [p for p in SAMPLES if p.name.startswith("DSR_")]
LAYOUTS = [p for p in SAMPLES if not p.name.startswith("DSR_")]
CAUSES = {"UNSUPPORTED_TYPE", "EMPTY", "CORRUPTED", "UNKNOWN_LAYOUT", "TOO_MANY_BAD_ROWS",
          "NOT_SALES"}
RUNS: Counter = Counter()
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) |
                    st.text(max_size=30), lambda inner: st.lists(inner, max_size=4) |
                    st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)


def _clean_ok(name: str, data: bytes, kind: str) -> None:
    RUNS[kind] += 1
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name)
        Path(path).write_bytes(data)
        try:
            result = clean_file(path, name, CleanOptions(), lambda batch: None)
        except SalesFileError as exc:
            assert exc.cause in CAUSES and exc.message, (exc.cause, exc.message)
        else:
            assert isinstance(result, CleanResult) and result.rows >= 0 and result.bad_rows >= 0


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(sample=mutated(LAYOUTS))
def test_mutated_layout_fixtures_end_in_a_result_or_a_clean_error(sample):
    _clean_ok(*sample, kind="sales layouts (mutated fixtures)")


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(sample=mutated(DSR))
def test_mutated_dsr_files_end_in_a_result_or_a_clean_error(sample):
    _clean_ok(*sample, kind="DDEX DSR (mutated fixtures)")


@settings(max_examples=300, deadline=None)
@given(body=JSON | st.fixed_dictionaries({"link": st.text(max_size=20), "gtin_field": JSON},
                                         optional={"fields": JSON, "delimiter": JSON,
                                                   "conditions": JSON, "name": JSON,
                                                   "additional_widgets": JSON, "brand": JSON}))
def test_import_spec_parse_any_json(body):
    RUNS["GTIN import body (ImportSpec.parse)"] += 1
    try:
        spec = ImportSpec.parse(body)
    except GtinError as exc:
        assert str(exc)
    else:
        assert isinstance(spec, ImportSpec) and spec.gtin_field


PARTICIPANT = Participant(id="urn:p", type="brand", prefixes=("4000000",))
SPEC = ImportSpec.parse({"link": "http://x/y.csv", "gtin_field": "gtin", "name": ["name"],
                         "fields": [{"field": "name", "title": "Name"},
                                    {"field": "img", "widget": "image"},
                                    {"field": "gtin", "action": "to_country", "title": "C"}]})


@settings(max_examples=300, deadline=None)
@given(record=st.dictionaries(st.sampled_from(["gtin", "name", "img", "other"]),
                              st.text(max_size=20) | st.from_regex(r"\d{8,14}", fullmatch=True)),
       line=st.integers(1, 10 ** 6))
def test_map_line_any_record(record, line):
    RUNS["GTIN line mapping (map_line)"] += 1
    try:
        outcome = map_line(SPEC, record, PARTICIPANT, line=line)
    except GtinError as exc:  # a clean, named error is acceptable too
        assert str(exc)
    else:
        assert outcome is not None and getattr(outcome, "line", line) == line
        assert not isinstance(outcome, BadLine) or outcome.reason


# -- gateway bodies over HTTP ------------------------------------------------------------------
POST_ROUTES = ["/api/files/salesfiles/", "/api/files/salesfiles/1/process/", "/api/reports/",
               "/api/catalog/imports/", "/api/catalog/imports/1/process/", "/api/layouts/",
               "/api/files/upload_automatically/", "/description-service/gtins",
               "/description-service/description", "/description-service/description/delete",
               "/description-service/import/preview", "/description-service/import/tasks",
               "/description-service/parse/file", "/description-service/uploads",
               "/description-service/gtins/4000000000017/attachments/add"]


@pytest.fixture(scope="module")
def body_client(stack):
    org = cli(stack.data_dir, "org", "create", "Body Fuzz")
    who = new_participant(stack)
    headers = {"Authorization": f"Bearer {org['token']}", HEADER: who.api.headers[HEADER]}

    def post(path: str, data: bytes, content_type: str) -> tuple[int, bytes, str]:
        request = urllib.request.Request(stack.url + path, data=data, method="POST",
                                         headers={**headers, "Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=20) as resp:
                return resp.status, resp.read(), resp.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), exc.headers.get("Content-Type", "")
    return post


def _bodies():
    as_json = JSON.map(lambda v: (json.dumps(v).encode(), "application/json"))
    raw = st.binary(max_size=80).map(lambda b: (b, "application/json"))
    form = st.dictionaries(st.sampled_from(["action", "filename", "filesize", "type", "period",
                                            "link", "delimiter", "id", "x"]),
                           st.text(max_size=20), max_size=5).map(
        lambda d: (urllib.parse.urlencode(d).encode(), "application/x-www-form-urlencoded"))
    return as_json | raw | form


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(path=st.sampled_from(POST_ROUTES), body=_bodies())
def test_post_routes_answer_any_body_without_5xx(body_client, path, body):
    RUNS["gateway JSON/form bodies (HTTP)"] += 1
    status, raw, ctype = body_client(path, *body)
    assert status < 500, (path, body, raw[:300])
    if status >= 400:
        assert ctype.startswith("application/problem+json"), (path, ctype)
        answer = json.loads(raw)
        assert isinstance(answer.get("detail"), str) and answer["detail"], (path, answer)
        assert isinstance(answer.get("errors"), list), (path, answer)


def test_record_examples_run():
    assert SAMPLES and DSR, "fixtures missing"
    record("parsers", "hypothesis_examples", dict(RUNS))
    assert all(RUNS[k] > 0 for k in RUNS) and len(RUNS) == 5
