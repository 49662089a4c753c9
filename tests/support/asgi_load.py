"""Concurrent requests to an ASGI app in one event loop (for racing first requests)."""

from __future__ import annotations

import anyio
import httpx2 as httpx
from starlette.types import ASGIApp


def concurrent_gets(app: ASGIApp, path: str, count: int) -> list[httpx.Response]:
    """``count`` GETs of ``path`` started at once; the responses in completion order."""

    async def main() -> list[httpx.Response]:
        responses: list[httpx.Response] = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

            async def one() -> None:
                responses.append(await client.get(path))

            async with anyio.create_task_group() as group:
                for _ in range(count):
                    group.start_soon(one)
        return responses

    return anyio.run(main)
