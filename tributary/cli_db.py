"""What the `tributary` sub-commands share: print a document, run against the stack's MongoDB."""
from __future__ import annotations

import json
import sys


def print_json(doc) -> None:
    print(json.dumps(doc, indent=2, default=str))


async def with_db(settings, fn):
    from infra.mongo import connect, database

    if not settings.mongo_url:
        sys.exit("no document store: start `tributary up` with this --data-dir "
                 "or set TRIBUTARY_MONGO_URL")
    client = connect(settings)
    try:
        return await fn(database(client, settings))
    finally:
        await client.close()
