"""The Starlette app: ``/og/<slug>.<ext>``, the stored objects (when this process serves them), ``/healthz``.

Routes stay thin: they read the request, call the route's own code (``handler.og``) in a worker thread, and send its
reply. Errors become replies in one place (``handler.reply``, from the table of ``handler.errors``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from handler import openapi
from handler.deps import Deps
from handler.errors import TABLE, NotStored
from handler.og import OgCall, og_reply
from handler.reply import Reply, error_reply, request_id
from handler.store import IMMUTABLE

__all__ = ["Deps", "create_app"]


def _request_id(request: Request) -> str:
    return request_id(request.scope.get("aws.context"), request.headers.get("x-request-id"))


def _response(reply: Reply) -> Response:
    return Response(reply.body, reply.status, reply.headers, reply.media_type)


Endpoint = Callable[[Request], Awaitable[Response]]


def og_image(deps: Deps) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        call = OgCall(
            method=request.method,
            name=request.path_params["name"],
            path=request.url.path,
            query=list(request.query_params.multi_items()),
            base_url=str(request.base_url).rstrip("/"),
            request_id=_request_id(request),
        )
        return _response(await deps.call(og_reply, deps, call))

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
    return _response(error_reply(exc, request.url.path, _request_id(request)))


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
