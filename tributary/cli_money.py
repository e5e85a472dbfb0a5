"""`tributary rates …`, `tributary strict-totals ORG on|off` and the money settings of
`tributary org …`: base currency, locale, date order and strict_totals of an organisation, and
its exchange rates (CSV of month, from, to, rate)."""
from __future__ import annotations

import argparse
import json
import sys


def add_org_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-currency", default=None, help="ISO 4217 code amounts are converted to (default USD)")
    parser.add_argument("--locale", default=None, help="CLDR locale (de_DE, en_US): date order when a file does not say")
    parser.add_argument("--date-order", default=None, help="DMY or MDY: reading of 01/06/2025 when a file does not say")


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    rates = sub.add_parser("rates", help="an organisation's exchange rates")
    rsub = rates.add_subparsers(dest="rates_command", required=True)
    imp = rsub.add_parser("import", parents=[common], help="store the rates of a CSV (month,from,to,rate)")
    imp.add_argument("file", help="CSV file with the header month,from,to,rate (1 from = rate to)")
    imp.add_argument("--org", required=True, help="organisation id or name")
    lst = rsub.add_parser("list", parents=[common])
    lst.add_argument("--org", required=True, help="organisation id or name")
    strict = sub.add_parser("strict-totals",
                            help="fail files whose declared totals do not match (on) or only warn (off)")
    strict.add_argument("org", help="organisation id or name")
    strict.add_argument("state", choices=("on", "off"))


def checked_settings(args) -> dict:
    from models.org_settings import check_settings

    values, problems = check_settings({key: getattr(args, key, None) for key in
                                       ("base_currency", "locale", "date_order")} |
                                      {"strict_totals": getattr(args, "state", None)})
    if problems:
        sys.exit(json.dumps({"error": "validation_error", "fields": problems}))
    return values


async def org_settings(args, db) -> dict:
    """`tributary org settings ORG [--base-currency …]` (show or change the settings) and
    `tributary strict-totals ORG on|off`."""
    from infra.repos import orgs

    found = await orgs.find(db, args.org)
    if not found:
        sys.exit(f"no organisation {args.org!r}")
    return {"id": found["id"], **await orgs.update_settings(db, found["id"], checked_settings(args))}


async def rates_command(args, db) -> dict:
    from infra.repos import orgs
    from infra.repos import rates as rate_repo
    from models.rates import read_csv

    found = await orgs.find(db, args.org)
    if not found:
        sys.exit(f"no organisation {args.org!r}")
    if args.rates_command == "list":
        return {"organisation": found["id"], "results": await rate_repo.find(db, found["id"])}
    try:
        with open(args.file, encoding="utf-8-sig") as handle:
            text = handle.read()
    except OSError as exc:
        sys.exit(f"cannot read {args.file}: {exc}")
    good, problems = read_csv(text)
    if problems:
        sys.exit(json.dumps({"error": "validation_error", "fields": problems}))
    stored = await rate_repo.upsert(db, found["id"], good)
    return {"organisation": found["id"], "imported": len(stored)}
