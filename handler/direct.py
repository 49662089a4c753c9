"""Direct Lambda invocations (no HTTP): ``{"slug": ...}``, ``{"slugs": [...]}``, ``{"request": {...}}``.

Each answers render-or-hit with the key, the CDN URL and hit or miss; failures come back as structured errors
(the HTTP error body), never as a stack trace."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from handler import logs
from handler.errors import BadInvocation, OutputTooLarge, body_of, status_of
from handler.resolve import OgName, Signing, resolve
from handler.service import OgService, Outcome
from handler.settings import Settings
from handler.site import SiteSource
from renderer import parse_request

HTTP_KEYS = ("requestContext", "httpMethod", "rawPath", "routeKey", "headers")
DIRECT_KEYS = ("slug", "slugs", "request")
MAX_SLUGS = 1000


def is_direct(event: Any) -> bool:
    return (
        isinstance(event, Mapping) and not any(k in event for k in HTTP_KEYS) and any(k in event for k in DIRECT_KEYS)
    )


def _url(settings: Settings, outcome: Outcome) -> str | None:
    return f"{settings.cdn_url}/{outcome.object_key}" if settings.cdn_url and outcome.stored else None


def _result(outcome: Outcome, settings: Settings, with_image: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "success": True,
        "key": outcome.key,
        "object_key": outcome.object_key,
        "url": _url(settings, outcome),
        "cache": outcome.cache,
        "stored": outcome.stored,
        "mime_type": outcome.mime_type,
    }
    if outcome.warnings:
        result["warnings"] = list(outcome.warnings)
    if with_image and outcome.data is not None:
        result["buffer"] = base64.b64encode(outcome.data).decode()
    return result


def _error(exc: Exception) -> dict[str, Any]:
    status = status_of(exc)[0]
    if status >= 500:
        logs.log.error("direct invocation failed", exc_info=exc)
    return {**body_of(exc), "status": status}


def _one_slug(slug: Any, service: OgService, site: SiteSource, settings: Settings) -> dict[str, Any]:
    try:
        if not isinstance(slug, str):
            raise BadInvocation("a slug must be a string", "slug")
        name = OgName.parse(slug if "." in slug.rpartition("/")[2] else f"{slug}.png")
        request = resolve(site.current(), name, f"/og/{name.slug}", [], Signing((), allow_unsigned=False))
        outcome = service.obtain(request)
        logs.request_line(
            route="direct",
            slug=slug,
            key=outcome.key,
            cache=outcome.cache,
            stored=outcome.stored,
            render_ms=outcome.render_ms or None,
            store_ms=outcome.store_ms,
        )
        return {"slug": slug, **_result(outcome, settings, False)}
    except Exception as exc:  # one failing page never hides the others
        return {"slug": slug, **_error(exc)}


def handle(event: Mapping[str, Any], service: OgService, site: SiteSource, settings: Settings) -> dict[str, Any]:
    try:
        if "slugs" in event:
            slugs = event["slugs"]
            if not isinstance(slugs, list) or len(slugs) > MAX_SLUGS:
                raise BadInvocation(f"'slugs' must be a list of at most {MAX_SLUGS} slugs", "slugs")
            results = [_one_slug(slug, service, site, settings) for slug in slugs]
            return {"success": all(r["success"] for r in results), "results": results}
        if "slug" in event:
            return _one_slug(event["slug"], service, site, settings)
        request = parse_request(event["request"])
        with_image = bool(event.get("return_image"))
        outcome = service.obtain(request, want_bytes=with_image)
        if with_image and outcome.data is not None and len(outcome.data) > settings.max_inline_bytes:
            raise OutputTooLarge(f"the image is {len(outcome.data)} bytes: too large to return; use its url")
        logs.request_line(
            route="direct",
            key=outcome.key,
            cache=outcome.cache,
            stored=outcome.stored,
            render_ms=outcome.render_ms or None,
            store_ms=outcome.store_ms,
        )
        return _result(outcome, settings, with_image)
    except Exception as exc:
        return _error(exc)
