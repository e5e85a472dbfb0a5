"""DuckDB reads the sales Parquet where the object store keeps it: a local directory's files, or
S3 objects through httpfs with the store URL's endpoint and credentials (moto's S3 server here;
TRIBUTARY_TEST_S3_URL adds a real S3/MinIO through the storage suite's backends); the rollups
stored at import are read there too."""
from __future__ import annotations

import io
import uuid
from decimal import Decimal as D

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agents.rollups import store_rollups
from infra.analytics import rollup
from infra.analytics.duck import Location
from infra.analytics.run import Context
from infra.storage import open_store
from models.analytics import query, shape
from models.analytics.filters import Filters, View
from models.sales.schema import CANONICAL_SCHEMA

KEY = "sales/org=7/period=2025-05/file=1.parquet"
RECORDS = {1: {"parquet_key": KEY, "filename": "may.csv", "conversion": {"currency": "EUR"}}}
ROWS = [dict(statement_period="2025-05", sale_period="2025-05", dsp="Spotify", territory="FR",
             quantity=3, currency="EUR", revenue=D("1.000000000000000001"),
             revenue_converted=D("1.000000000000000001"), line=2),
        dict(statement_period="2025-05", sale_period="2025-05", dsp="Deezer", territory="US",
             quantity=4, currency="USD", revenue=D("123456.5"), revenue_converted=None, line=3)]


def parquet() -> bytes:
    table = pa.table({n: [r.get(n) for r in ROWS] for n in CANONICAL_SCHEMA.names}, schema=CANONICAL_SCHEMA)
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def by_dsp(location: Location, records: dict = RECORDS, data_dir=None) -> dict:
    """The grouped view as the gateway computes it, USD→EUR at 0.123456789012345678 for May
    (with `data_dir`: from the rollups, those the records name or built there)."""
    late = [{"currency": "USD", "month": "2025-05", "rate": D("0.123456789012345678"),
             "source": "organisation"}]
    ctx = Context(location, "EUR", records, late, data_dir)
    if data_dir:
        [lines] = ctx.run(view=View("dsp", Filters()), top=10)
    else:
        [lines] = ctx.run(query.grouped(View("dsp", Filters()), ctx.paths, ctx.unstored, "EUR", 10))
    return shape.answer("dsp", None, None, "EUR", 10, lines, ctx.files, {("USD", "2025-05"): late[0]})


def check(answer: dict) -> None:
    # 123456.5 × 0.123456789012345678 = 15241.5430727026541960070 exactly, rounded at 18 places
    assert [(r["key"], r["revenue_converted"]) for r in answer["rows"]] == [
        ("Deezer", "15241.543072702654196007"), ("Spotify", "1.000000000000000001")]
    assert answer["totals"]["revenue"] == [{"currency": "EUR", "amount": "1.000000000000000001"},
                                           {"currency": "USD", "amount": "123456.5"}]
    assert answer["totals"]["revenue_converted"] == "15242.543072702654196008"
    assert answer["files"] == 1


def test_local_directory(tmp_path):
    path = tmp_path / KEY
    path.parent.mkdir(parents=True)
    path.write_bytes(parquet())
    check(by_dsp(Location(f"file://{tmp_path}")))


async def test_s3_through_httpfs(moto_endpoint):
    url = (f"s3://an-{uuid.uuid4().hex[:10]}?endpoint={moto_endpoint}&region=us-east-1"
           "&access_key=testing&secret_key=testing")
    store = open_store(url, secret="")
    async with store:
        await store.put(KEY, parquet())
        check(by_dsp(Location(url)))


async def test_s3_rollups_stored_at_import_read_through_httpfs(moto_endpoint, tmp_path):
    url = (f"s3://an-{uuid.uuid4().hex[:10]}?endpoint={moto_endpoint}&region=us-east-1"
           "&access_key=testing&secret_key=testing")
    store = open_store(url, secret="")
    async with store:
        await store.put(KEY, parquet())
        keys = await store_rollups(store, {"id": 1, "attempt": 3, "parquet_key": KEY}, str(tmp_path))
        assert set(keys) == set(rollup.KINDS) and all([await store.head(k) for k in keys.values()])
        check(by_dsp(Location(url), {1: {**RECORDS[1], "attempt": 3, "rollups": keys}}, tmp_path))
        assert not list((tmp_path / "rollups").glob("*.parquet"))     # none built when asked


def test_unsupported_store():
    with pytest.raises(ValueError):
        Location("ftp://example/x")
