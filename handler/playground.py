"""``/playground``: a page for designing templates by eye, served by the app itself (no CDN, fonts or scripts from
elsewhere; a Content-Security-Policy says so to the browser).

- ``GET /playground`` the page, ``GET /playground/assets/<file>`` its stylesheet and script;
- ``GET /playground/site`` the site's templates with their variables' starting values;
- ``POST /playground/render`` a draft (``{"template", "name", "variables", "slug"}`` or ``{"request"}``) rendered
  without being stored: the image (base64), the fit report, warnings, size, key and, for a site template, the
  ``/og/`` URL and the meta tags of ``ogedge meta``.

Off on Lambda unless ``OGEDGE_PLAYGROUND`` turns it on; on for ``ogedge serve`` unless it turns it off. Who may use
it: with API keys set, callers with a key (``Authorization: Bearer``), as for the layer API; with ``--no-auth``,
anyone; with neither, only this machine (loopback clients), because drafts are rendered and URLs signed for them.
Bodies and rates have the layer API's limits. Bad input is a 400 naming the field, never a 500.
"""

from __future__ import annotations

import base64
import ipaddress
import time
from dataclasses import dataclass
from importlib import resources
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from handler import logs
from handler.auth import RateLimiter, bearer_key
from handler.bodies import read_json
from handler.errors import BadBody, NotStored, Unauthorized
from handler.meta import alt_text
from handler.playground_draft import STARTER, Draft, draft_of, examples, link_for, link_notes, parse_body, within
from handler.service import OgService, Preview
from handler.settings import Settings
from handler.site import EMPTY_SITE, SiteSource
from renderer import RenderError

ASSETS = {"playground.css": "text/css; charset=utf-8", "playground.js": "text/javascript; charset=utf-8"}
FONTS = {"inter-regular.ttf": "Inter-Regular.ttf", "inter-semibold.ttf": "Inter-SemiBold.ttf"}  # the renderer's
PAGE = "index.html"
# Everything from this origin; images also as data: URLs (the rendered card). No inline script or style.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
FONT_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=86400"}
NO_STORE = {"Cache-Control": "no-store"}


def _static(name: str) -> bytes:
    if name in FONTS:
        return resources.files("renderer").joinpath("fonts", "inter", FONTS[name]).read_bytes()
    return resources.files("handler").joinpath("static", "playground", name).read_bytes()


@dataclass
class Playground:
    settings: Settings
    service: OgService
    site: SiteSource
    limiter: RateLimiter

    @classmethod
    def create(cls, settings: Settings, service: OgService, site: SiteSource) -> Playground:
        return cls(settings, service, site, RateLimiter(settings.rate_per_minute, settings.rate_burst, time.monotonic))

    def routes(self) -> list[Route]:
        files = {name: _static(name) for name in (PAGE, *ASSETS, *FONTS)}  # read once; missing fails at start-up

        async def page(request: Request) -> Response:
            return Response(files[PAGE], media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

        async def asset(request: Request) -> Response:
            name = request.path_params["name"]
            if name in FONTS:
                return Response(files[name], media_type="font/ttf", headers=FONT_HEADERS)
            if name not in ASSETS:
                raise NotStored("no such file", "path")
            return Response(files[name], media_type=ASSETS[name], headers=PAGE_HEADERS)

        return [
            Route("/playground", page, methods=["GET", "HEAD"]),
            Route("/playground/assets/{name}", asset, methods=["GET", "HEAD"]),
            Route("/playground/site", self.site_json, methods=["GET"]),
            Route("/playground/render", self.render, methods=["POST"]),
        ]

    async def site_json(self, request: Request) -> Response:
        self._authorize(request)
        site = await run_in_threadpool(self.site.current)
        data = {
            "templates": examples(site),
            "starter": STARTER,
            "signing": bool(self.settings.signing_keys),
            "base_url": self._base(request),
        }
        return JSONResponse({"success": True, "data": data}, headers=NO_STORE)

    async def render(self, request: Request) -> Response:
        caller = self._authorize(request)
        self.limiter.take(caller)
        body = parse_body(await read_json(request, self.settings.max_body_bytes))
        site = await run_in_threadpool(self.site.current) if body.template is not None else EMPTY_SITE
        try:
            draft = draft_of(body, site)
        except RecursionError:
            raise BadBody("the body is nested too deeply", "body") from None
        try:
            preview = await run_in_threadpool(self.service.preview, draft.request)
        except RenderError as exc:
            raise within("request" if body.request is not None else "template", exc) from None
        base = self._base(request)
        link = link_for(draft, site, self.settings.signing_keys, base)
        data = _answer(draft, preview)
        data["link"] = None if link is None else {"url": link.url, "signed": link.signed, "meta": list(link.meta)}
        data["notes"] = [*draft.notes, *link_notes(draft, link, base)]
        logs.request_line(route="playground", key=preview.key, render_ms=preview.render_ms, status=200)
        return JSONResponse({"success": True, "data": data}, headers=NO_STORE)

    def _authorize(self, request: Request) -> str:
        """The caller (its key, or its address) for rate limiting; refuses callers the rules above do not admit."""
        host = request.client.host if request.client else ""
        if self.settings.api_keys and not self.settings.api_no_auth:
            return bearer_key(request.headers.get("authorization"), self.settings.api_keys, False) or host
        if not self.settings.api_no_auth and not _is_loopback(host):
            raise Unauthorized("the playground answers only this machine unless OGEDGE_API_KEYS is set")
        return host or "local"

    def _base(self, request: Request) -> str:
        return self.settings.cdn_url or str(request.base_url).rstrip("/")


def _answer(draft: Draft, preview: Preview) -> dict[str, Any]:
    image = preview.image
    return {
        "buffer": base64.b64encode(image.data).decode(),
        "mime_type": image.mime_type,
        "width": image.width,
        "height": image.height,
        "bytes": len(image.data),
        "key": preview.key,
        "object_key": preview.object_key,
        "render_ms": preview.render_ms,
        "fit": [fit.to_json() for fit in image.fits],
        "warnings": list(image.warnings),
        "alt": alt_text(draft.request),
        "request": draft.filled,  # as written: where the page's raw mode starts from
    }


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
