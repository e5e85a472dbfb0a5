"""Each statement counted once, and its declared totals checked (docs/money.md).

After cleaning: the file's statement (models.sales.statement) is compared with the
organisation's counted files — the same statement is a DUPLICATE naming the original unless
the process request named that original (`allow_duplicate_of`); the same layout, DSPs and
periods with other rows is a superset or correction, imported with a warning naming the other
file. The declared totals are compared with the imported rows (`totals_check`); a multi-part
DSR waits for all its parts (`check_parts`, after each part is imported). With the
organisation's `strict_totals`, a revenue gap above TRIBUTARY_MAX_TOTAL_GAP fails the file.
"""
from __future__ import annotations

import logging
import re

from agents import withdraw
from agents.deps import Deps
from agents.sales_status import fail, set_status
from infra.repos import snapshots as snapshot_repo
from infra.repos import statements as repo
from infra.retry import retry
from models.sales import totals as tc
from models.sales.statement import relation

log = logging.getLogger("tributary.statements")
_XOFY = re.compile(r"_\d+of\d+_")


def overridden(record: dict, original: int) -> bool:
    return (record.get("duplicate_override") or {}).get("of") == original


async def duplicate(deps: Deps, record: dict, twin: dict, checksum: str, how: str) -> None:
    original = twin.get("id", twin.get("file_id"))
    await fail(deps, record, "DUPLICATE",
               f"{how} as file {original} ({twin.get('filename')}): this statement is already "
               f"counted; to import it anyway process it with allow_duplicate_of={original}",
               checksum=checksum, duplicate_of=original)


async def _strict(deps: Deps, organisation: str) -> bool:
    org = await deps.db.organisations.find_one({"_id": organisation}, {"strict_totals": 1})
    return bool((org or {}).get("strict_totals"))


def _parts(result, filename: str) -> dict | None:
    """The report a part belongs to: the sender and MessageId its HEAD states (shared by every
    file of a multi-file message), else the file name without its `_1of2_`."""
    if not result.number_of_files or result.number_of_files < 2:
        return None
    group = (result.declared_totals or {}).get("message") or _XOFY.sub("_", filename)
    return {"group": group, "part": result.file_number, "of": result.number_of_files}


async def _refused(deps: Deps, organisation: str, check: dict) -> str | None:
    """strict_totals: why a MISMATCH fails the file (a revenue gap above TRIBUTARY_MAX_TOTAL_GAP
    of the declared revenue), or None when it only warns."""
    gap = tc.max_gap(deps.settings.money.max_total_gap)
    if check["status"] != "MISMATCH" or not tc.over_gap(check, gap):
        return None
    if not await _strict(deps, organisation):
        return None
    return (f"strict_totals: {check['message']} (gap above {gap * 100}% of the "
            "declared revenue)")


async def after_cleaning(deps: Deps, record: dict, result, statement: dict,
                         checksum: str) -> dict | None:
    """Record fields for CLEANED, or None when the file was failed here."""
    await repo.save(deps.db, record, statement)
    twins = await repo.twins(deps.db, record, statement["key"])
    if twins and not overridden(record, twins[0]["file_id"]):
        await duplicate(deps, record, twins[0], checksum, "the same statement (layout, DSP, "
                        "period and rows)")
        return None
    warnings, related = [], []
    for other in await repo.relatives(deps.db, record, statement):
        kind = relation(statement, other)
        if kind is None or len(related) >= 5:
            continue
        what = {"superset": f"holds every row of file {other['file_id']} and more",
                "subset": f"holds only part of the rows of file {other['file_id']}",
                "correction": f"is a correction of file {other['file_id']}: same DSP and period, "
                              "changed rows"}[kind]
        text = (f"this statement {what} ({other['filename']}: {other['rows']} rows, this one "
                f"{statement['rows']}); both are counted — void the one that is replaced")
        related.append({"relation": kind, "file_id": other["file_id"], "filename": other["filename"]})
        warnings.append({"warning": text, "relation": kind, "related_file": other["file_id"]})
    declared = tc.declared_of(result)
    parts = _parts(result, record["filename"])
    if parts:
        check = tc.pending(parts["part"], parts["of"], [parts["part"]])
    else:
        check = tc.compare(declared, statement["imported"])
    fields = {"statement": {k: statement[k] for k in ("key", "fingerprint", "layout", "dsps",
                                                      "periods", "rows")},
              "imported_totals": statement["imported"], "declared_totals": declared,
              "related_files": related, "totals_check": check["status"], "totals": check,
              "parts": parts, "parts_group": parts and parts["group"]}
    if check["status"] == "MISMATCH":
        warnings.insert(0, {"warning": f"declared totals do not match: {check['message']}",
                            "totals_check": "MISMATCH"})
        why = await _refused(deps, record["organisation"], check)
        if why:
            await fail(deps, record, "TOTALS_MISMATCH", why, checksum=checksum, **fields)
            return None
    return {**fields, "warnings": warnings}


