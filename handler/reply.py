"""An HTTP answer apart from any web framework, and the answer to an error (the table of ``handler.errors``).

Starlette (``handler.app``) and the Function URL path (``handler.function_url``) both send these, so a route written
once answers alike through either."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from handler import logs
from handler.errors import body_of, headers_of, status_of


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    media_type: str | None = None


def request_id(context: Any, header: str | None) -> str:
    """The id a request is logged under: Lambda's, else the caller's ``X-Request-Id``, else a new one."""
    return getattr(context, "aws_request_id", None) or header or uuid.uuid4().hex


def json_body(content: object) -> bytes:
    """Compact UTF-8 JSON, as Starlette's ``JSONResponse`` renders it."""
    return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def error_reply(exc: Exception, route: str, request_id: str) -> Reply:
    """The JSON error body, its status and headers; logged as a request line (with the trace when it is ours)."""
    status, code = status_of(exc)
    if status >= 500:
        logs.log.exception("unhandled error on %s", route, exc_info=exc)
    logs.request_line(request_id=request_id, route=route[:200], error=code, status=status)
    return Reply(status, headers_of(exc), json_body(body_of(exc)), "application/json")
