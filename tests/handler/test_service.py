"""The on-demand core: hit and miss, one render for racing identical requests, degraded renders not stored,
store faults degrade to an inline answer."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from handler.service import OgService
from handler.store import MemoryStore, StoredObject, StoreError
from renderer import RenderOptions, parse_request
from renderer.fingerprint import fingerprint

REQUEST = parse_request(
    {
        "dimensions": {"width": 300, "height": 160},
        "layers": [
            {"type": "solid-color", "hex_color": "#1a1a2e"},
            {
                "type": "text",
                "text": "Hello",
                "font_name": "Inter",
                "font_size_in_px": 40,
                "text_color": "#fff",
                "position": {"x": 10, "y": 10},
                "dimensions": {"width": 280, "height": 140},
            },
        ],
    }
)


class FaultyStore(MemoryStore):
    """A memory store whose chosen operations fail as a timing-out service would."""

    def __init__(self, failing: set[str]) -> None:
        super().__init__()
        self.failing = failing

    def _maybe_fail(self, operation: str) -> None:
        if operation in self.failing:
            raise StoreError(f"injected {operation} timeout")

    def exists(self, key: str) -> bool:
        self._maybe_fail("exists")
        return super().exists(key)

    def get(self, key: str) -> StoredObject | None:
        self._maybe_fail("get")
        return super().get(key)

    def put(self, key: str, data: bytes, content_type: str) -> bool:
        self._maybe_fail("put")
        return super().put(key, data, content_type)


def service(store: MemoryStore, fetch: Any = None) -> OgService:
    return OgService(store, fetch, RenderOptions())


def test_miss_then_hit() -> None:
    store = MemoryStore()
    first = service(store).obtain(REQUEST)
    assert (first.cache, first.stored) == ("miss", True)
    assert first.object_key == f"img/{fingerprint(REQUEST)}.png"
    assert store.objects[first.object_key].data == first.data
    second = service(store).obtain(REQUEST)
    assert (second.cache, second.stored, second.data) == ("hit", True, None)
    assert service(store).obtain(REQUEST, want_bytes=True).data == first.data


def test_racing_identical_requests_render_once() -> None:
    store = MemoryStore()
    svc = service(store)
    renders = 0
    original = svc._render_and_store
    counting = threading.Lock()

    def counted(*args: Any) -> Any:
        nonlocal renders
        with counting:
            renders += 1
        return original(*args)

    svc._render_and_store = counted  # type: ignore[method-assign,assignment]
    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(lambda _: svc.obtain(REQUEST), range(16)))
    assert renders == 1
    assert {o.object_key for o in outcomes} == {outcomes[0].object_key}
    assert len(store.objects) == 1
    assert sorted(o.cache for o in outcomes).count("miss") == 1


@pytest.mark.parametrize("failing", [{"exists"}, {"put"}, {"exists", "put"}, {"get", "exists", "put"}])
def test_store_faults_still_give_an_image(failing: set[str]) -> None:
    outcome = service(FaultyStore(failing)).obtain(REQUEST)
    assert outcome.data is not None
    assert outcome.data.startswith(b"\x89PNG")
    assert outcome.stored is ("put" not in failing)


def test_a_render_with_a_font_fallback_is_answered_but_not_stored() -> None:
    request = parse_request(
        {
            **REQUEST.model_dump(mode="json"),
            "fonts": [
                {"name": "Inter", "weight": "regular", "file": {"type": "url", "url": "https://fonts.example/x.ttf"}}
            ],
        }
    )

    def unreachable(url: str) -> bytes:
        raise OSError("unreachable")

    store = MemoryStore()
    outcome = service(store, unreachable).obtain(request)
    assert outcome.data is not None
    assert not outcome.stored
    assert outcome.warnings
    assert store.objects == {}
