"""Behind CloudFront the function is reached at its own URL, but redirects must name the host the viewer asked for.
With ``OGEDGE_TRUST_FORWARDED_HOST`` that host comes from ``X-Forwarded-Host``, which the distribution sets from the
viewer's Host header (replacing any the viewer sent)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?")


class ForwardedHost:
    """ASGI middleware: the request's Host becomes its one ``X-Forwarded-Host`` when that is a plain host name (or
    host:port). Anything else (absent, repeated, a list, odd characters) leaves the request as it came."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = with_forwarded_host(scope)
        await self.app(scope, receive, send)


def with_forwarded_host(scope: Mapping[str, Any]) -> Mapping[str, Any]:
    headers: list[tuple[bytes, bytes]] = list(scope["headers"])
    forwarded = [value for name, value in headers if name.lower() == b"x-forwarded-host"]
    if len(forwarded) != 1 or not HOST.fullmatch(forwarded[0].decode("latin-1")):
        return scope
    kept = [(name, value) for name, value in headers if name.lower() != b"host"]
    return {**scope, "headers": [*kept, (b"host", forwarded[0])]}
