"""One readable block per scenario on stdout (the JSON file has everything)."""
from __future__ import annotations

from typing import Any


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}{unit}" if value < 100 else f"{value:,.0f}{unit}"
    return f"{value:,}{unit}" if isinstance(value, int) else f"{value}{unit}"


def _row(name: str, entry: dict[str, Any]) -> str:
    if "skipped" in entry:
        return f"  {name:<12} skipped: {entry['skipped']}"
    if "errors" in entry and not entry.get("median_s"):
        return f"  {name:<12} error: {entry['errors'][0][-300:]}"
    return (f"  {name:<12} median {_fmt(entry.get('median_s'), ' s'):>12}  "
            f"{_fmt(entry.get('rows_per_s'), ' rows/s'):>18}  "
            f"peak RSS {_fmt(entry.get('peak_rss_mb'), ' MiB'):>10}  runs {entry.get('runs')}")


def show(name: str, result: dict[str, Any]) -> None:
    print(f"\n== {name}  ({result.get('target', '')})")
    if "error" in result or "skipped" in result:
        print(f"  {result.get('error') or 'skipped: ' + result['skipped']}")
        return
    if "runs" in result and "plan" in result:  # scale
        print(f"  batch {result['plan']}, {result['gateways']} gateways")
        for r in result["runs"]:
            print(f"  {r['workers']} worker(s): {_fmt(r['seconds'], ' s'):>10}  "
                  f"{_fmt(r['rows_per_s'], ' rows/s'):>16}  {_fmt(r['gtin_lines_per_s'], ' lines/s')}"
                  f"  status p50 {_fmt(r['status_p50_ms'], ' ms')} p99 {_fmt(r['status_p99_ms'], ' ms')}"
                  f"  exact {r['exact']}  load {r['load_avg']}\n    RSS MiB {r['rss_mb']}")
        return
    if "views" in result:  # analytics
        print(f"  {result['rows']:,} rows in {result['files']} files, rollups built in "
              f"{_fmt(result.get('rollups_s'), ' s')} {result.get('rollup_lines')}")
        for view, v in result["views"].items():
            print(f"  {view:<17} API {_fmt(v['api_s'], ' s'):>9}  DuckDB {_fmt(v['duckdb_s'], ' s'):>9}"
                  f"  ratio {_fmt(v['ratio'])}  first {_fmt(v.get('first_s'), ' s')}"
                  f"  kept {_fmt(v.get('kept_s'), ' s')}  {v['checked']}")
    elif "endpoints" in result:
        for ep, e in result["endpoints"].items():
            print(f"  {ep:<13} {_fmt(e['requests_per_s'], ' req/s'):>14}  p50 "
                  f"{_fmt(e['p50_ms'], ' ms'):>10}  p99 {_fmt(e['p99_ms'], ' ms'):>10}  "
                  f"non-2xx {e['non_2xx']}  CPU {_fmt(e.get('cpu_us_per_request'), ' µs')}/request")
        print(f"  ratios vs bare: {result['ratios']} (by CPU per request: {result.get('cpu_ratios')})"
              f"  peak RSS MiB: {result['peak_rss_mb']}")
    elif "tributary" in result:
        print(_row("tributary", result["tributary"]))
        for base, entry in (result.get("baselines") or {}).items():
            print(_row(base, entry))
    for shape, res in (result.get("shapes") or {}).items():
        print(f"  -- shape {shape}: {res['rows']} rows, {res['input_mb']} MiB, ratio "
              f"{_fmt(res['ratio'])} ({res['target']}; met {res['target_met']}), runs {res['pair_ratios']}")
        print(_row("tributary", res["tributary"]))
        for base, entry in res["baselines"].items():
            print(_row(base, entry))
    label = "median" if name == "latency" else "ratio"
    print(f"  {label}: {_fmt(result.get('ratio'))}  target met: {result.get('target_met')}  "
          f"load avg: {result.get('load_avg', '-')}")


