"""The composition root: settings from the environment, clients and stores built once, and ``lambda_handler``.

HTTP events (Function URL, API Gateway HTTP API v2 and REST v1, ALB) go through mangum to the Starlette app; direct
invocations are recognised by their shape and answered without it. Everything is built on the first event of a cold
start and reused after.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handler import direct, logs
from handler.app import Deps, create_app
from handler.fetch import HttpsFetcher
from handler.service import OgService
from handler.settings import Settings
from handler.site import EMPTY_SITE, SiteSource, file_reader
from handler.store import CacheStore, FileStore
from renderer import RenderOptions


def _site_source(settings: Settings, s3_client: Any) -> SiteSource:
    location = settings.site
    if location is None:
        return SiteSource(lambda last: (EMPTY_SITE.model_dump_json().encode(), "empty"), "(no site)", time.monotonic)
    if location.startswith("s3://"):
        from handler.s3site import s3_reader  # noqa: PLC0415

        return SiteSource(s3_reader(s3_client, location), location, time.monotonic, settings.site_ttl_s)
    return SiteSource(file_reader(Path(location)), location, time.monotonic, settings.site_ttl_s)


def build_deps(settings: Settings, serve_objects: bool = False) -> Deps:
    """Everything the app and direct invocations use. S3 when a bucket is set, else the filesystem store."""
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
    fetch = HttpsFetcher(settings.fetch_timeout_s, settings.fetch_max_bytes)
    service = OgService(store, fetch, RenderOptions(max_source_pixels=settings.max_source_pixels), settings.prefix)
    site = _site_source(settings, s3_client)
    return Deps(settings, service, site, objects=store if serve_objects else None)


@dataclass
class Runtime:
    deps: Deps
    asgi: Any  # mangum's handler

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Runtime:
        from mangum import Mangum  # noqa: PLC0415

        logs.configure()
        deps = build_deps(Settings.from_env(env))
        return cls(deps, Mangum(create_app(deps), lifespan="off"))

    def __call__(self, event: Any, context: Any) -> Any:
        if direct.is_direct(event):
            return direct.handle(event, self.deps.service, self.deps.site, self.deps.settings)
        return self.asgi(event, context)


_runtime: Runtime | None = None


def lambda_handler(event: Any, context: Any) -> Any:
    global _runtime  # noqa: PLW0603 - built once per cold start
    if _runtime is None:
        _runtime = Runtime.from_env(os.environ)
    return _runtime(event, context)
