"""The ingest scenario on each file shape (bench/shapes.py): Tributary (`process` → FINALIZED)
against the baseline the issue names for that shape, interleaved shape by shape and run by run:
polars (read + Parquet + five group-bys) for the delimited shapes and the DSR's line records,
python-calamine reading the sheet into Arrow for the XLSX."""
from __future__ import annotations

import asyncio
from typing import Any

from bench import shapes as sh
from bench import tributary as trb
from bench.measure import median, run_baseline, summarise

TARGETS = {"xlsx": 1.5}                    # ratio to the baseline; every other shape ≤ 2.0
# a second polars run, reported beside the target's ratio and never instead of it: the same
# group-bys split by currency, as the snapshot's lists are (amounts of two currencies are never
# added), so the two ratios tell the work the money rule adds from the rest of the gap
CONTEXT = {"currencies": ("polars_by_currency", {"by": ["currency"]})}
DEFAULT_TARGET = 2.0
RUN_TIMEOUT = 900                          # seconds a shape's file may take before it counts as an error
XLSX_ROWS = {"tiny": 1_000, "1m": 200_000, "5m": 200_000}
DSR_LINES = {"tiny": 2_000, "1m": 1_000_000, "5m": 1_000_000}


def sizes(ctx) -> tuple[int, int, int]:
    """(rows of the delimited shapes, XLSX rows, DSR lines) of this run."""
    from bench.generate import SIZES

    return (ctx.rows or SIZES[ctx.size], ctx.xlsx_rows or XLSX_ROWS[ctx.size],
            ctx.dsr_lines or DSR_LINES[ctx.size])


def baseline(shape: str, src, out) -> tuple[str, dict]:
    if shape == "xlsx":
        return "calamine_xlsx", {"src": str(src)}
    if shape == "dsr":
        return "polars_dsr", {"src": str(src), "out": str(out)}
    args = {"src": str(src), "out": str(out), "sep": sh.SEP.get(shape, "\t")}
    if shape == "org":
        args["names"] = sh.ORG_HEADERS
    if shape == "decimal_comma":
        args["decimal_comma"] = True
    return "polars_ingest", args


async def prepare(api: trb.Client, shape: str) -> None:
    """What the organisation sets up before such a file: its layout, or its exchange rates."""
    if shape == "org":
        status, body = await api.call("POST", "/api/layouts/", json=sh.ORG_MAPPING)
        assert status == 201, body
    if shape in ("currencies", "dsr"):
        rates = [{"month": sh.PERIOD, "from": c, "to": "USD", "rate": f"{0.5 + i / 100:.2f}"}
                 for i, c in enumerate(sorted(set(sh.CURRENCIES) - {"USD"}))]
        status, body = await api.call("POST", "/api/exchange-rates/", json={"rates": rates})
        assert status == 201, body


async def run_shapes(ctx, names: list[str]) -> dict[str, Any]:
    rows, xlsx_rows, dsr_lines = sizes(ctx)
    paths = await asyncio.to_thread(sh.ensure, ctx.inputs / "shapes", names, rows, xlsx_rows,
                                    dsr_lines)
    runs: dict[str, dict[str, list]] = {n: {"tributary": [], "baseline": [], "context": []} for n in names}
    for _ in range(ctx.repeat):
        for shape in names:
            async with ctx.stack.org(f"bench-{shape}") as api:
                await prepare(api, shape)
                reset = ctx.stack.reset_rss()
                try:
                    result = await trb.ingest(api, paths[shape], timeout=RUN_TIMEOUT)
                    result.pop("record")
                except (TimeoutError, RuntimeError) as exc:   # one stuck file must not stall the rest
                    result = {"error": f"{type(exc).__name__}: {exc}"}
                background = await asyncio.to_thread(ctx.stack.settle)   # its rollups
                result.update(rss_peak_mb=ctx.stack.worker_rss_mb(), rss_reset=reset,
                              background_s=background)
            runs[shape]["tributary"].append(result)
            name, args = baseline(shape, paths[shape], ctx.work / f"{shape}.parquet")
            runs[shape]["baseline"].append(await asyncio.to_thread(run_baseline, name, args))
            if shape in CONTEXT:
                runs[shape]["context"].append(await asyncio.to_thread(
                    run_baseline, name, {**args, **CONTEXT[shape][1]}))
            (ctx.work / f"{shape}.parquet").unlink(missing_ok=True)
    out = {}
    for shape in names:
        good = [r for r in runs[shape]["tributary"] if "seconds" in r]
        n = good[0]["rows"] if good else None
        trib = summarise(runs[shape]["tributary"], n)
        for stage in ("cleaning_s", "import_s", "finalize_s", "background_s"):
            trib[stage] = median([r[stage] for r in good])
        base = summarise(runs[shape]["baseline"], n)
        target = TARGETS.get(shape, DEFAULT_TARGET)
        ratio = round(trib["median_s"] / base["median_s"], 2) \
            if trib.get("median_s") and base.get("median_s") else None
        # the ratio of each run to the baseline run right after it (interleaved pairs)
        pairs = [round(t["seconds"] / b["seconds"], 2) for t, b in
                 zip(runs[shape]["tributary"], runs[shape]["baseline"])
                 if b.get("seconds") and t.get("seconds")]
        out[shape] = {"file": paths[shape].name, "input_mb": round(paths[shape].stat().st_size / 2**20, 1),
                      "rows": n, "tributary": trib,
                      "baselines": {baseline(shape, "", "")[0].replace("_ingest", ""): base},
                      "ratio": ratio, "pair_ratios": pairs,
                      "rss_runs": [r.get("rss_peak_mb") for r in runs[shape]["tributary"]], "target": f"<= {target}x",
                      "target_met": bool(ratio is not None and ratio <= target and
                                         (trib.get("peak_rss_mb") or 0) <= 1024)}
        if runs[shape]["context"]:
            context = summarise(runs[shape]["context"], n)
            out[shape]["context"] = {"baselines": {CONTEXT[shape][0]: context}, "ratio": round(
                trib["median_s"] / context["median_s"], 2) if trib.get("median_s") and context.get("median_s") else None}
    return out
