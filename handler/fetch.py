"""Fetching fonts and images named by URL: HTTPS only, bounded in time and size, redirects checked again.

This is the fetcher the CLI injects into the renderer. (Address checks against private networks arrive with the
hardening issue; until then this fetcher is for the CLI, where the caller is the machine's own user.)
"""

from __future__ import annotations

import time
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlsplit

MAX_REDIRECTS = 3
_CHUNK = 64 * 1024


class FetchError(Exception):
    """The URL was refused or could not be fetched; the message says which and why."""


def check_url(url: str) -> None:
    """Refuse anything but an absolute https:// URL before a connection is made."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise FetchError(f"only https:// URLs are fetched, not {url[:100]!r}")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_CheckedRedirects)


@dataclass(frozen=True)
class HttpsFetcher:
    """``fetcher(url) -> bytes``; raises ``FetchError``."""

    timeout_s: float = 10.0
    max_bytes: int = 20 * 1024 * 1024

    def __call__(self, url: str) -> bytes:
        check_url(url)
        deadline = time.monotonic() + self.timeout_s
        request = urllib.request.Request(url, headers={"User-Agent": "ogedge", "Accept": "*/*"})  # noqa: S310
        try:
            with _OPENER.open(request, timeout=self.timeout_s) as response:
                return self._read(response, deadline)
        except FetchError:
            raise
        except (OSError, ValueError) as exc:
            raise FetchError(str(getattr(exc, "reason", None) or exc)) from None

    def _read(self, response: IO[bytes], deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"larger than {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError(f"took longer than {self.timeout_s:g} s")
            chunks.append(chunk)
        return b"".join(chunks)
