"""Smoke run of the benchmark suite at tiny size on the session stack: the generator's files are
valid, and `python -m bench run` writes results JSON with the expected keys (times are never
asserted — the suite reports them)."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest
from stdnum import ean, isrc

from bench import generate, shapes
from models.sales.clean import CleanOptions, clean_file


def test_generated_sales_and_gtin_files_are_valid(tmp_path):
    uni = generate.universe(tracks=500, releases=50, artists=30)
    path = generate.sales_file(tmp_path / "s.tsv", 3_000, uni=uni)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 3_000 and list(rows[0]) == list(generate.SALES_COLUMNS)
    assert all(isrc.is_valid(r["isrc"].replace("-", "")) and ean.is_valid(r["upc"]) for r in rows)
    assert any('"' in r["track_title"] for r in rows) and any("-" in r["isrc"] for r in rows)
    assert len({r["dsp"] for r in rows}) == 8 and {r["statement_period"] for r in rows} == {"2025-06"}
    again = generate.sales_file(tmp_path / "t.tsv", 3_000, uni=uni)
    assert again.read_bytes() == path.read_bytes()            # deterministic
    counts = generate.gtin_file(tmp_path / "g.csv", 2_000, "409876")
    with open(tmp_path / "g.csv", newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))[1:]
    valid = [r for r in lines if len(r) == 4 and ean.is_valid(r[0]) and r[0].startswith("409876")]
    assert len(lines) == 2_000 and len(valid) == counts["valid"]
    assert counts["bad_check"] and counts["foreign"] and counts["malformed"]


def _clean(path, **opts):
    batches: list = []
    return clean_file(str(path), path.name, CleanOptions(**opts), batches.append), batches


def test_every_shape_is_generated_and_cleans_to_the_main_files_figures(tmp_path):
    """Each shape holds what it claims, and the delimited ones clean to exactly the totals of
    the main file drawn with the same seed (quotes, decimal commas, extra columns, German
    headers and day-first dates change the spelling, never the figures)."""
    uni = generate.universe(tracks=500, releases=50, artists=30)
    main = generate.sales_file(tmp_path / "main.tsv", 800, uni=uni)
    paths = shapes.ensure(tmp_path, list(shapes.SHAPES), 800, 300, 600, uni=uni)
    expected = _clean(main)[0].imported_totals
    for shape in shapes.TSV_SHAPES:
        opts = {"mappings": [shapes.ORG_MAPPING]} if shape == "org" else {}
        result, batches = _clean(paths[shape], **opts)
        assert (result.rows, result.bad_rows) == (800, 0), shape
        assert result.imported_totals["revenue"] == expected["revenue"], shape
        assert result.imported_totals["quantity"] == expected["quantity"], shape
        if shape == "quoted":
            titles = [t for b in batches for t in b.column("track_title").to_pylist()]
            assert any("\t" in t and '"' in t for t in titles)
        if shape == "currencies":
            assert len(result.totals_by_currency) > 20
        if shape == "org":
            assert result.layout == "org:Bench Vertrieb"
        if shape == "dayfirst":
            assert result.date_order["order"] == "DMY"
    header = paths["extra"].read_text().splitlines()[0].split("\t")
    assert set(shapes.EXTRA) <= set(header) and len(header) == len(generate.SALES_COLUMNS) + 3
    assert ";" in paths["decimal_comma"].read_text().splitlines()[1]
    xlsx, _ = _clean(paths["xlsx"])
    assert (xlsx.rows, xlsx.bad_rows, xlsx.encoding) == (300, 0, "xlsx")
    dsr, _ = _clean(paths["dsr"], base_currency="USD")
    assert dsr.layout == "ddex-dsr" and dsr.bad_rows == 0 and dsr.rows > 400
    assert dsr.totals_check["status"] == "MATCH", dsr.totals_check


def _bench(tmp_path, *args: str, timeout: float = 180) -> dict:
    """`python -m bench run --size tiny …` in a subprocess; its results JSON."""
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "run", "--size", "tiny", *args,
                           "--inputs", str(tmp_path / "inputs"), "--out", str(out)],
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


def test_tiny_run_writes_results_json(stack, tmp_path):
    results = _bench(tmp_path, "--scenario", "ingest,latency", "--repeat", "1",
                     "--rows", "600", "--xlsx-rows", "300", "--dsr-lines", "600",
                     "--stack", str(stack.data_dir), timeout=300)
    assert {"machine", "size", "repeat", "scenarios"} <= set(results)
    assert results["machine"]["nproc"] >= 1
    ingest, latency = results["scenarios"]["ingest"], results["scenarios"]["latency"]
    assert "error" not in ingest, ingest
    assert ingest["rows"] == 2_000 and ingest["tributary"]["rows_per_s"] > 0
    assert ingest["tributary"]["peak_rss_mb"] > 0
    assert {"polars", "duckdb", "pandas"} == set(ingest["baselines"])
    for entry in ingest["baselines"].values():
        assert "median_s" in entry or "skipped" in entry
    assert {"ratio", "target_met", "best_baseline"} <= set(ingest)
    assert set(ingest["shapes"]) == set(shapes.SHAPES)          # every shape, side by side
    for name, shape in ingest["shapes"].items():
        assert shape["tributary"]["median_s"] > 0 and shape["ratio"] > 0, (name, shape)
        assert shape["rows"] == {"xlsx": 300, "dsr": shape["rows"]}.get(name, 600), name
        (base,) = shape["baselines"].values()
        assert base["median_s"] > 0 and "errors" not in base, (name, base)
    # beside the target's ratio: polars' group-bys split by currency, as the snapshot's are
    context = ingest["shapes"]["currencies"]["context"]
    assert set(context) == {"baselines", "ratio"}, context     # figures apart from the ratio
    assert context["baselines"]["polars_by_currency"]["median_s"] > 0 and context["ratio"] > 0, context
    assert len(latency["tributary"]["runs"]) >= 5 and latency["tributary"]["median_s"] > 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_tiny_status_scenario_reports_each_servers_cpu_per_request(tmp_path):
    """`--scenario status` at its smallest, on the bench's own stack (its GTIN task imports
    from a loopback file server, which only that stack's fetch allow-list admits): requests/s
    of both status GETs and the bare handler, and beside their ratio each server's CPU per
    answered request (the gateway's for the two GETs, the bare process's for the baseline)."""
    status = _bench(tmp_path, "--scenario", "status", "--repeat", "1", "--wrk-seconds", "1",
                    timeout=240)["scenarios"]["status"]
    assert "skipped" not in status and "error" not in status, status
    assert set(status["endpoints"]) == {"file_status", "task_status", "bare_aiohttp"}
    for name, endpoint in status["endpoints"].items():
        assert endpoint["requests_per_s"] > 0 and endpoint["non_2xx"] == 0, (name, endpoint)
        (run,) = endpoint["runs"]
        assert run["cpu_us_per_request"] > 0 and endpoint["cpu_us_per_request"] == run["cpu_us_per_request"]
    assert set(status["cpu_ratios"]) == {"file_status", "task_status"}
    assert all(ratio > 0 for ratio in status["cpu_ratios"].values()), status["cpu_ratios"]


def test_tiny_scale_scenario_checks_every_result(tmp_path):
    """`--scenario scale` at its smallest: one worker behind two gateways, its own stack."""
    scale = _bench(tmp_path, "--scenario", "scale", "--scale-workers", "1", "--scale-files", "4",
                   "--scale-tasks", "1", timeout=240)["scenarios"]["scale"]
    assert "error" not in scale, scale
    (run,) = scale["runs"]
    assert run["workers"] == 1 and scale["gateways"] == 2
    assert run["exact"] is True and not run["mismatches"], run
    assert run["files"] == 4 and run["rows"] == 4 * 200 and run["gtin_tasks"] == 1
    assert run["rows_per_s"] > 0 and run["status_requests"] > 0 and run["status_p99_ms"] > 0
    assert {"worker-1", "gateway", "gateway-2", "broker", "docstore"} <= set(run["rss_mb"])
    assert all(v > 0 for v in run["rss_mb"].values())


def test_tiny_analytics_scenario_answers_exactly(stack, tmp_path):
    """`--scenario analytics` at tiny size: every view's answer is checked against DuckDB's own
    sums over the same files ('ok'), and both contenders have times."""
    analytics = _bench(tmp_path, "--scenario", "analytics", "--repeat", "1",
                       "--stack", str(stack.data_dir), timeout=240)["scenarios"]["analytics"]
    assert "error" not in analytics, analytics
    assert analytics["rows"] == 20_000 and analytics["files"] == 1
    for name, view in analytics["views"].items():
        assert view["checked"] == "ok", (name, view)
        assert view["api_s"] > 0 and view["duckdb_s"] > 0 and view["ratio"] > 0
