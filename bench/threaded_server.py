"""An aiohttp application served on 127.0.0.1:0 from a thread with its own event loop, for code
that is not async itself: bench scenarios and test fixtures that serve files to the stack."""
from __future__ import annotations

import asyncio
import threading

from aiohttp import web


class ThreadedServer:
    """Starts serving `app` at once; `port` is the bound port (0 is asked for: a free one)."""

    def __init__(self, app: web.Application, name: str = "threaded-server") -> None:
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self._app, self._ready = app, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError(f"{name} did not start within 10 s")

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self._runner = web.AppRunner(self._app)
        self.loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self.loop.run_forever()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
