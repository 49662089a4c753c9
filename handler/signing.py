"""Signed ``/og/`` query URLs: HMAC-SHA256 over the path and the sorted query, base64url, several keys.

The first key signs; every key verifies (rotation: add the new key first, keep the old one until old URLs are gone).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from urllib.parse import quote, urlencode

SIGNATURE_PARAM = "sig"


def canonical(path: str, params: Iterable[tuple[str, str]]) -> bytes:
    """``path?k=v&...`` with the parameters sorted and the signature left out, percent-encoded (RFC 3986)."""
    pairs = sorted((k, v) for k, v in params if k != SIGNATURE_PARAM)
    return f"{path}?{urlencode(pairs, quote_via=quote)}".encode()


def sign(key: str, path: str, params: Iterable[tuple[str, str]]) -> str:
    digest = hmac.new(key.encode(), canonical(path, params), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def verify(keys: Sequence[str], path: str, params: Sequence[tuple[str, str]], signature: str) -> bool:
    """Whether ``signature`` was made by any of ``keys``; every key is tried, each in constant time."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(sign(key, path, params), signature)
    return found


def signed_query(key: str, path: str, params: Sequence[tuple[str, str]]) -> str:
    """The query string with the signature appended."""
    pairs = [(k, v) for k, v in params if k != SIGNATURE_PARAM]
    return urlencode([*pairs, (SIGNATURE_PARAM, sign(key, path, pairs))], quote_via=quote)
