"""The `tributary` command: run the stack or one process, and manage organisations."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from infra.config import load_settings
from tributary.boot import policies
from tributary.cli_db import print_json, with_db


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=argparse.SUPPRESS,
                        help="data directory of the embedded stack (default ./var)")
    parser = argparse.ArgumentParser(prog="tributary", description=__doc__, parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)
    _add = sub.add_parser

    def add_parser(name, **kw):
        return _add(name, parents=[common], **kw)

    sub.add_parser = add_parser  # every sub-command also takes --data-dir
    up = sub.add_parser("up", help="start the whole system on the embedded default")
    up.add_argument("--port", type=int, default=8080, help="gateway port (0 = any free port)")
    up.add_argument("--workers", type=int, default=1)
    up.add_argument("--gateways", type=int, default=1,
                    help="gateways on their own ports, as behind a load balancer")
    sub.add_parser("worker", help="run one Faust worker")
    gw = sub.add_parser("gateway", help="run the HTTP gateway")
    gw.add_argument("--host", default="127.0.0.1")
    gw.add_argument("--port", type=int, default=8080)
    table = sub.add_parser("settings", help="every TRIBUTARY_* variable (docs/settings.md)")
    table.add_argument("--write", action="store_true", help="regenerate docs/settings.md")
    org = sub.add_parser("org", help="organisations and API tokens")
    org_sub = org.add_subparsers(dest="org_command", required=True)
    from tributary.cli_money import add_commands as add_money
    from tributary.cli_money import add_org_options

    create = org_sub.add_parser("create", parents=[common])
    create.add_argument("name")
    add_org_options(create)
    org_sub.add_parser("token", parents=[common]).add_argument("org", help="organisation id or name")
    org_set = org_sub.add_parser("settings", parents=[common], help="show or change money/date settings")
    org_set.add_argument("org", help="organisation id or name")
    add_org_options(org_set)
    from tributary.cli_more import add_commands

    add_commands(sub)
    add_money(sub, common)
    return parser


async def _org(args, db):
    from infra.repos import orgs
    from tributary.cli_money import checked_settings, org_settings

    if args.org_command == "create":
        return await orgs.create(db, args.name, **checked_settings(args))
    if args.org_command == "settings":
        return await org_settings(args, db)
    found = await orgs.find(db, args.org)
    if not found:
        sys.exit(f"no organisation {args.org!r}")
    return {"id": found["id"], "name": found["name"], "token": await orgs.issue_token(db, found["id"])}


def _db_commands() -> dict:
    """Sub-commands that read or write the document store: name → async handler(args, db)."""
    from tributary.cli_money import org_settings, rates_command
    from tributary.cli_more import DB_COMMANDS

    return {"org": _org, "strict-totals": org_settings, "rates": rates_command, **DB_COMMANDS}


SETTINGS_DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def _settings_table(write: bool) -> int:
    from infra.config import markdown

    if write:
        SETTINGS_DOC.write_text(markdown())
        print(f"wrote {SETTINGS_DOC}")
    else:
        sys.stdout.write(markdown())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.data_dir = getattr(args, "data_dir", None)
    if args.command == "settings":
        return _settings_table(args.write)
    if args.command == "worker":   # started again with the allocators' variables, before anything loads
        from infra.memory import ensure_worker_environment

        ensure_worker_environment(["-m", "tributary", *(sys.argv[1:] if argv is None else argv)])
    settings = load_settings(args.data_dir)
    policies(settings)  # the operations (replay, reimport, …) retry and write outbox entries too
    if args.command == "up":
        from infra.stack.up import run_up

        return run_up(load_settings(args.data_dir, use_state=False), args.port, args.workers,
                      args.gateways)
    if args.command == "worker":
        from tributary.worker_process import run_worker

        run_worker(settings)
        return 0
    if args.command == "gateway":
        from tributary.gateway_process import run_gateway

        run_gateway(settings, args.host, args.port)
        return 0
    handler = _db_commands().get(args.command)
    if handler is not None:
        print_json(asyncio.run(with_db(settings, lambda db: handler(args, db))))
        return 0
    from tributary.cli_more import run_command

    return run_command(args, settings)


if __name__ == "__main__":
    sys.exit(main())
