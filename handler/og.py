"""The on-demand route, ``GET|HEAD /og/<slug>.<ext>``, apart from any web framework: what it reads of a request
(``OgCall``) in, a ``Reply`` out. Starlette and the Function URL path adapt their requests to it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from handler import logs
from handler.deps import Deps
from handler.errors import NotStored, OutputTooLarge
from handler.reply import Reply
from handler.resolve import OgName, Signing, resolve
from handler.service import Outcome
from handler.settings import Settings


@dataclass(frozen=True)
class OgCall:
    method: str  # GET or HEAD
    name: str  # the path after /og/
    path: str  # the URL's path, which a signature covers
    query: list[tuple[str, str]]
    base_url: str  # scheme://host the request was made to
    request_id: str


def og_reply(deps: Deps, call: OgCall) -> Reply:
    """Resolve, render or find, answer, log. Blocking: site file, store and render."""
    started = time.perf_counter()
    name = OgName.parse(call.name)
    signing = Signing(deps.settings.signing_keys, deps.settings.allow_unsigned)
    render_request = resolve(deps.site.current(), name, call.path, call.query, signing)
    outcome = deps.service.obtain(render_request, deps.settings.response_mode == "inline")
    reply = _answer(call, outcome, deps.settings)
    logs.request_line(
        request_id=call.request_id,
        route="og",
        slug=name.slug,
        key=outcome.key,
        cache=outcome.cache,
        stored=outcome.stored,
        render_ms=outcome.render_ms or None,
        store_ms=outcome.store_ms,
        total_ms=round((time.perf_counter() - started) * 1000, 2),
        status=reply.status,
    )
    return reply


def _answer(call: OgCall, outcome: Outcome, settings: Settings) -> Reply:
    headers = {"X-Ogedge-Cache": outcome.cache, "X-Ogedge-Key": outcome.key}
    too_large = outcome.data is not None and len(outcome.data) > settings.max_inline_bytes
    if outcome.stored and (settings.response_mode == "redirect" or too_large):
        headers["Cache-Control"] = f"public, max-age={settings.redirect_max_age}"
        location = f"{settings.cdn_url or call.base_url}/{outcome.object_key}"
        return Reply(302, {**headers, "Location": location})
    if outcome.data is None:  # inline mode on a hit that did not fetch the bytes: cannot happen, but be safe
        raise NotStored("the image is not available", "path")
    if too_large:
        raise OutputTooLarge(f"the image is {len(outcome.data)} bytes and could not be stored; too large to answer")
    degraded = not outcome.stored or outcome.warnings
    age = settings.degraded_max_age if degraded else settings.redirect_max_age
    headers["Cache-Control"] = f"public, max-age={age}"
    headers["Content-Length"] = str(len(outcome.data))
    body = b"" if call.method == "HEAD" else outcome.data
    return Reply(200, headers, body, outcome.mime_type)