def context_baselines(context: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """A shape's context runs by baseline: `{"baselines": {...}, "ratio": r}`, or as runs 29-36
    wrote them, the baselines' figures beside "ratio" in one dict."""
    context = context or {}
    if "baselines" in context:
        return context["baselines"]
    return {who: e for who, e in context.items() if who != "ratio"}


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table (for docs/performance.md)."""
    lines = ["| scenario | contender | median | per second | peak RSS MiB | ratio (target) |",
             "|---|---|---|---|---|---|"]
    for name, res in results["scenarios"].items():
        if "error" in res or "skipped" in res:
            lines.append(f"| {name} | — | {res.get('error') or res['skipped']} | | | |")
            continue
        if "plan" in res:  # scale: one row per worker count
            for r in res["runs"]:
                lines.append(f"| {name} | {r['workers']} workers, 2 gateways | {_fmt(r['seconds'])} s"
                             f" | {_fmt(r['rows_per_s'])} rows/s, {_fmt(r['gtin_lines_per_s'])} "
                             f"lines/s | {max(v or 0 for v in r['rss_mb'].values())} | status p99 "
                             f"{_fmt(r['status_p99_ms'])} ms, exact {r['exact']}, load {r['load_avg']} |")
            continue
        ratio = f"**{_fmt(res.get('ratio'))}** ({res.get('target')}; met: {res.get('target_met')})"
        if "views" in res:
            for view, v in res["views"].items():
                lines.append(f"| {name} | {view} ({res['rows']:,} rows) | API {_fmt(v['api_s'])} s | "
                             f"DuckDB {_fmt(v['duckdb_s'])} s | | {_fmt(v['ratio'])} |")
            lines.append(f"| {name} | worst | | | | {ratio} |")
            continue
        if "endpoints" in res:
            rss = res["peak_rss_mb"]
            for ep, e in res["endpoints"].items():
                who = {"bare_aiohttp": "bare_aiohttp"}.get(ep, "gateway")
                lines.append(f"| {name} | {ep} | p50 {_fmt(e['p50_ms'])} ms, p99 "
                             f"{_fmt(e['p99_ms'])} ms | {_fmt(e['requests_per_s'])} req/s | "
                             f"{_fmt(rss.get(who))} | {ratio if ep == 'bare_aiohttp' else ''} |")
            continue
        for shape, sres in (res.get("shapes") or {}).items():
            for who, e in [("tributary", sres["tributary"]), *sres["baselines"].items()]:
                lines.append(f"| {name} {shape} | {who} | {_fmt(e.get('median_s'))} s | "
                             f"{_fmt(e.get('rows_per_s'))} | {_fmt(e.get('peak_rss_mb'))} | "
                             + (f"**{_fmt(sres['ratio'])}** ({sres['target']}; met: "
                                f"{sres['target_met']}) |" if who == "tributary" else "|"))
            for who, e in context_baselines(sres.get("context")).items():   # beside the target's ratio
                lines.append(f"| {name} {shape} | {who} (context) | {_fmt(e.get('median_s'))} s | "
                             f"{_fmt(e.get('rows_per_s'))} | {_fmt(e.get('peak_rss_mb'))} | "
                             f"{_fmt(sres['context']['ratio'])} (not the target) |")
        if "tributary" not in res:
            continue
        contenders = [("tributary", res["tributary"]), *(res.get("baselines") or {}).items()]
        for i, (who, e) in enumerate(contenders):
            if "skipped" in e:
                lines.append(f"| {name} | {who} | skipped: {e['skipped']} | | | |")
                continue
            lines.append(f"| {name} | {who} | {_fmt(e.get('median_s'))} s | "
                         f"{_fmt(e.get('rows_per_s'))} | {_fmt(e.get('peak_rss_mb'))} | "
                         f"{ratio if i == 0 else ''} |")
    return "\n".join(lines)
