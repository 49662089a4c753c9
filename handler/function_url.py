"""``GET|HEAD /og/...`` from a Function URL (or an HTTP API with the 2.0 payload) answered without ASGI: Starlette,
AnyIO and mangum cost a cold start about 70 ms of imports, more than a render. Everything else goes through mangum.

The event is read as mangum reads it and the reply shaped as mangum shapes Starlette's response, so both paths give
the same answer (tests/handler/test_function_url.py compares them event by event). Only plain requests come here: a
host header that is a plain host name, an ``http``/``https`` scheme, a path of slug characters. Anything odd is left
to the full stack, where Starlette's URL rules apply."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from handler.forwarded import HOST, with_forwarded_host
from handler.og import OgCall
from handler.reply import Reply, request_id

OG_PATH = re.compile(r"/og/(?P<name>[A-Za-z0-9._/-]*)")
# mangum's defaults: bodies of these types are sent as text, any other base64-encoded
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/vnd.api+json",
    "application/vnd.oai.openapi",
)


def og_call(event: Any, context: Any, trust_forwarded_host: bool) -> OgCall | None:
    """The on-demand request in ``event``, or None when it is not one this path answers."""
    if not isinstance(event, Mapping) or event.get("version") != "2.0":
        return None
    request_context, given = event.get("requestContext"), event.get("headers") or {}
    if not isinstance(request_context, Mapping) or "elb" in request_context or not isinstance(given, Mapping):
        return None
    http = request_context.get("http")
    if not isinstance(http, Mapping) or http.get("method") not in ("GET", "HEAD"):
        return None
    match = OG_PATH.fullmatch(unquote(str(http.get("path", ""))))
    headers = {str(k).lower(): str(v) for k, v in given.items()}
    scheme = headers.get("x-forwarded-proto", "https")
    scope: Mapping[str, Any] = {"headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
    if trust_forwarded_host:
        scope = with_forwarded_host(scope)
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), None)
    if match is None or scheme not in ("http", "https") or not _plain_host(host):
        return None
    query = str(event.get("rawQueryString", "")).encode().decode("latin-1")
    return OgCall(
        method=http["method"],
        name=match["name"],
        path=match[0],
        query=parse_qsl(query, keep_blank_values=True),
        base_url=f"{scheme}://{host}",
        request_id=request_id(context, headers.get("x-request-id")),
    )


def _plain_host(host: str | None) -> bool:
    """A host name, with a port up to 65535 if any: Starlette takes it as the URL's host unchanged."""
    if host is None or not HOST.fullmatch(host):
        return False
    return ":" not in host or int(host.rpartition(":")[2]) <= 65535


def response(reply: Reply) -> dict[str, Any]:
    """The payload-2.0 response: headers lower-cased in Starlette's order (Content-Length and Content-Type added when
    missing), a text body as text and any other base64-encoded."""
    headers = {name.lower(): value for name, value in reply.headers.items()}
    if "content-length" not in headers and not (reply.status < 200 or reply.status in (204, 304)):
        headers["content-length"] = str(len(reply.body))
    if reply.media_type is not None and "content-type" not in headers:
        text = reply.media_type.startswith("text/") and "charset=" not in reply.media_type.lower()
        headers["content-type"] = reply.media_type + ("; charset=utf-8" if text else "")
    headers.setdefault("content-type", "application/json")  # mangum's default, even for an empty body
    body, encoded = "", False
    if reply.body:
        if any(kind in headers["content-type"] for kind in TEXT_TYPES):
            try:
                body = reply.body.decode()
            except UnicodeDecodeError:
                body, encoded = base64.b64encode(reply.body).decode(), True
        else:
            body, encoded = base64.b64encode(reply.body).decode(), True
    return {"statusCode": reply.status, "body": body, "headers": headers, "isBase64Encoded": encoded}