def _report(docs: list[dict]) -> tuple[dict | None, dict]:
    """Declared and imported figures of a whole multi-part report: the summaries (repeated in
    every part) once, each part's own FOOT counts, report-wide counts summed over the parts."""
    docs = sorted(docs, key=lambda d: d["parts"].get("part") or 0)
    revenue: dict = {}
    quantity = 0
    for doc in docs:
        imported = doc.get("imported_totals") or {}
        for cur, amount in (imported.get("revenue") or {}).items():
            revenue[cur] = str(tc.Decimal(revenue.get(cur, "0")) + tc.Decimal(amount))
        quantity += int(imported.get("quantity") or 0)
    stated = [d.get("declared_totals") or {} for d in docs]
    first = next((s for s in stated if s), None)
    if first is None:
        return None, {"revenue": revenue, "quantity": quantity}
    declared = {k: v for k, v in first.items() if k not in ("counts", "report_counts")}
    counts: dict = {}
    for doc, own in zip(docs, stated):
        for name, pair in (own.get("counts") or {}).items():
            counts[f"part {doc['parts'].get('part')} {name}"] = pair
    for name, pair in (stated[-1].get("report_counts") or {}).items():
        found = sum(int(((s.get("report_counts") or {}).get(name) or {}).get("found") or 0)
                    for s in stated)
        counts[name] = {"declared": pair["declared"], "found": found}
    declared["counts"] = counts
    return declared, {"revenue": revenue, "quantity": quantity}


async def check_parts(deps: Deps, record: dict) -> None:
    """Once every part of a multi-part report is imported, check the report's totals over all
    parts once and record the verdict on each part; until then each part says which are
    missing. Under strict_totals a failing report fails every part (their rows are taken out)."""
    parts = record.get("parts")
    if not parts:
        return
    docs = [d async for d in deps.db.files.find(
        {"organisation": record["organisation"], "parts_group": parts["group"],
         "status": {"$in": ["PROCESSED", "FINALIZED"]}})]
    have = sorted({d["parts"]["part"] for d in docs if d["parts"].get("part")})
    if len(have) < parts["of"]:
        check = tc.pending(parts["part"], parts["of"], have)
    else:
        check = tc.compare(*_report(docs))
        check["parts"] = {"of": parts["of"], "received": have,
                          "files": sorted(d["_id"] for d in docs)}
    why = await _refused(deps, record["organisation"], check)
    for doc in docs:
        doc.pop("_id", None)
        if why:
            await withdraw.remove_rows(deps, doc)
            await fail(deps, doc, "TOTALS_MISMATCH", why, totals_check=check["status"], totals=check,
                       parquet_key=None)
        else:
            await set_status(deps, doc, doc["status"], totals_check=check["status"], totals=check)
    if why:
        await retry(lambda: snapshot_repo.refresh_summary(deps.db, record["organisation"]),
                    "refresh the summary")
