"""The composition root: settings from the environment, clients and stores built once, and ``lambda_handler``.

HTTP events (Function URL, API Gateway HTTP API v2 and REST v1, ALB) go through mangum to the Starlette app, except
the on-demand route from a Function URL, which ``handler.function_url`` answers without loading either. Direct
invocations are recognised by their shape and answered without them too. Everything is built on the first event of a
cold start and reused after: keys named by ``*_PARAMETER`` variables are read from SSM first (``handler.secrets``).

Behind CloudFront the function is reached at its own URL, but redirects and ``?response=url`` answers must name the
CDN. With ``OGEDGE_TRUST_FORWARDED_HOST`` the host the viewer asked for comes from ``X-Forwarded-Host``, which the
distribution sets from the viewer's Host header (replacing any the viewer sent), so the template never has to give
the function the distribution's name (that would be a cycle). ``OGEDGE_CDN_URL``, when set, still wins.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from handler import direct, function_url, logs, secrets
from handler.auth import RateLimiter
from handler.deps import Deps
from handler.fetch import HttpsFetcher
from handler.forwarded import ForwardedHost, with_forwarded_host
from handler.jobs import JOB_KEY, Dispatcher, Job, LambdaDispatcher, ThreadDispatcher, run_job, secret_for
from handler.og import og_reply
from handler.reply import error_reply
from handler.service import OgService
from handler.settings import Settings
from handler.site import EMPTY_SITE, SiteSource, file_reader
from handler.store import CacheStore, FileStore
from handler.webhooks import WebhookSender
from renderer.fonts import check_layout_engine


def _site_source(settings: Settings, s3_client: Any) -> SiteSource:
    location = settings.site
    if location is None:
        return SiteSource(lambda last: (EMPTY_SITE.model_dump_json().encode(), "empty"), "(no site)", time.monotonic)
    if location.startswith("s3://"):
        from handler.s3site import s3_reader  # noqa: PLC0415

        return SiteSource(s3_reader(s3_client, location), location, time.monotonic, settings.site_ttl_s)
    return SiteSource(file_reader(Path(location)), location, time.monotonic, settings.site_ttl_s)


def build_deps(
    settings: Settings, serve_objects: bool = False, inline_io: bool = False, layer_api: bool = True
) -> Deps:
    """Everything the app and direct invocations use. S3 when a bucket is set, else the filesystem store.
    ``inline_io``: blocking calls on the event loop's thread (Lambda: one request at a time per instance).
    ``layer_api``: built now, or later by ``with_layer_api`` (it brings Starlette, which the on-demand path skips)."""
    check_layout_engine()  # fail at start-up, not on the first right-to-left title
    s3_client: Any = None
    if settings.bucket or (settings.site or "").startswith("s3://"):
        from handler.s3store import make_s3_client  # noqa: PLC0415 - boto3 only when S3 is used

        s3_client = make_s3_client()
    store: CacheStore
    if settings.bucket:
        from handler.s3store import S3Store  # noqa: PLC0415

        store = S3Store(s3_client, settings.bucket)
    else:
        store = FileStore(settings.store_dir)
    fetch = HttpsFetcher(settings.https_client())
    service = OgService(store, fetch, settings.render_options(), settings.prefix)
    site = _site_source(settings, s3_client)
    objects = store if serve_objects else None
    deps = Deps(settings, service, site, objects=objects, inline_io=inline_io)
    return with_layer_api(deps) if layer_api else deps


def with_layer_api(deps: Deps) -> Deps:
    from handler.layer_api import LayerApi  # noqa: PLC0415 - Starlette's request and responses come with it

    settings = deps.settings
    limiter = RateLimiter(settings.rate_per_minute, settings.rate_burst, time.monotonic)
    return replace(deps, layer_api=LayerApi(settings, deps.service, limiter, _dispatcher(settings, deps.service)))


def webhook_sender(settings: Settings) -> WebhookSender:
    return WebhookSender(settings.https_client().post, time.sleep, time.time, settings.webhook_attempts)


def _dispatcher(settings: Settings, service: OgService) -> Dispatcher:
    """On Lambda the function invokes itself for async requests; elsewhere a small pool of worker threads."""
    if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
        return LambdaDispatcher(os.environ["AWS_LAMBDA_FUNCTION_NAME"])
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415 - not on Lambda

    pool = ThreadPoolExecutor(2, thread_name_prefix="ogedge-job")
    return ThreadDispatcher(service, webhook_sender(settings), settings, pool)


__all__ = ["ForwardedHost", "lambda_handler", "with_forwarded_host"]


@dataclass
class Runtime:
    deps: Deps
    _asgi: Any = None  # mangum's handler, built on the first event that needs it

    @classmethod
    def from_env(cls, env: Mapping[str, str], ssm: Callable[[], Any] = secrets.make_ssm_client) -> Runtime:
        """``ssm`` builds the SSM client, called only when a ``*_PARAMETER`` variable names a key to read."""
        logs.configure()
        return cls(build_deps(Settings.from_env(secrets.resolve(env, ssm)), inline_io=True, layer_api=False))

    def asgi(self, event: Any, context: Any) -> Any:
        if self._asgi is None:
            from mangum import Mangum  # noqa: PLC0415

            from handler.app import create_app  # noqa: PLC0415 - Starlette only for the events that need it

            self.deps = with_layer_api(self.deps)
            app: Any = create_app(self.deps)
            if self.deps.settings.trust_forwarded_host:
                app = ForwardedHost(app)
            self._asgi = Mangum(app, lifespan="off")
        return self._asgi(event, context)

    def og(self, event: Any, context: Any) -> Any:
        """The on-demand route from a Function URL, without ASGI; None when ``event`` is not one."""
        call = function_url.og_call(event, context, self.deps.settings.trust_forwarded_host)
        if call is None:
            return None
        try:
            reply = og_reply(self.deps, call)
        except Exception as exc:  # as Starlette's handlers answer it
            reply = error_reply(exc, call.path, call.request_id)
        return function_url.response(reply)

    def __call__(self, event: Any, context: Any) -> Any:
        if isinstance(event, Mapping) and JOB_KEY in event:
            settings = self.deps.settings
            job = Job.from_event(event)
            secret = secret_for(settings, job.key_index)
            return {"delivered": run_job(job, self.deps.service, webhook_sender(settings), secret)}
        if direct.is_direct(event):
            return direct.handle(event, self.deps.service, self.deps.site, self.deps.settings)
        answer = self.og(event, context)
        return answer if answer is not None else self.asgi(event, context)


_runtime: Runtime | None = None


def lambda_handler(event: Any, context: Any) -> Any:
    global _runtime  # noqa: PLW0603 - built once per cold start
    if _runtime is None:
        _runtime = Runtime.from_env(os.environ)
    return _runtime(event, context)
