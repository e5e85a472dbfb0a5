"""Render the file-shape tables of docs/performance.md from `python -m bench run --scenario
ingest` results JSON files (one per run, oldest first):

    python -m bench.shapes_doc docs/shapes-figures/run1.json docs/shapes-figures/run2.json

Every figure comes from those files; only the "what changed" cells (`CHANGES`, by run file
name) are written by hand. The output replaces the text between the `shapes:begin` and
`shapes:end` markers of docs/performance.md (or is printed with `--print`).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.shape_ingest import DEFAULT_TARGET, TARGETS

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
BEGIN, END = "<!-- shapes:begin -->", "<!-- shapes:end -->"
CHANGES = {  # run file stem → what the code measured in that run had that the previous had not
    "run1": "before: the code of f3fc3c0 (the worker was killed 3 times for missed heartbeats and "
            "restarted on the code of that moment, c407dd8 or later)",
    "run3": "after: 393311b — unmapped columns never converted; XLSX cells per column; snapshot "
            "sums formatted by Arrow, staged as JSON lines, read off the event loop, pages in bulk; "
            "DSR normalisers cached",
    "run4": "after: 9d9e751 — freed heap handed back after the cleaning and the import "
            "(malloc_trim); only quoted, currencies, extra and xlsx were run",
    "run5": "after: a9ad277 — snapshot lists as Arrow end to end (IPC staging and pages); "
            "transparent huge pages off in the worker; columnar DSR reader; statement digest once "
            "per distinct text; ISRCs in Arrow kernels; decimal commas cast directly; XLSX sheet "
            "parsed once; rollups built after FINALIZED in the background",
    "run6": "after: 9232778 — the bench waits for the workers to be idle after each Tributary "
            "run (the rollups no longer run into the baseline: polars' medians fell from "
            "1.19–1.66 s in run5 to 0.81–1.06 s); snapshot keys as int32 ids, folds bounded and split "
            "by artist, two snapshot threads, pages staged by the cleaning; worker memory policy",
    "run7-5m": "the code of run6, the 5 M-row files (`--size 5m`; XLSX and DSR stay at 200 k "
               "rows and 1 M lines, so they are not in this run)",
    "run8": "after: 97a16e7 — each string column dictionary-encoded once per row group for the "
            "digest, the snapshot and the Parquet writer; CSV ranges without quotes read without "
            "quote handling; a ~1 MB first range; lists sorted on ranked ids; Arrow on jemalloc "
            "(250 ms decay)",
    "run9-5m": "the code of run8, the 5 M-row files",
    "run10": "after: the sixth pass — Arrow's C++ default pool on jemalloc in the worker "
             "(ARROW_DEFAULT_MEMORY_POOL); rollups keyed by track or release built in parts of 1 M "
             "source rows; one gateway middleware",
    "run11-5m": "the code of run10, the main and `currencies` 5 M-row files only (rollups in "
                "parts of 1 M source rows: their background time doubled)",
    "run12": "the code of run10 again, right after it (a second sample of a noisy hour: polars' "
             "main-file median 0.85 s in run10, 1.24 s here)",
    "run13-5m": "after: 18ea2c1 — rollups in parts of 1 M groups (estimated) instead of 1 M rows; "
                "the main and `currencies` 5 M-row files only",
    "run14-5m": "the code of 4f9b1f1 (run13's, plus the outbox relay's index, which the ingest "
                "does not touch): the five 5 M-row shapes not measured since run9",
    "run16": "after: the eleventh pass — snapshot pages kept in object storage (the import no "
             "longer writes them into MongoDB); the DSR reader's fields, links and separators on "
             "threads. A faster host than run10/run12 (polars' main-file median 0.53 s): compare "
             "the ratios, not the seconds",
    "run18": "after: adbc28a (twelfth pass, first step) — the snapshot lists sorted on the "
             "decimals' 64-bit words and packed key ranks; pages of the short lists encoded while "
             "byTrack is sorted; byTrack's partitions folded on two threads. A noisier hour than "
             "run16 (polars' main-file median 0.58 s)",
    "run19": "after: the twelfth pass — also folds past 1 M partial groups, one group-by per "
             "batch in the emitter, the digest's plain texts lower-cased by Arrow and its "
             "DSPs, months and currencies from the sink's codes",
    "run20-5m": "the code of run19 with partial groups folded past 750 k (run19 had 1 M): "
                "`currencies` at 5 M rows only",
    "run21": "after: 3ef10be (thirteenth pass) — text columns read dictionary-coded and carried "
             "coded to the sink; the conversion keyed on integer codes. A slow hour (polars' "
             "main-file median 1.08 s, other shapes 0.64-0.80 s): compare the ratios, not the seconds",
    "run22-5m": "the code of run21 (plus the DSR's coded columns, which `currencies` does not "
                "use): `currencies` at 5 M rows only",
    "run23": "the code of run21 with the organisation mapping's coded columns (600c8b7), the "
             "dead decodes removed (5e0ca42) and 66c71bc (a re-announced terminal status, off "
             "this path). A quiet hour (load average 0.11 before): the fairest sample of the "
             "thirteenth pass",
    "run24": "after: d5328f2 (fifteenth pass) — the summary keys and the snapshot document's "
             "first entries written to MongoDB as Arrow values; the long-line check folded into "
             "the UTF-8 pass; ranges read from the memory map. A busier hour (load average 1.19 "
             "before; polars' main-file median 0.71 s)",
    "run26": "after: 2aecaf2 (fifteenth pass, end) — also one lookup of each text value per row "
             "group (6c557d5). A noisy hour (polars' runs 0.67-1.09 s across the shapes): "
             "delimited shapes only",
    "run29": "after: 644fad3 (sixteenth pass; the cleaning unchanged since run26) — with the "
             "currencies shape's context run (polars split by currency). A slow hour: polars' "
             "main-file median 0.76 s, load average 1.23 before",
    "run30": "after: 2f5fc87 (seventeenth pass, first half) — UPC check digits in numpy (cd1fc46), "
             "the summary keys taken on ids (7dc2ef1), the snapshot staged while the last row group "
             "is written (2f5fc87). A noisy hour: some Tributary runs 30-50 % above the others",
    "run31": "after: 8d89f69 (seventeenth pass) — a 1 M-row file cut in six byte ranges of ~23 MB "
             "instead of 17 of 8 MB (each range's fixed costs paid a third as often). Load average "
             "2.09 before",
    "run32-5m": "after: 8d89f69 (seventeenth pass) — the worker's peak RSS counts the input "
                "file twice over: the UTF-8 pass's two maps of the whole file (fixed in 7102fe8, "
                "run33-5m)",
    "run33-5m": "after: 7102fe8 (seventeenth pass) — the UTF-8 pass maps the file once and lets "
                "each checked part leave the resident set",
    "run34": "after: 2578ac8 (seventeenth pass, end). Polars' main-file runs spread 0.78-1.09 s "
             "(the median flatters the main file's ratio: its pairs are 1.86, 1.55, 1.86)",
    "run35": "after: c87ce7d (seventeenth pass, end) — also byTrack's batches sent to its folds "
             "ungrouped where grouping barely shrinks them (c87ce7d), the DSR's ICPNs through the "
             "columnar UPC check (6c688ef). Load average 1.37 before",
    "run36": "after: d34491d (eighteenth pass) — the DSR's record types tested once per distinct "
             "first cell, its resources linked on the reader's other thread. A fast polars hour "
             "(main file 0.70 s against 0.89 s in run35)",
    "run37": "after: ab374b6 (eighteenth pass, end) — also lists of many keys kept in up to 16 "
             "partitions. A slow hour: every side 25-40 % slower than in run36 (polars' main "
             "file 1.04 s, Tributary's 1.77 s)",
    "run38-5m": "the code of run37, the 5 M-row main and currencies files: the peak with lists "
                "in up to 16 partitions",
    "run39": "the code of run37 (545c6f6), a quieter hour: polars' main file 0.77 s, its DSR "
             "0.87 s, its fastest DSR median so far",
    "run40-dsr": "after: f49d4ba (eighteenth pass) — also the DSR's artists taken coded, once per "
                 "record; the DSR shape alone",
    "run41": "dfecf30 (nineteenth pass) — lists regrouped from another grouping's partial groups, "
             "the DSR's separators and cell spans without fresh temporaries, its file mapped. "
             "A slow hour: polars' DSR 1.18 s",
    "run42": "after: 90d9c1c (nineteenth pass) — also the pages' buffers compressed on their "
             "encoding threads. A slow, noisy hour: polars' DSR 1.05-1.54 s",
    "run43-5m": "the code of run42, the 5 M-row main and currencies files, a slow hour (polars' "
                "main file 5.24 s against 3.62 s in run38-5m): the peak after the regrouping",
    "run45": "the code of 9095b74 (the nineteenth pass's end), a quieter hour: every shape "
             "but currencies within its target (polars' DSR 1.83 s)",
    "run46": "the code of d08fb30 (the twentieth pass: no change on the ingest path) on a "
             "fresh machine, the main and currencies files only",
    "run48": "the code of d08fb30 again, every shape, a slower hour (polars' main file 1.19 s, "
             "calamine 5.38 s); a run47 between them is not shown: profiling ran beside it",
    "run49": "the code of 8aab66b (the twenty-first pass: no change on the ingest path, the "
             "gateway without an aiohttp middleware), every shape: all but currencies within "
             "target",
    "run50-currencies": "the code of b78ed0d (the twenty-second pass: no change on the ingest "
                        "path), the currencies shape alone",
    "run51-dsr": "the code of b78ed0d, the DSR shape alone",
    "run52-dsr-currencies": "the code of b78ed0d, the DSR and currencies shapes",
    "run53": "the code of b78ed0d, every shape, a noisy hour (polars' currencies runs 0.86-1.43 s, "
             "its DSR 1.03-2.31 s): currencies' 2.10 is a slow polars median, not a faster "
             "cleaning (Tributary 2.76 s)",
    "run54-5m": "the code of b78ed0d, the 5 M-row main and currencies files: the peak on this "
                "code (907-942 MiB on currencies, 892 in run43-5m)",
    "run55": "the code of 24c9d04 (the twenty-third pass: a list's first batch judged on a hash "
             "count, the partitions a batch fills folded on two threads), main and currencies, "
             "a noisy hour (polars' main file 1.34 s)",
    "run56-5m": "the code of 24c9d04, the 5 M-row currencies file: the peak with two folds at "
                "a time (847-902 MiB)",
    "run57": "the code of 40df173 (the twenty-third pass: the summary keys taken while the pages "
             "are encoded), every shape: all but currencies within target; currencies' polars "
             "median 0.88 s",
    "run58-5m": "the code of 40df173, the 5 M-row main and currencies files, a busy hour (load "
                "average 2.78 before them)",
    "run59": "the code of 0fa9fb1 (the twenty-third pass: the writer and the digest at nice 5 "
             "at a file's end), main and currencies, a noisy hour (currencies' runs 2.36-2.80 s)",
    "run60": "the code of 0fa9fb1, every shape, a slow hour (polars' main file 1.04 s, its "
             "currencies 1.29 s, its DSR 1.27-2.25 s): all but currencies within target",
    "run61": "the code of 0a54fcb (the twenty-fourth pass: Arrow's jemalloc on one arena at its "
             "own 1 s decay), main and currencies, a fast polars run (0.95 s on currencies)",
    "run62-5m": "the code of 0a54fcb, the 5 M-row main and currencies files: currencies' peak "
                "888-924 MiB, main 584 MiB",
    "run63": "the code of 0a54fcb, every shape, a noisy hour (load average 1.84 before it): all "
             "but currencies within target",
    "run64": "the code of 5a84d71 (the twenty-fourth pass's last), main and currencies, at the "
             "start of the twenty-fifth pass",
    "run65": "the code of b678ec5 (the twenty-fifth pass: FINALIZED before the summary's refresh, "
             "0.05-0.14 s → 0.01 s; the conversion without a round), every shape: all but "
             "currencies within target",
    "run66-5m": "the code of 0b95d70 (the twenty-fifth pass, with the summary's union), the 5 M-row "
                "main and currencies files: currencies' peak 905-927 MiB, main 600 MiB",
    "run67": "the code of 4fc4218 (the twenty-fifth pass's last), every shape, a slow hour for "
             "the main file (its Tributary runs 2.04-2.22 s, polars 1.20-1.34 s): all but "
             "currencies within target",
    "run68": "the code of d01670a (the twenty-sixth pass: amounts shown plain without a regex, "
             "the worker's fetches at 200 ms while it reads), every shape: all but currencies "
             "within target, decimal_comma at 2.00",
    "run69": "the code of 4f7f513 (the twenty-sixth pass's last: decimal-comma amounts without "
             "the regex, the conversion's 256-bit results checked), every shape",
    "run70-5m": "the code of 4b616f6 (the twenty-sixth pass's last), the 5 M-row main and "
                "currencies files: currencies' peak 884-935 MiB, main 606 MiB",
}


def _s(value) -> str:
    return "—" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def _runs(entry: dict) -> str:
    return ", ".join(f"{r:.2f}" for r in entry.get("runs") or []) or "—"


def _rss_runs(res: dict) -> str:
    runs = res.get("rss_runs")
    return f" (runs {', '.join(_s(r) for r in runs)})" if runs else ""


def _stages(trib: dict) -> str:
    """Cleaning / import medians, and the background work after FINALIZED (rollups) where the
    run waited for it (runs from e6cc02b on)."""
    after = f"; rollups after: {_s(trib['background_s'])} s" if trib.get("background_s") is not None else ""
    return f"{_s(trib.get('cleaning_s'))} / {_s(trib.get('import_s'))} s{after}"


def shape_rows(label: str, result: dict) -> dict[str, str]:
    """One Markdown table row per shape of one results file."""
    ingest = result["scenarios"]["ingest"]
    out = {}
    main = ingest.get("tributary")
    if main:
        polars = ingest["baselines"].get("polars", {})
        ratio = round(main["median_s"] / polars["median_s"], 2) if polars.get("median_s") else None
        out["main"] = (f"| {label} | {ingest['rows']:,} | {_s(main['median_s'])} s ({_runs(main)}) | "
                       f"polars {_s(polars.get('median_s'))} s ({_runs(polars)}) | **{_s(ratio)}** | "
                       f"— | {_stages(main)} | "
                       f"{_s(main.get('peak_rss_mb'))} | {CHANGES.get(label, '')} |")
    for shape, res in (ingest.get("shapes") or {}).items():
        trib = res["tributary"]
        (name, base), = res["baselines"].items()
        errors = len(trib.get("errors") or [])
        rows = f"{res['rows']:,}" if res.get("rows") else "—"
        out[shape] = (f"| {label} | {rows} | {_s(trib.get('median_s'))} s "
                      f"({_runs(trib)}{f'; {errors} failed' if errors else ''}) | {name} "
                      f"{_s(base.get('median_s'))} s ({_runs(base)}) | **{_s(res['ratio'])}** | "
                      f"{', '.join(f'{r:.2f}' for r in res['pair_ratios'])} | "
                      f"{_stages(trib)} | "
                      f"{_s(trib.get('peak_rss_mb'))}{_rss_runs(res)} | {CHANGES.get(label, '')} |")
    return out


def render(paths: list[Path]) -> str:
    results = [(p.stem, json.loads(p.read_text())) for p in paths]
    rows = [(label, shape_rows(label, r)) for label, r in results]
    shapes = list(dict.fromkeys(s for _, r in rows for s in r))
    lines = []
    for label, r in results:
        load = r["scenarios"]["ingest"].get("load_avg")
        sizes = f" --shapes {','.join(r['shapes'])}" if r.get("shapes") else ""
        sizes += "".join(f" --{k.replace('_', '-')} {r[k]}" for k in ("rows", "xlsx_rows", "dsr_lines")
                        if r.get(k))
        lines.append(f"- `{label}`: started {r['started']}, `--size {r['size']} --repeat {r['repeat']}"
                     f"{sizes}`; load average "
                     f"{load[0] if load else '?'} before, {load[1] if load else '?'} after the "
                     f"{'main file' if 'tributary' in r['scenarios']['ingest'] else 'runs'}; {r['machine']['nproc']} vCPU {r['machine']['cpu']}")
    for shape in shapes:
        target = "the main file: ≤ 2.0 (stretch ≤ 1.0)" if shape == "main" else \
            f"≤ {TARGETS.get(shape, DEFAULT_TARGET)}"
        lines += ["", f"**{shape}** (ratio target {target}; worker peak RSS ≤ 1024 MiB)", "",
                  "| run | rows | Tributary median (runs) | baseline median (runs) | ratio of medians | "
                  "ratio per interleaved pair | cleaning / import (medians) | worker peak RSS MiB | "
                  "what changed |", "|---|---|---|---|---|---|---|---|---|"]
        lines += [r[shape] for _, r in rows if shape in r]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    show = "--print" in argv
    paths = [Path(a) for a in argv if a != "--print"]
    text = render(paths)
    if show:
        print(text)
        return
    doc = DOC.read_text()
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


if __name__ == "__main__":
    main(sys.argv[1:])
