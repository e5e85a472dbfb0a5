"""Further `tributary` sub-commands: GTIN participants and sessions (and later status/replay)."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys


def add_commands(sub: argparse._SubParsersAction) -> None:
    part = sub.add_parser("participant", help="GTIN-service participants")
    psub = part.add_subparsers(dest="participant_command", required=True)
    create = psub.add_parser("create", parents=[_common()])
    create.add_argument("--id", required=True, help="participant URN")
    create.add_argument("--prefix", action="append", default=[], help="GS1 company prefix")
    create.add_argument("--type", required=True, help="brand, retailer, gs1, contributor, …")
    create.add_argument("--product360", action="store_true")
    create.add_argument("--system", action="store_true")
    sess = sub.add_parser("session", help="GTIN-service sessions (tickets)")
    ssub = sess.add_subparsers(dest="session_command", required=True)
    screate = ssub.add_parser("create", parents=[_common()])
    screate.add_argument("--participant", default=None, help="participant URN")
    screate.add_argument("--user", required=True)
    screate.add_argument("--name", default=None)


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS)
    return common


async def _participant(args, db):
    from infra.repos import parties

    errors = parties.check_participant(args.id, args.prefix, args.type)
    if errors:
        sys.exit(json.dumps({"error": "validation_error", "fields": errors}))
    return await parties.create_participant(db, args.id, args.prefix, args.type,
                                            args.product360, args.system)


async def _session(args, db):
    from infra.repos import parties

    return await parties.create_session(db, args.participant, args.user, args.name)


def run_command(args, settings) -> int:
    from infra.cli import _print, _with_db

    if args.command == "participant":
        _print(asyncio.run(_with_db(settings, lambda db: _participant(args, db))))
        return 0
    if args.command == "session":
        _print(asyncio.run(_with_db(settings, lambda db: _session(args, db))))
        return 0
    raise SystemExit(f"unknown command {args.command}")
