"""Every error the edge answers with, mapped to an HTTP status and a public code in exactly one table.

Bodies have the layer API's error shape (``{"success": false, "error": ...}``) plus ``code`` and, where known, the
failing ``field`` (and every problem of an invalid request). Errors are never cached.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from handler.site import MissingVariable, SiteError, UnknownTemplate
from renderer.errors import AssetError, EncodeError, InvalidRequest, RenderError, UnsupportedFeature
from renderer.limits import RenderTimeout

if TYPE_CHECKING:
    from starlette.exceptions import HTTPException


class EdgeError(Exception):
    """A request the edge refuses; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BadPath(EdgeError):
    """A malformed slug, an unknown extension, a path that tries to leave its folder."""


class UnknownSlug(EdgeError):
    pass


class BadSignature(EdgeError):
    pass


class BadInvocation(EdgeError):
    """A direct Lambda invocation of the wrong shape."""


class BadBody(EdgeError):
    """A layer API body that is not a JSON object."""


class Unauthorized(EdgeError):
    """A missing or wrong bearer key."""


class BodyTooLarge(EdgeError):
    pass


class RateLimited(EdgeError):
    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AsyncUnavailable(EdgeError):
    """An async request could not be queued (the queue or the self-invocation failed); retrying may work."""


class OutputTooLarge(EdgeError):
    """The image is too large to answer inline (Lambda answers at most 6 MB, base64 adds a third)."""


class NotStored(EdgeError):
    """A CDN object path with nothing behind it."""


# (exception class, HTTP status, public code), most specific first; looked up along the exception's class hierarchy.
TABLE: tuple[tuple[type[BaseException], int, str], ...] = (
    (BadPath, 400, "bad_path"),
    (BadBody, 400, "invalid_request"),
    (Unauthorized, 401, "unauthorized"),
    (BodyTooLarge, 413, "body_too_large"),
    (RateLimited, 429, "rate_limited"),
    (UnknownSlug, 404, "unknown_slug"),
    (NotStored, 404, "not_found"),
    (BadInvocation, 400, "bad_invocation"),
    (BadSignature, 403, "bad_signature"),
    (MissingVariable, 400, "missing_variable"),
    (UnknownTemplate, 400, "unknown_template"),
    (InvalidRequest, 400, "invalid_request"),
    (AssetError, 422, "asset_error"),
    (OutputTooLarge, 422, "output_too_large"),
    (RenderTimeout, 422, "render_timeout"),
    (EncodeError, 422, "encode_error"),
    (UnsupportedFeature, 422, "unsupported"),
    (RenderError, 422, "render_error"),
    (SiteError, 503, "site_unavailable"),
    (AsyncUnavailable, 503, "async_unavailable"),
)
_BY_CLASS = {cls: (status, code) for cls, status, code in TABLE}


def _routing_error(exc: BaseException) -> HTTPException | None:
    """Starlette's own answers (no such route, method not allowed). Looked up in ``sys.modules``: where Starlette
    was never imported (the Function URL path), nothing can be one, and the check costs no import."""
    module = sys.modules.get("starlette.exceptions")
    return exc if module is not None and isinstance(exc, module.HTTPException) else None


def status_of(exc: BaseException) -> tuple[int, str]:
    if (routing := _routing_error(exc)) is not None:
        return routing.status_code, "not_found" if routing.status_code == 404 else "http_error"
    for cls in type(exc).__mro__:
        if cls in _BY_CLASS:
            return _BY_CLASS[cls]
    return 500, "internal_error"


def headers_of(exc: BaseException) -> dict[str, str]:
    headers = {"Cache-Control": "no-store"}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after_s)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="ogedge"'
    return headers


def body_of(exc: BaseException) -> dict[str, Any]:
    status, code = status_of(exc)
    routing = _routing_error(exc)
    message = routing.detail if routing is not None else str(exc)
    body: dict[str, Any] = {"success": False, "error": message if status < 500 else "internal error", "code": code}
    field = getattr(exc, "field", None)
    if isinstance(exc, MissingVariable):
        field = f"vars.{exc.name}"
    if field:
        body["field"] = field
    if isinstance(exc, InvalidRequest):
        body["problems"] = [{"field": p.path, "message": p.message} for p in exc.problems]
    return body
