"""The layer API, compatible with the Iteration Layer Image Generation API: ``POST /image-generation/v1/generate``
(and the older ``/render``), both dialects, cached like the on-demand path.

Answers: ``200 {"success": true, "data": {"buffer", "mime_type"}}``; with ``Accept: image/*`` or ``?response=image``
the image itself; with ``?response=url`` ``{"success": true, "data": {"url", "key", "mime_type"}}``; with an HTTPS
``webhook_url`` ``201 {"success": true, "async": true, "message"}`` and the result POSTed to the hook later.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from handler import logs
from handler.auth import RateLimiter, bearer_key
from handler.bodies import read_json
from handler.errors import AsyncUnavailable, BodyTooLarge, OutputTooLarge
from handler.fetch import FetchError, target
from handler.jobs import Dispatcher, Job
from handler.service import OgService, Outcome
from handler.settings import Settings
from renderer import FieldProblem, InvalidRequest, RenderRequest, parse_request

ResponseKind = Literal["json", "image", "url"]


@dataclass
class LayerApi:
    settings: Settings
    service: OgService
    limiter: RateLimiter
    jobs: Dispatcher

    async def generate(self, request: Request) -> Response:
        key = bearer_key(request.headers.get("authorization"), self.settings.api_keys, self.settings.api_no_auth)
        self.limiter.take(key or (request.client.host if request.client else "anonymous"))
        render_request = parse_request(await read_json(request, self.settings.max_body_bytes))
        if render_request.webhook_url is not None:
            return self._accept_async(render_request, key)
        kind = response_kind(request)
        outcome = await run_in_threadpool(self.service.obtain, render_request, kind != "url")
        headers = {"X-Ogedge-Cache": outcome.cache, "X-Ogedge-Key": outcome.key, "Cache-Control": "no-store"}
        if outcome.warnings:
            headers["X-Ogedge-Warnings"] = str(len(outcome.warnings))
        truncated = [fit.layer for fit in outcome.fits if fit.truncated]
        if truncated:
            headers["X-Ogedge-Truncated"] = ",".join(truncated)
        if kind != "url" and outcome.data is not None and len(outcome.data) > self.settings.max_inline_bytes:
            raise OutputTooLarge(
                f"the image is {len(outcome.data)} bytes, more than {self.settings.max_inline_bytes} can be answered"
                " inline: ask for ?response=url"
            )
        if kind == "image" and outcome.data is not None:
            return Response(outcome.data, media_type=outcome.mime_type, headers=headers)
        return JSONResponse({"success": True, "data": self._data(request, outcome, kind)}, headers=headers)

    def _accept_async(self, render_request: RenderRequest, key: str | None) -> Response:
        url = render_request.webhook_url or ""
        try:
            target(url, self.settings.url_policy())
        except FetchError as exc:
            raise InvalidRequest([FieldProblem("webhook_url", str(exc))]) from None
        index = self.settings.api_keys.index(key) if key is not None and key in self.settings.api_keys else None
        request_json = render_request.model_dump(mode="json", exclude={"webhook_url"}, exclude_defaults=True)
        try:
            self.jobs.submit(Job(request_json, url, index))
        except BodyTooLarge:
            raise
        except Exception as exc:  # the queue is foreign: a throttled or failing invocation
            logs.log.warning("could not queue an async render: %s", exc)
            raise AsyncUnavailable("the async render could not be queued; try again") from None
        message = "rendering; the result will be POSTed to the webhook_url"
        return JSONResponse({"success": True, "async": True, "message": message}, status_code=201)

    def _data(self, request: Request, outcome: Outcome, kind: ResponseKind) -> dict[str, Any]:
        data: dict[str, Any] = {"mime_type": outcome.mime_type, "key": outcome.key}
        if kind == "url" and outcome.stored:
            base = self.settings.cdn_url or str(request.base_url).rstrip("/")
            data["url"] = f"{base}/{outcome.object_key}"
        else:
            assert outcome.data is not None
            data["buffer"] = base64.b64encode(outcome.data).decode()
        if outcome.warnings:
            data["warnings"] = list(outcome.warnings)
        if outcome.cache == "miss":
            data["fit"] = [fit.to_json() for fit in outcome.fits]
        return data


def response_kind(request: Request) -> ResponseKind:
    """``?response=json|image|url`` wins; else ``Accept: image/...`` (without JSON) asks for the image itself."""
    asked = request.query_params.get("response", "").lower()
    if asked in ("json", "image", "url"):
        return asked  # type: ignore[return-value]
    accept = request.headers.get("accept", "").lower()
    if "image/" in accept and "application/json" not in accept:
        return "image"
    return "json"
