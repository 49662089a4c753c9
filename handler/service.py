"""The on-demand core, apart from HTTP: a request's key, a store lookup, and on a miss one render and a write.

Identical requests in flight in one process share one render (single flight); across processes the store's
conditional write keeps the first object. A render that needed a fallback (a font URL that could not be fetched)
is answered but never stored, so a passing failure is not made permanent. A failing store is logged and the image
is answered inline instead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from handler.store import CacheStore, StoreError
from renderer import Fetch, RenderedImage, RenderOptions, RenderRequest, render
from renderer.encode import MIME_TYPES
from renderer.fingerprint import fingerprint
from renderer.report import TextFit

log = logging.getLogger("ogedge")
FILE_EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "avif": "avif", "gif": "gif", "tiff": "tif"}


@dataclass(frozen=True)
class Outcome:
    key: str
    object_key: str
    mime_type: str
    cache: Literal["hit", "miss"]
    stored: bool  # the object is in the store (a redirect to it will work)
    data: bytes | None = None  # the image, when rendered here or asked for
    warnings: tuple[str, ...] = ()
    render_ms: float = 0.0
    store_ms: float = 0.0
    fits: tuple[TextFit, ...] = ()  # what became of each text layer, when rendered here (not known on a hit)


@dataclass(frozen=True)
class Preview:
    """A render that was not stored (the playground's): the image and what became of its text."""

    key: str
    object_key: str  # where the same request would be stored
    image: RenderedImage
    render_ms: float


@dataclass
class _Flights:
    lock: threading.Lock = field(default_factory=threading.Lock)
    keys: dict[str, tuple[threading.Lock, int]] = field(default_factory=dict)

    @contextmanager
    def one_at_a_time(self, key: str) -> Iterator[None]:
        with self.lock:
            lock, users = self.keys.get(key, (threading.Lock(), 0))
            self.keys[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self.lock:
                lock, users = self.keys[key]
                if users == 1:
                    del self.keys[key]
                else:
                    self.keys[key] = (lock, users - 1)


@dataclass
class OgService:
    store: CacheStore
    fetch: Fetch | None
    options: RenderOptions
    prefix: str = "img/"
    _flights: _Flights = field(default_factory=_Flights)
    _render_lock: threading.Lock = field(default_factory=threading.Lock)  # parsed fonts are shared, not reentrant

    def object_key(self, request: RenderRequest) -> tuple[str, str]:
        key = fingerprint(request)
        return key, f"{self.prefix}{key}.{FILE_EXTENSIONS[request.output_format]}"

    def obtain(self, request: RenderRequest, want_bytes: bool = False) -> Outcome:
        """The stored object for ``request``, rendering and storing it first if needed."""
        key, object_key = self.object_key(request)
        mime = MIME_TYPES[request.output_format]
        started = time.perf_counter()
        hit = self._lookup(object_key, want_bytes)
        if hit is not None:
            return Outcome(key, object_key, mime, "hit", True, hit or None, store_ms=_ms(started))
        with self._flights.one_at_a_time(object_key):
            again = self._lookup(object_key, want_bytes)  # another thread may have stored it meanwhile
            if again is not None:
                return Outcome(key, object_key, mime, "hit", True, again or None, store_ms=_ms(started))
            return self._render_and_store(request, key, object_key, mime)

    def preview(self, request: RenderRequest) -> Preview:
        """Render ``request`` without looking in or writing to the store (a draft is not worth keeping)."""
        key, object_key = self.object_key(request)
        started = time.perf_counter()
        with self._render_lock:
            image = render(request, fetch=self.fetch, options=self.options)
        return Preview(key, object_key, image, _ms(started))

    def _lookup(self, object_key: str, want_bytes: bool) -> bytes | None:
        """b"" for "stored" when bytes are not wanted, the bytes when they are, None when not stored or unknown."""
        try:
            if not want_bytes:
                return b"" if self.store.exists(object_key) else None
            stored = self.store.get(object_key)
            return stored.data if stored else None
        except StoreError as exc:
            log.warning("store lookup failed for %s: %s", object_key, exc)
            return None

    def _render_and_store(self, request: RenderRequest, key: str, object_key: str, mime: str) -> Outcome:
        started = time.perf_counter()
        with self._render_lock:
            image = render(request, fetch=self.fetch, options=self.options)
        render_ms = _ms(started)
        stored = False
        started = time.perf_counter()
        if not image.warnings:
            try:
                self.store.put(object_key, image.data, mime)
                stored = True
            except StoreError as exc:
                log.warning("store write failed for %s: %s", object_key, exc)
        return Outcome(
            key, object_key, mime, "miss", stored, image.data, image.warnings, render_ms, _ms(started), image.fits
        )


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
