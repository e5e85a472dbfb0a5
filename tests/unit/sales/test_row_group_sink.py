"""The cleaning's sink hashes each string column once per row group (`key_ids.encode_columns`)
and hands the codes to the Parquet writer, the snapshot and the statement digest: each must
give exactly what it gives from the plain rows."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from agents import cleaning
from models.sales.clean import CleanOptions, clean_file
from models.sales.key_ids import Vocabulary
from models.sales.schema import CANONICAL_SCHEMA
from models.sales.snapshot import build_snapshot
from models.sales.snapshot_io import decode, read_staged
from models.sales.statement import StatementDigest
from tests.unit.sales.test_parallel_cleaning import _file


def test_parquet_snapshot_and_digest_from_codes_equal_those_from_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(cleaning, "ROW_GROUP_ROWS", 4096)  # several row groups, vocabularies grow
    options = CleanOptions(batch_rows=1500)               # row groups of several batches
    src, out = _file(tmp_path, 30_000), str(tmp_path / "clean.parquet")
    result, digest = cleaning._clean_to_parquet(src, out, "big.tsv", options, lambda *a: None)
    batches: list[pa.RecordBatch] = []
    clean_file(src, "big.tsv", options, batches.append)
    rows = pa.Table.from_batches([b.cast(CANONICAL_SCHEMA) for b in batches])
    written = pq.read_table(out)
    assert written.schema == CANONICAL_SCHEMA          # plain strings again, not dictionaries
    assert written.equals(rows) and pq.ParquetFile(out).num_row_groups > 3
    plain = StatementDigest()
    plain.add(rows)
    assert digest == plain.result(result.layout)
    staged = read_staged(out + cleaning.SNAPSHOT_SUFFIX)
    expected = build_snapshot(rows)
    assert staged.totals == expected.totals
    for name, table in expected.lists.items():
        pages = [decode(page) for page in staged.lists[name].pages]
        assert pa.concat_tables(pages).equals(table), name


def test_vocabulary_positions_point_at_their_values():
    vocab = Vocabulary()
    for distinct in (["a", "b"], ["c", "a", "d"], ["b"], ["e", "f", "a", "g"]):
        found = vocab.positions(pa.array(distinct))
        assert found.null_count == 0
        assert vocab.values.take(found).to_pylist() == distinct
    assert vocab.values.to_pylist() == ["a", "b", "c", "d", "e", "f", "g"]


def test_digest_revenue_per_currency_from_codes_counts_rows_without_a_currency_under_blank():
    from decimal import Decimal

    from models.sales.key_ids import encode_columns
    from models.sales.schema import STRING_FIELDS

    rows = [dict(currency=c, revenue=Decimal(r), dsp=d, statement_period=p, quantity=1, line=i)
            for i, (c, r, d, p) in enumerate([("EUR", "1.5", "A", "2025-05"), (None, "2", "B", None),
                                              ("USD", "0.25", "A", "2025-06"), ("EUR", "3", None, "2025-05")])]
    table = pa.Table.from_pylist(rows, CANONICAL_SCHEMA)
    coded, plain = StatementDigest(), StatementDigest()
    coded.add(table, encode_columns(table, STRING_FIELDS))
    plain.add(table)
    assert coded.result("x") == plain.result("x")
    assert coded.result("x")["imported"]["revenue"] == {"": "2", "EUR": "4.5", "USD": "0.25"}
    assert coded.dsps == {"A", "B"} and coded.periods == {"2025-05", "2025-06"}


def test_file_ids_shared_by_the_builders_and_the_digest_give_what_their_own_vocabularies_give():
    """The sink looks each row group's values up once in the file's vocabularies (`FileIds`);
    two snapshot builders and the digest take those ids: lists and digest as from plain rows,
    over groups whose values come, go, repeat and are null."""
    import random
    from decimal import Decimal

    from models.sales.key_ids import encode_columns
    from models.sales.schema import STRING_FIELDS
    from models.sales.snapshot import SPLIT, SnapshotBuilder, snapshot_of

    rnd = random.Random(7)

    def cell(prefix: str, n: int) -> str | None:
        return None if rnd.random() < 0.1 else f"{prefix}{rnd.randrange(n)}"

    groups = []
    for g in range(5):
        rows = [dict(statement_period=f"2025-0{1 + g % 3}", sale_period=cell("2025-1", 3), dsp=cell("D", 4),
                     territory=cell("T", 6), isrc=cell(f"GBAAA25{g}", 40), upc=cell("19", 30),
                     artist=cell("A", 12), track_title=cell("Song ", 50), release_title=cell("R", 20),
                     usage_type=cell("u", 3), quantity=rnd.randrange(5), currency=cell("C", 3),
                     revenue=Decimal(rnd.randrange(10**6)) / 10**4, revenue_converted=None, line=i)
                for i in range(400)]
        groups.append(pa.Table.from_pylist(rows, CANONICAL_SCHEMA))
    vocab: dict = {}
    builders = [SnapshotBuilder(names) for names in SPLIT]
    shared = StatementDigest()
    for table in groups:
        codes = encode_columns(table, STRING_FIELDS, vocab)
        assert codes.ids is not None and set(codes.ids.positions) == set(STRING_FIELDS)
        for builder in builders:
            builder.add(table, codes)
        shared.add(table, codes)
    plain = StatementDigest()
    for table in groups:
        plain.add(table)
    assert shared.result("x") == plain.result("x")
    got, expected = snapshot_of(builders), build_snapshot(pa.concat_tables(groups))
    assert got.totals == expected.totals
    for name, table in expected.lists.items():
        assert got.lists[name].equals(table), name


def test_the_writer_and_the_digest_yield_the_cores_to_the_snapshot_at_the_end(tmp_path, monkeypatch):
    """At `close` the Parquet writer's and the statement digest's threads, which the snapshot
    does not wait for, run at a lower priority (a nice value of their own, Linux) and are still
    waited for: the file, the snapshot and the digest are whole."""
    import os
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("a nice value per thread is Linux's")
    seen: dict[str, int] = {}
    done = cleaning._Stage.close

    def close(stage) -> None:
        seen[stage.thread.name] = os.getpriority(os.PRIO_PROCESS, stage.thread.native_id)
        done(stage)

    monkeypatch.setattr(cleaning._Stage, "close", close)
    src, out = _file(tmp_path, 3000), str(tmp_path / "clean.parquet")
    result, digest = cleaning._clean_to_parquet(src, out, "small.tsv", CleanOptions(), lambda *a: None)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    assert seen == {"snapshot-0": base, "snapshot-1": base, "statement": min(base + 5, 19),
                    "parquet-writer": min(base + 5, 19)}
    assert pq.read_table(out).num_rows == result.rows == digest["rows"] > 0
    assert read_staged(out + cleaning.SNAPSHOT_SUFFIX).totals["rows"] == result.rows
