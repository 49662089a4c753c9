"""Every outbound URL (images, fonts, webhooks) goes through here. It is hard to abuse:

- HTTPS only, no credentials in the URL, an optional allow-list of hosts;
- IP literals in odd spellings (decimal ``2130706433``, hex ``0x7f.1``, octal ``0177.0.0.1``, short ``127.1``) are
  refused outright: resolvers accept them and they exist to slip past filters;
- the host is resolved once and every address checked: private, loopback, link-local (the metadata address
  169.254.169.254), multicast, reserved, unspecified, shared (100.64/10) and IPv4-mapped IPv6 are refused, and an
  answer mixing public and private addresses is refused whole;
- the connection is made to that checked address (TLS still verifies the host name): no second lookup that a
  rebinding DNS server could answer differently;
- at most 3 redirects, each checked again from the start; a connect timeout and a deadline for the whole fetch;
- the body is streamed with a byte cap (the exchange itself: ``handler.https``). Content types are not trusted: the
  renderer sniffs what it gets.

``OGEDGE_ALLOW_PRIVATE_NETWORK`` (tests only) lets private and loopback addresses through.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit

if TYPE_CHECKING:
    import ssl

MAX_REDIRECTS = 3
_REDIRECTS = {301, 302, 303, 307, 308}
_DOTTED_QUAD = re.compile(r"(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}")
_NUMERIC_HOST = re.compile(r"(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+))*\.?", re.IGNORECASE)
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class FetchError(Exception):
    """The URL was refused or could not be fetched; the message says which and why."""


class UrlRefused(FetchError):
    """Refused by policy before any connection: trying again cannot help."""


@dataclass(frozen=True)
class UrlPolicy:
    allow_private: bool = False  # OGEDGE_ALLOW_PRIVATE_NETWORK: tests only
    allow_hosts: tuple[str, ...] = ()  # OGEDGE_FETCH_ALLOW_HOSTS: "cdn.example.com" or ".example.com"; empty: any
    trusted: tuple[Network, ...] = ()  # networks treated as public (tests pinning one loopback address)

    def host_allowed(self, host: str) -> bool:
        if not self.allow_hosts:
            return True
        return any(host == h or (h.startswith(".") and host.endswith(h)) for h in self.allow_hosts)


def refusal(address: IPAddress, policy: UrlPolicy) -> str | None:
    """Why ``address`` may not be connected to, or None."""
    if any(address in network for network in policy.trusted):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return "IPv4-mapped IPv6 addresses are refused"
    if policy.allow_private and (address.is_private or address.is_loopback):
        return None
    if address.is_unspecified or address.is_multicast or address.is_loopback or address.is_link_local:
        return f"{address} is not a public address"
    if not address.is_global or address.is_reserved:
        return f"{address} is not a public address"
    return None


def check_url(url: str, policy: UrlPolicy | None = None) -> SplitResult:
    """The URL's parts if its form is acceptable; decided before any lookup or connection."""
    policy = policy or UrlPolicy()
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise UrlRefused(f"only https:// URLs are fetched, not {url[:100]!r}")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("URLs with credentials are refused")
    host = parts.hostname.rstrip(".").lower()
    if _NUMERIC_HOST.fullmatch(host) and not _DOTTED_QUAD.fullmatch(host):
        raise UrlRefused(f"{host!r} is an IP address in an unusual spelling; refused")
    if not policy.host_allowed(host):
        raise UrlRefused(f"{host!r} is not an allowed source")
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and (reason := refusal(literal, policy)):
        raise UrlRefused(reason)
    try:
        _ = parts.port
    except ValueError:
        raise UrlRefused(f"{url[:100]!r} has an invalid port") from None
    return parts


def resolve(host: str, port: int, policy: UrlPolicy) -> str:
    """One lookup; every address it gives must be acceptable. The first is the one connected to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host!r}: {exc}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise FetchError(f"{host!r} has no address")
    for address in addresses:
        if reason := refusal(address, policy):
            raise UrlRefused(f"{host!r} resolves to a refused address: {reason}")
    return str(addresses[0])


@dataclass(frozen=True)
class Target:
    parts: SplitResult
    host: str
    port: int
    address: str

    @property
    def path(self) -> str:
        return (self.parts.path or "/") + (f"?{self.parts.query}" if self.parts.query else "")


def target(url: str, policy: UrlPolicy) -> Target:
    parts = check_url(url, policy)
    host = (parts.hostname or "").rstrip(".").lower()
    port = parts.port or 443
    return Target(parts, host, port, resolve(host, port, policy))


@dataclass(frozen=True)
class HttpsClient:
    """Requests to checked targets. ``context`` verifies certificates (by default the system's trust store, loaded on
    the first request: reading it takes tens of milliseconds a cold start need not pay)."""

    policy: UrlPolicy = UrlPolicy()
    timeout_s: float = 10.0  # the whole exchange, connect to last byte
    connect_timeout_s: float = 3.0
    max_bytes: int = 20 * 1024 * 1024
    context: ssl.SSLContext | None = None

    def get(self, url: str) -> bytes:
        """The body of ``url`` (following at most 3 redirects, each checked again); raises ``FetchError``."""
        deadline = time.monotonic() + self.timeout_s
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, body = self._exchange(target(url, self.policy), "GET", None, {}, deadline)
            if status in _REDIRECTS and headers.get("location"):
                url = urljoin(url, headers["location"])
                continue
            if status != 200:
                raise FetchError(f"HTTP {status}")
            return body
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST without following redirects; the status. Raises ``FetchError`` for a refused URL, ``OSError``
        for a failed connection."""
        deadline = time.monotonic() + self.timeout_s
        status, _, _ = self._exchange(target(url, self.policy), "POST", body, headers, deadline)
        return status

    def _exchange(
        self, to: Target, method: str, body: bytes | None, headers: Mapping[str, str], deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        from handler import https  # noqa: PLC0415 - TLS and http.client load with the first fetch, not at start

        return https.exchange(self, to, method, body, headers, deadline)


@dataclass(frozen=True)
class HttpsFetcher:
    """The renderer's ``fetch``: ``fetcher(url) -> bytes``; raises ``FetchError``."""

    client: HttpsClient = HttpsClient()

    def __call__(self, url: str) -> bytes:
        return self.client.get(url)
