"""The worker's cleaning step alone, in this process, on one generated file, so it can be
profiled (`py-spy record -f raw -o OUT -- python -m bench.profile_clean FILE [--org] [--threads]`):
`agents.cleaning._clean_to_parquet` into a temporary directory, then the snapshot (Arrow IPC) written
as the worker writes it. Prints seconds, rows and the snapshot's size."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main(argv: list[str] | None = None) -> None:
    from infra.memory import ensure_worker_environment

    # the worker's allocators, before pyarrow loads, as `tributary worker` gets them
    ensure_worker_environment(["-m", "bench.profile_clean", *(argv or sys.argv[1:])])
    from agents.cleaning import SNAPSHOT_SUFFIX, _clean_to_parquet
    from bench.shapes import CURRENCIES, ORG_MAPPING, PERIOD
    from models.sales.clean import CleanOptions

    parser = argparse.ArgumentParser(prog="python -m bench.profile_clean", description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--org", action="store_true", help="teach the `org` shape's mapping")
    parser.add_argument("--huge-pages", action="store_true",
                        help="keep the default memory policy (the worker turns huge pages off "
                             "and puts Arrow on the C allocator: infra.memory.worker_policy)")
    parser.add_argument("--threads", action="store_true",
                        help="also print each thread's span and CPU time (bench.thread_spans)")
    args = parser.parse_args(argv)
    if not args.huge_pages:
        from infra.memory import worker_policy

        worker_policy()   # as the worker does (tributary/worker_process.py)
    rates = {(c, "USD", PERIOD): __import__("decimal").Decimal(f"{0.5 + i / 100:.2f}")
             for i, c in enumerate(sorted(set(CURRENCIES) - {"USD"}))}
    options = CleanOptions(mappings=[ORG_MAPPING] if args.org else [], base_currency="USD",
                           org_rates=rates)
    from contextlib import nullcontext

    from bench.thread_spans import ThreadSpans

    spans = ThreadSpans() if args.threads else None   # Thread.run patched only when asked
    with tempfile.TemporaryDirectory() as tmp, spans or nullcontext():
        out = os.path.join(tmp, "clean.parquet")
        started, cpu = time.perf_counter(), time.process_time()
        result, _ = _clean_to_parquet(args.file, out, os.path.basename(args.file), options,
                                      lambda rows, percent: None)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = os.path.getsize(out + SNAPSHOT_SUFFIX)
    print(f"{seconds:.3f} s ({cpu:.2f} CPU s), {result.rows} rows, {result.bad_rows} bad, "
          f"layout {result.layout}, snapshot {size / 2**20:.1f} MiB")
    if spans is not None:
        print(spans.table())


if __name__ == "__main__":
    main()
