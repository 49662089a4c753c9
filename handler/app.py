"""The Starlette app: ``/og/<slug>.<ext>``, the stored objects (when this process serves them), ``/healthz``.

Routes stay thin: they parse, call the service in a worker thread, and shape the response. Errors become responses
in one place (``handler.errors``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from handler import logs, openapi
from handler.errors import TABLE, NotStored, OutputTooLarge, body_of, headers_of, status_of
from handler.layer_api import LayerApi
from handler.resolve import OgName, Signing, resolve
from handler.service import OgService, Outcome
from handler.settings import Settings
from handler.site import SiteSource
from handler.store import IMMUTABLE, CacheStore

NO_STORE = {"Cache-Control": "no-store"}
T = TypeVar("T")


@dataclass
class Deps:
    """What the app needs, built once per process by the composition root."""

    settings: Settings
    service: OgService
    site: SiteSource
    objects: CacheStore | None = None  # serve stored objects at /<prefix>... (the embedded default's CDN)
    layer_api: LayerApi | None = None
    # Blocking calls (site file, store, render) made on the event loop's thread instead of a worker thread: on
    # Lambda an instance answers one request at a time, so the hop to a thread would only cost time.
    inline_io: bool = False

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        return function(*args) if self.inline_io else await run_in_threadpool(function, *args)


def _request_id(request: Request) -> str:
    context = request.scope.get("aws.context")
    return getattr(context, "aws_request_id", None) or request.headers.get("x-request-id") or uuid.uuid4().hex


def _cdn_base(request: Request, settings: Settings) -> str:
    return settings.cdn_url or str(request.base_url).rstrip("/")


def _answer(request: Request, outcome: Outcome, deps: Deps) -> Response:
    settings = deps.settings
    headers = {"X-Ogedge-Cache": outcome.cache, "X-Ogedge-Key": outcome.key}
    too_large = outcome.data is not None and len(outcome.data) > settings.max_inline_bytes
    if outcome.stored and (settings.response_mode == "redirect" or too_large):
        headers["Cache-Control"] = f"public, max-age={settings.redirect_max_age}"
        location = f"{_cdn_base(request, settings)}/{outcome.object_key}"
        return Response(status_code=302, headers={**headers, "Location": location})
    if outcome.data is None:  # inline mode on a hit that did not fetch the bytes: cannot happen, but be safe
        raise NotStored("the image is not available", "path")
    if too_large:
        raise OutputTooLarge(f"the image is {len(outcome.data)} bytes and could not be stored; too large to answer")
    degraded = not outcome.stored or outcome.warnings
    age = settings.degraded_max_age if degraded else settings.redirect_max_age
    headers["Cache-Control"] = f"public, max-age={age}"
    body = b"" if request.method == "HEAD" else outcome.data
    headers["Content-Length"] = str(len(outcome.data))
    return Response(body, media_type=outcome.mime_type, headers=headers)


Endpoint = Callable[[Request], Awaitable[Response]]


def og_image(deps: Deps) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        name = OgName.parse(request.path_params["name"])
        signing = Signing(deps.settings.signing_keys, deps.settings.allow_unsigned)
        site = await deps.call(deps.site.current)
        query = list(request.query_params.multi_items())
        render_request = resolve(site, name, request.url.path, query, signing)
        inline = deps.settings.response_mode == "inline"
        outcome = await deps.call(deps.service.obtain, render_request, inline)
        response = _answer(request, outcome, deps)
        logs.request_line(
            request_id=_request_id(request),
            route="og",
            slug=name.slug,
            key=outcome.key,
            cache=outcome.cache,
            stored=outcome.stored,
            render_ms=outcome.render_ms or None,
            store_ms=outcome.store_ms,
            total_ms=round((time.perf_counter() - started) * 1000, 2),
            status=response.status_code,
        )
        return response

    return endpoint


def stored_object(deps: Deps) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        assert deps.objects is not None
        key = deps.settings.prefix + request.path_params["key"]
        try:
            found = await deps.call(deps.objects.get, key)
        except ValueError:
            raise NotStored("no such object", "path") from None
        if found is None:
            raise NotStored("no such object", "path")
        body = b"" if request.method == "HEAD" else found.data
        headers = {"Cache-Control": IMMUTABLE, "Content-Length": str(len(found.data))}
        return Response(body, media_type=found.content_type, headers=headers)

    return endpoint


async def healthz(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi.spec())


async def error_response(request: Request, exc: Exception) -> Response:
    status, code = status_of(exc)
    if status >= 500:
        logs.log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    logs.request_line(request_id=_request_id(request), route=request.url.path[:200], error=code, status=status)
    return JSONResponse(body_of(exc), status_code=status, headers=headers_of(exc))


def create_app(deps: Deps) -> Starlette:
    routes = [
        Route("/og/{name:path}", og_image(deps), methods=["GET", "HEAD"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
    ]
    if deps.layer_api is not None:
        for path in ("/image-generation/v1/generate", "/image-generation/v1/render"):
            routes.append(Route(path, deps.layer_api.generate, methods=["POST"]))
    if deps.settings.playground:  # None (unset) is off: `ogedge serve` turns it on, Lambda leaves it off
        from handler.playground import Playground  # noqa: PLC0415 - not loaded where it is off (Lambda)

        routes.extend(Playground.create(deps.settings, deps.service, deps.site).routes())
    if deps.objects is not None:
        routes.append(Route(f"/{deps.settings.prefix}{{key:path}}", stored_object(deps), methods=["GET", "HEAD"]))
    handlers: dict[Any, Any] = {cls: error_response for cls, _, _ in TABLE}
    handlers[HTTPException] = error_response
    return Starlette(routes=routes, exception_handlers={**handlers, Exception: error_response})
