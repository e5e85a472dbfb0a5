"""`python -m bench run|generate` — see docs/performance.md."""
from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from contextlib import nullcontext
from datetime import datetime, timezone
from pathlib import Path

from bench import generate
from bench.measure import machine
from bench.printing import markdown, show
from bench.scenarios import OWN_STACKS, SCENARIOS, Context
from bench.shapes import SHAPES
from bench.tributary import OwnStack, Stack

ROOT = Path(__file__).resolve().parent


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run scenarios and write results JSON")
    run.add_argument("--size", choices=sorted(generate.SIZES), default="1m")
    run.add_argument("--scenario", default=",".join(SCENARIOS),
                     help=f"comma-separated, of: {', '.join(SCENARIOS)}")
    run.add_argument("--repeat", type=int, default=3)
    run.add_argument("--out", type=Path, default=ROOT / "out" / "results.json")
    run.add_argument("--inputs", type=Path, default=ROOT / "data",
                     help="where generated inputs are kept (reused between runs)")
    run.add_argument("--stack", type=Path, default=None,
                     help="data dir of an already running stack (default: start our own)")
    run.add_argument("--wrk-seconds", type=float, default=None)
    for what in ("files", "orgs", "rows", "tasks", "lines"):
        run.add_argument(f"--scale-{what}", type=int, default=None,
                         help=f"scale scenario: {what} (default by --size, bench/scale.py)")
    run.add_argument("--scale-workers", default=None, help="scale scenario: e.g. 1,2,3")
    run.add_argument("--shapes", default="main," + ",".join(SHAPES),
                     help="ingest: `main` (the suite's file) and/or shapes of bench/shapes.py: "
                          + ", ".join(SHAPES))
    run.add_argument("--rows", type=int, default=None,
                     help="ingest shapes: rows of each delimited shape (default by --size)")
    run.add_argument("--xlsx-rows", type=int, default=None, help="ingest: rows of the XLSX shape "
                     "(default 200,000; 1,000 at tiny)")
    run.add_argument("--dsr-lines", type=int, default=None, help="ingest: lines of the DSR shape "
                     "(default 1,000,000; 2,000 at tiny)")
    run.add_argument("--analytics-rows", type=int, default=None,
                     help="analytics scenario: rows generated (default by --size, bench/analytics.py)")
    table = sub.add_parser("table", help="print a results JSON as a Markdown table")
    table.add_argument("results", type=Path)
    gen = sub.add_parser("generate", help="only generate the inputs of a size")
    gen.add_argument("--size", choices=sorted(generate.SIZES), default="1m")
    gen.add_argument("--inputs", type=Path, default=ROOT / "data")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace, stack: Stack, work: Path) -> dict:
    names = [n.strip() for n in args.scenario.split(",") if n.strip()]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    wrk_seconds = args.wrk_seconds or (2.0 if args.size == "tiny" else 10.0)
    shapes = tuple(s.strip() for s in args.shapes.split(",") if s.strip())
    if set(shapes) - {"main", *SHAPES}:
        raise SystemExit(f"unknown shape(s): {', '.join(sorted(set(shapes) - {'main', *SHAPES}))}")
    ctx = Context(args.size, max(1, args.repeat), stack, args.inputs, work, wrk_seconds,
                  shapes=shapes, rows=args.rows, xlsx_rows=args.xlsx_rows, dsr_lines=args.dsr_lines)
    ctx.shared["scale_overrides"] = {
        **{k: getattr(args, f"scale_{k}") for k in ("files", "orgs", "rows", "tasks", "lines")},
        "workers": tuple(int(w) for w in args.scale_workers.split(",")) if args.scale_workers
        else None}
    ctx.shared["analytics_rows"] = args.analytics_rows
    results = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "size": args.size, "repeat": ctx.repeat, "machine": machine(), "scenarios": {},
               "shapes": list(shapes), "rows": args.rows, "xlsx_rows": args.xlsx_rows,
               "dsr_lines": args.dsr_lines}
    started = time.monotonic()
    if set(names) - OWN_STACKS - {"analytics"}:
        ctx.paths()
    results["generate_s"] = round(time.monotonic() - started, 1)
    for name in names:
        began = time.monotonic()
        try:
            results["scenarios"][name] = await SCENARIOS[name](ctx)
        except Exception as exc:  # noqa: BLE001 - one broken scenario must not hide the others
            results["scenarios"][name] = {"error": f"{type(exc).__name__}: {exc}"}
        results["scenarios"][name]["wall_s"] = round(time.monotonic() - began, 1)
        if name not in OWN_STACKS:   # a worker restarted mid-run is said, not hidden in the figures
            results["scenarios"][name]["restarts"] = ctx.stack.restarts()
        show(name, results["scenarios"][name])
        save(args.out, results)  # partial results survive a later scenario's crash
    return results


def save(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2))


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if args.command == "table":
        print(markdown(json.loads(args.results.read_text())))
        return
    if args.command == "generate":
        for name, path in generate.ensure(args.inputs, args.size).items():
            print(f"{name}: {path} ({path.stat().st_size / 2**20:.1f} MiB)")
        return
    with tempfile.TemporaryDirectory(prefix="tributary-bench-") as tmp:
        work = Path(tmp) / "work"
        work.mkdir()
        names = {n.strip() for n in args.scenario.split(",")}
        owner = nullcontext(Stack(args.stack)) if args.stack else \
            nullcontext(None) if names <= OWN_STACKS else OwnStack(Path(tmp) / "stack")
        with owner as stack:
            results = asyncio.run(run(args, stack, work))
    save(args.out, results)
    print(f"results: {args.out}")
