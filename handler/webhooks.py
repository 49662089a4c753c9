"""Delivering async results to a caller's HTTPS webhook: the reference's payload shape, signed, retried with backoff.

The signature header is ``X-Ogedge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`` with the
webhook secret (``OGEDGE_WEBHOOK_SECRET``, else the API key the request was made with). A receiver recomputes it
over the raw body and rejects old timestamps (``verify_signature`` does both).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from handler.fetch import FetchError, UrlRefused

log = logging.getLogger("ogedge")
SIGNATURE_HEADER = "X-Ogedge-Signature"
Post = Callable[[str, bytes, Mapping[str, str]], int]  # url, body, headers -> status (HttpsClient.post)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, now: float, tolerance_s: float = 300) -> bool:
    """What a receiver does: the header's MAC matches the body and its timestamp is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = signature(secret, timestamp, body).partition("v1=")[2]
    return abs(now - timestamp) <= tolerance_s and hmac.compare_digest(expected, fields.get("v1", ""))


def success_payload(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"success": True, "api": "image_generation", "data": dict(data)}


def failure_payload(message: str) -> dict[str, Any]:
    return {"success": False, "api": "image_generation", "error": {"message": message}}


@dataclass
class WebhookSender:
    post: Post
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    attempts: int = 5

    def deliver(self, url: str, payload: Mapping[str, Any], secret: str | None) -> bool:
        """POST ``payload`` until a 2xx answer, waiting 1, 2, 4, ... s between tries; True if it was delivered."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        for attempt in range(self.attempts):
            headers = {"Content-Type": "application/json", "User-Agent": "ogedge-webhook"}
            if secret:
                headers[SIGNATURE_HEADER] = signature(secret, int(self.clock()), body)
            try:
                status = self.post(url, body, headers)
                if 200 <= status < 300:
                    return True
                reason = f"HTTP {status}"
            except UrlRefused as exc:  # decided before connecting: trying again cannot help
                log.warning("webhook refused: %s", exc)
                return False
            except FetchError as exc:  # the network or TLS failed: worth another try
                reason = str(exc)
            log.warning("webhook delivery %d/%d failed: %s", attempt + 1, self.attempts, reason)
            if attempt + 1 < self.attempts:
                self.sleep(2.0**attempt)
        return False
