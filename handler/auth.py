"""Who may call the layer API: bearer keys (several, for rotation) compared in constant time, and a per-caller
token bucket for rate limiting (per process: the real limit across instances is the CDN's WAF rule)."""

from __future__ import annotations

import hmac
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from handler.errors import RateLimited, Unauthorized


def bearer_key(authorization: str | None, keys: Sequence[str], no_auth: bool) -> str | None:
    """The caller's key, checked against every configured key; None when auth is off (``serve --no-auth``)."""
    if no_auth:
        return None
    if not keys:
        raise Unauthorized("the layer API has no keys configured (set OGEDGE_API_KEYS, or serve --no-auth locally)")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Unauthorized("send Authorization: Bearer <key>")
    given = given.strip()
    found = False
    for key in keys:
        found |= hmac.compare_digest(key.encode(), given.encode())
    if not found:
        raise Unauthorized("the key is not valid")
    return given


@dataclass
class RateLimiter:
    """``per_minute`` requests per caller on average, ``burst`` at once; the oldest callers are forgotten first."""

    per_minute: int
    burst: int
    clock: Callable[[], float]
    max_callers: int = 10_000
    _buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, caller: str) -> None:
        """Spend one token of ``caller``'s bucket, or raise ``RateLimited`` saying when to retry."""
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(caller, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * rate)
            if tokens < 1:
                self._buckets[caller] = (tokens, now)
                raise RateLimited("too many requests", retry_after_s=max(1, math.ceil((1 - tokens) / rate)))
            self._buckets[caller] = (tokens - 1, now)
            while len(self._buckets) > self.max_callers:
                self._buckets.popitem(last=False)
