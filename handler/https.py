"""One HTTPS exchange with a target ``handler.fetch`` has checked: connected to its checked address (TLS still
verifies the host name), a deadline for the whole exchange and a cap on the body. Loaded with the first fetch: TLS
and ``http.client`` are not part of a cold start that fetches nothing."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from handler.fetch import FetchError

if TYPE_CHECKING:
    from handler.fetch import HttpsClient, Target

_CHUNK = 64 * 1024


class _PinnedConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed, already checked address; SNI and certificate checks use the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


@cache
def _default_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def exchange(
    client: HttpsClient, to: Target, method: str, body: bytes | None, headers: Mapping[str, str], deadline: float
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-cased names) and body; raises ``FetchError``."""
    timeout = max(0.01, min(client.connect_timeout_s, deadline - time.monotonic()))
    conn = _PinnedConnection(to.host, to.address, to.port, timeout, client.context or _default_context())
    try:
        host_header = to.host if to.port == 443 else f"{to.host}:{to.port}"
        sent = {"Host": host_header, "User-Agent": "ogedge", "Accept": "*/*", **headers}
        conn.request(method, to.path, body=body, headers=sent)
        response = conn.getresponse()
        received = {k.lower(): v for k, v in response.getheaders()}
        return response.status, received, _read(client, response, conn, deadline)
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{to.host}: {exc}") from None
    finally:
        conn.close()


def _read(client: HttpsClient, response: http.client.HTTPResponse, conn: _PinnedConnection, deadline: float) -> bytes:
    declared = response.getheader("content-length", "")
    if declared.isdigit() and int(declared) > client.max_bytes:
        raise FetchError(f"larger than {client.max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"took longer than {client.timeout_s:g} s")
        if conn.sock is not None:
            conn.sock.settimeout(left)
        chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > client.max_bytes:
            raise FetchError(f"larger than {client.max_bytes} bytes")
        chunks.append(chunk)
