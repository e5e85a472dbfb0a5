"""Further `tributary` sub-commands: GTIN participants and sessions, and operator tools
(replay, reimport, status, contract; their logic lives in `infra/ops/`)."""
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
    create.add_argument("--gtin8", action="append", default=[],
                        help="an individually assigned GTIN-8, or a GS1-8 prefix (3-7 digits)")
    create.add_argument("--type", required=True, help="brand, retailer, gs1, contributor, …")
    create.add_argument("--product360", action="store_true")
    create.add_argument("--system", action="store_true")
    sess = sub.add_parser("session", help="GTIN-service sessions (tickets)")
    ssub = sess.add_subparsers(dest="session_command", required=True)
    screate = ssub.add_parser("create", parents=[_common()])
    screate.add_argument("--participant", default=None, help="participant URN")
    screate.add_argument("--user", required=True)
    screate.add_argument("--name", default=None)
    _add_ops(sub)


def _add_ops(sub: argparse._SubParsersAction) -> None:
    replay = sub.add_parser(
        "replay", help="re-publish commands from a command topic so agents redo the work",
        description="Re-publish the commands of a command topic (event topics are refused). "
        "Offsets apply to every partition. --from-time/--to-time filter on the envelope `ts` "
        "while scanning from the offsets (the embedded broker has no timestamp lookup). "
        "Replayed commands get new message ids; the original is kept as payload `replay_of`.")
    replay.add_argument("--topic", required=True)
    start = replay.add_mutually_exclusive_group()
    start.add_argument("--from-offset", type=int, default=None)
    start.add_argument("--from-time", default=None, help="ISO date-time (envelope ts)")
    end = replay.add_mutually_exclusive_group()
    end.add_argument("--to-offset", type=int, default=None, help="last offset, inclusive")
    end.add_argument("--to-time", default=None, help="ISO date-time (envelope ts), inclusive")
    replay.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                        help="payload field (dotted) or type/message_id equals VALUE; repeatable")
    replay.add_argument("--dry-run", action="store_true", help="print, do not send")
    reimport = sub.add_parser("reimport", help="reimport an organisation's files of a period")
    reimport.add_argument("--organisation", required=True, help="organisation id or name")
    reimport.add_argument("--period", required=True, help="reporting period YYYY-MM")
    reimport.add_argument("--status", default=None, help="only files in this status (e.g. FAILED)")
    reimport.add_argument("--no-wait", action="store_true", help="issue and return")
    reimport.add_argument("--timeout", type=float, default=600.0)
    status = sub.add_parser("status", help="history of a sales file or GTIN import task")
    status.add_argument("entity", metavar="FILE_ID|TASK_ID")
    status.add_argument("--json", action="store_true", help="print the whole view as JSON")
    contract = sub.add_parser("contract", help="the topic contract (AsyncAPI 3) document")
    contract.add_argument("--write", action="store_true", help="regenerate docs/asyncapi.json")
    contract.add_argument("--check", action="store_true",
                          help="exit 1 when docs/asyncapi.json is not up to date")


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS)
    return common


async def _participant(args, db):
    from infra.repos import parties

    errors = parties.check_participant(args.id, args.prefix, args.type, args.gtin8, args.system)
    if errors:
        sys.exit(json.dumps({"error": "validation_error", "fields": errors}))
    return await parties.create_participant(db, args.id, args.prefix, args.type,
                                            args.product360, args.system, args.gtin8)


async def _session(args, db):
    from infra.repos import parties

    return await parties.create_session(db, args.participant, args.user, args.name)


DB_COMMANDS = {"participant": _participant, "session": _session}


def run_command(args, settings) -> int:
    if args.command in ("replay", "reimport", "status", "contract"):
        return _run_op(args, settings)
    raise SystemExit(f"unknown command {args.command}")


def _need_kafka(settings) -> str:
    if not settings.kafka_url:
        sys.exit("no broker: start `tributary up` with this --data-dir or set TRIBUTARY_KAFKA_URL")
    return settings.kafka_url


def _run_op(args, settings) -> int:
    from tributary.cli_db import print_json, with_db

    if args.command == "contract":
        from topics import asyncapi

        if args.check:
            ok = asyncapi.is_current()
            print(f"{asyncapi.DOCUMENT} is {'up to date' if ok else 'STALE: run tributary contract --write'}")
            return 0 if ok else 1
        if args.write:
            print(f"wrote {asyncapi.write()}")
            return 0
        sys.stdout.write(asyncapi.render())
        return 0
    if args.command == "replay":
        from infra.ops import replay as ops

        try:
            sel = ops.Selection(
                from_offset=args.from_offset, to_offset=args.to_offset,
                from_time=ops.parse_time(args.from_time) if args.from_time else None,
                to_time=ops.parse_time(args.to_time) if args.to_time else None,
                where=ops.parse_where(args.where))
            result = asyncio.run(ops.replay(_need_kafka(settings), args.topic, sel, args.dry_run,
                                            out=lambda line: print(line, flush=True)))
        except ops.ReplayError as exc:
            sys.exit(f"replay: {exc}")
        print(json.dumps(result))
        return 0
    if args.command == "reimport":
        from infra.ops import reimport as ops

        async def run(db):
            return await ops.reimport(db, _need_kafka(settings), args.organisation, args.period,
                                      args.status, wait=not args.no_wait, timeout=args.timeout,
                                      out=lambda line: print(line, flush=True))
        try:
            result = asyncio.run(with_db(settings, run))
        except ops.ReimportError as exc:
            sys.exit(f"reimport: {exc}")
        print(json.dumps(result))
        return 1 if result["pending"] and not args.no_wait else 0
    from infra.ops import status as ops

    found = asyncio.run(with_db(settings, lambda db: ops.status(db, args.entity)))
    if found is None:
        sys.exit(f"no file or task {args.entity!r}")
    if args.json:
        print_json(found)
    else:
        print("\n".join(ops.render(found)))
    return 0
