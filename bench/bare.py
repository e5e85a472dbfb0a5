"""The status-query baseline: a bare aiohttp app answering a constant JSON document
(`python -m bench.bare` prints its port on stdout, then serves until killed)."""
from __future__ import annotations

import asyncio

from aiohttp import web

BODY = b'{"id": 1, "status": "FINALIZED", "total_rows": 8}'


async def constant(request: web.Request) -> web.Response:
    return web.Response(body=BODY, content_type="application/json")


async def main() -> None:
    app = web.Application()
    app.router.add_get("/{tail:.*}", constant)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
