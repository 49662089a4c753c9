"""One structured JSON line per request (request id, route, slug, key, hit or miss, timings, status); no secrets."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

log = logging.getLogger("ogedge")


def configure() -> None:
    """Plain JSON lines on standard error (CloudWatch takes them as they are). Idempotent."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def request_line(**fields: Any) -> None:
    log.info(json.dumps({k: v for k, v in fields.items() if v is not None}, separators=(",", ":")))
