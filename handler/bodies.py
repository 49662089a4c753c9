"""Reading a request body as one JSON object, within a size cap: the layer API's and the playground's bodies."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from handler.errors import BadBody, BodyTooLarge


async def read_json(request: Request, max_bytes: int) -> Any:
    """The body as a JSON object, at most ``max_bytes`` (declared or streamed): a clear 400 or 413, never a 500."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"the body is larger than {max_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise BodyTooLarge(f"the body is larger than {max_bytes} bytes")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadBody(f"the body is not valid JSON: {exc}", "body") from None
    except RecursionError:
        raise BadBody("the body is nested too deeply", "body") from None
    if not isinstance(data, dict):
        raise BadBody("the body must be a JSON object", "body")
    return data
