"""What the routes need, built once per process by the composition root (``handler.main``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from handler.service import OgService
from handler.settings import Settings
from handler.site import SiteSource
from handler.store import CacheStore

if TYPE_CHECKING:
    from handler.layer_api import LayerApi

T = TypeVar("T")


@dataclass
class Deps:
    settings: Settings
    service: OgService
    site: SiteSource
    objects: CacheStore | None = None  # serve stored objects at /<prefix>... (the embedded default's CDN)
    layer_api: LayerApi | None = None
    # Blocking calls (site file, store, render) made on the event loop's thread instead of a worker thread: on
    # Lambda an instance answers one request at a time, so the hop to a thread would only cost time.
    inline_io: bool = False

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        if self.inline_io:
            return function(*args)
        from starlette.concurrency import run_in_threadpool  # noqa: PLC0415 - only where an event loop runs

        return await run_in_threadpool(function, *args)
