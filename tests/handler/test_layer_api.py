"""The layer API as its clients use it: statuses and bodies for each error class, both dialects, caching, the
response switches, the article's request, and async webhooks delivered to a real HTTPS receiver with retries."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from starlette.testclient import TestClient
from tls_receiver import receiver

from handler.app import Deps, create_app
from handler.auth import RateLimiter
from handler.fetch import HttpsClient, UrlPolicy
from handler.jobs import ThreadDispatcher
from handler.layer_api import LayerApi
from handler.service import OgService
from handler.settings import Settings
from handler.site import SiteSource
from handler.store import MemoryStore
from handler.webhooks import SIGNATURE_HEADER, WebhookSender, verify_signature
from renderer import RenderOptions

KEY, OLD_KEY = "api-key-0123456789abcdef", "old-key-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {KEY}"}
GENERATE = "/image-generation/v1/generate"
Golden = Callable[[str, bytes], None]


def card(**extra: Any) -> dict[str, Any]:
    return {
        "dimensions": {"width_in_px": 400, "height_in_px": 210},
        "layers": [
            {"index": 0, "type": "solid-color", "hex_color": "#1a1a2e"},
            {
                "index": 1,
                "type": "text",
                "text": "Hello **API**",
                "font_name": "Inter",
                "font_size_in_px": 40,
                "text_color": "#ffffff",
                "position": {"x_in_px": 20, "y_in_px": 20},
                "dimensions": {"width_in_px": 360, "height_in_px": 170},
            },
        ],
        **extra,
    }


def older_card() -> dict[str, Any]:
    return {
        "dimensions": {"width": 400, "height": 210},
        "layers": [
            {"index": 0, "type": "solid-color-background", "hex_color": "#1A1A2E"},
            {
                "index": 1,
                "type": "text",
                "text": "Hello **API**",
                "font_name": "Inter",
                "font_size_in_px": 40,
                "text_color": "#FFF",
                "position": {"x": 20, "y": 20},
                "dimensions": {"width": 360, "height": 170},
            },
        ],
    }


class Recorder:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def client(
    store: MemoryStore | None = None, sender: WebhookSender | None = None, **settings: Any
) -> tuple[TestClient, Any]:
    config = replace(Settings(api_keys=(KEY, OLD_KEY)), **settings)
    service = OgService(store or MemoryStore(), None, RenderOptions())
    sender = sender or WebhookSender(HttpsClient().post, Recorder(), time.time, 3)
    jobs = ThreadDispatcher(service, sender, config, ThreadPoolExecutor(1))
    limiter = RateLimiter(config.rate_per_minute, config.rate_burst, time.monotonic)
    site = SiteSource(lambda last: (b'{"templates": {}}', "x"), "(test)", time.monotonic)
    deps = Deps(config, service, site, MemoryStore(), LayerApi(config, service, limiter, jobs))
    return TestClient(create_app(deps), raise_server_exceptions=False), jobs


def decode(response_json: dict[str, Any]) -> Image.Image:
    return Image.open(BytesIO(base64.b64decode(response_json["data"]["buffer"])))


def test_a_request_renders_in_the_reference_shape() -> None:
    http, _ = client()
    response = http.post(GENERATE, json=card(), headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["data"]["mime_type"] == "image/png"
    assert decode(body).size == (400, 210)
    assert response.headers["x-ogedge-cache"] == "miss"


def test_the_older_path_and_both_dialects_give_the_same_image_and_a_cache_hit() -> None:
    http, _ = client()
    first = http.post(GENERATE, json=card(), headers=AUTH)
    second = http.post("/image-generation/v1/render", json=older_card(), headers=AUTH)
    assert second.status_code == 200
    assert second.headers["x-ogedge-cache"] == "hit"
    assert second.headers["x-ogedge-key"] == first.headers["x-ogedge-key"]
    assert second.json()["data"]["buffer"] == first.json()["data"]["buffer"]


def test_the_image_itself_when_asked_for() -> None:
    http, _ = client()
    by_accept = http.post(GENERATE, json=card(output_format="webp"), headers={**AUTH, "Accept": "image/*"})
    by_query = http.post(f"{GENERATE}?response=image", json=card(output_format="webp"), headers=AUTH)
    for response in (by_accept, by_query):
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/webp"
        assert Image.open(BytesIO(response.content)).format == "WEBP"


def test_a_url_to_the_stored_object_when_asked_for() -> None:
    http, _ = client(cdn_url="https://cdn.example.com")
    data = http.post(f"{GENERATE}?response=url", json=card(), headers=AUTH).json()["data"]
    assert data["url"] == f"https://cdn.example.com/img/{data['key']}.png"
    assert "buffer" not in data


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "send Authorization: Bearer <key>"),
        ({"Authorization": "Bearer nope"}, "the key is not valid"),
        ({"Authorization": f"Basic {KEY}"}, "send Authorization: Bearer <key>"),
    ],
)
def test_a_missing_or_wrong_key_is_401(headers: dict[str, str], message: str) -> None:
    response = client()[0].post(GENERATE, json=card(), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": message, "code": "unauthorized"}
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_every_configured_key_works_for_rotation() -> None:
    http, _ = client()
    assert http.post(GENERATE, json=card(), headers={"Authorization": f"Bearer {OLD_KEY}"}).status_code == 200


def test_without_keys_the_api_is_refused_unless_auth_is_explicitly_off() -> None:
    assert client(api_keys=())[0].post(GENERATE, json=card()).status_code == 401
    assert client(api_keys=(), api_no_auth=True)[0].post(GENERATE, json=card()).status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (b"{not json", "body", "not valid JSON"),
        (b"[1, 2]", "body", "JSON object"),
        (json.dumps(card(dimensions={"width_in_px": 0, "height_in_px": 10})).encode(), "dimensions.width_in_px", ">="),
        (json.dumps({"dimensions": {"width": 10, "height": 10}}).encode(), "layers", "Field required"),
        (json.dumps(card(layers=[{"type": "hologram", "index": 0}])).encode(), "layers[0]", "unknown layer type"),
        (
            json.dumps(card(layers=[{"type": "solid-color", "index": 0, "hex_color": "#xyz"}])).encode(),
            "layers[0].hex_color",
            "hex colour",
        ),
    ],
)
def test_bad_requests_are_400_naming_the_field(body: bytes, field: str, words: str) -> None:
    response = client()[0].post(GENERATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400
    payload = response.json()
    assert payload["success"] is False
    assert payload["field"] == field
    assert words.replace(">=", "greater than or equal") in payload["error"] or words in payload["error"]


def test_a_body_over_the_cap_is_413_whether_declared_or_streamed() -> None:
    http, _ = client(max_body_bytes=1000)
    big = json.dumps(card(padding="x" * 2000)).encode()
    declared = http.post(GENERATE, content=big, headers=AUTH)
    streamed = http.post(GENERATE, content=iter([big[:600], big[600:]]), headers=AUTH)
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json()["code"] == "body_too_large"


def test_an_image_that_cannot_be_loaded_is_422_naming_the_layer() -> None:
    broken = card()
    broken["layers"].append({"index": 2, "type": "image", "file": {"type": "base64", "base64": "bm90IGFuIGltYWdl"}})
    response = client()[0].post(GENERATE, json=broken, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["field"] == "layers[2].file"


def test_an_unfetchable_image_url_is_422() -> None:
    remote = card()
    remote["layers"].append({"index": 2, "type": "image", "file": {"type": "url", "url": "https://x.invalid/a.png"}})
    response = client()[0].post(GENERATE, json=remote, headers=AUTH)
    assert (response.status_code, response.json()["code"]) == (422, "asset_error")


def test_too_many_requests_is_429_with_retry_after() -> None:
    http, _ = client(rate_burst=2, rate_per_minute=6)
    statuses = [http.post(GENERATE, json=card(), headers=AUTH).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = http.post(GENERATE, json=card(), headers=AUTH)
    assert limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 10


def test_the_articles_request_as_its_client_sends_it(seed_request: dict[str, Any], golden: Golden) -> None:
    """Photo as base64, font URLs unreachable: bundled Inter, the expected card, warnings in data."""
    http, _ = client()
    response = http.post(
        GENERATE, content=json.dumps(seed_request), headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 200
    body = response.json()
    assert decode(body).size == (1200, 630)
    assert len(body["data"]["warnings"]) == 2
    golden("article-photo", base64.b64decode(body["data"]["buffer"]))


def test_openapi_describes_the_api() -> None:
    spec = client()[0].get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    post = spec["paths"]["/image-generation/v1/generate"]["post"]
    assert set(post["responses"]) >= {"200", "201", "400", "401", "413", "422", "429"}
    request = spec["components"]["schemas"]["RenderRequest"]
    assert set(request["required"]) == {"dimensions", "layers"}
    assert spec["components"]["schemas"]["SolidColorLayer"]["properties"]["hex_color"]["type"] == "string"


def test_an_http_webhook_is_refused_and_nothing_is_sent() -> None:
    http, _jobs = client()
    response = http.post(GENERATE, json=card(webhook_url="http://hooks.example.com/x"), headers=AUTH)
    assert response.status_code == 400
    assert response.json()["field"] == "webhook_url"


def test_async_delivery_with_retries_and_a_signature(tmp_path: Path) -> None:
    with receiver(tmp_path, [500, 503, 200]) as hook:
        sleeps = Recorder()
        sender = WebhookSender(
            HttpsClient(UrlPolicy(allow_private=True), context=hook.client_context).post, sleeps, time.time, attempts=5
        )
        http, jobs = client(sender=sender, allow_private_network=True)
        started = time.monotonic()
        response = http.post(GENERATE, json=card(webhook_url=hook.url), headers=AUTH)
        assert response.status_code == 201
        assert response.json()["success"] is True
        assert response.json()["async"] is True
        assert time.monotonic() - started < 5
        assert hook.done.wait(20), "the webhook was not delivered"
        jobs.pool.shutdown(wait=True)
    assert len(hook.received) == 3
    assert sleeps.sleeps == [1.0, 2.0]
    headers, body = hook.received[-1]
    assert verify_signature(KEY, headers[SIGNATURE_HEADER.lower()], body, time.time())
    assert not verify_signature("another-secret", headers[SIGNATURE_HEADER.lower()], body, time.time())
    payload = json.loads(body)
    assert (payload["success"], payload["api"], payload["data"]["mime_type"]) == (True, "image_generation", "image/png")
    assert Image.open(BytesIO(base64.b64decode(payload["data"]["buffer"]))).size == (400, 210)


def test_an_async_failure_is_delivered_in_the_reference_error_shape(tmp_path: Path) -> None:
    broken = card()
    broken["layers"].append({"index": 2, "type": "image", "file": {"type": "base64", "base64": "bm90IGFuIGltYWdl"}})
    with receiver(tmp_path, [200]) as hook:
        sender = WebhookSender(
            HttpsClient(UrlPolicy(allow_private=True), context=hook.client_context).post,
            Recorder(),
            time.time,
            attempts=2,
        )
        http, jobs = client(sender=sender, allow_private_network=True)
        assert http.post(GENERATE, json={**broken, "webhook_url": hook.url}, headers=AUTH).status_code == 201
        assert hook.done.wait(20)
        jobs.pool.shutdown(wait=True)
    payload = json.loads(hook.received[0][1])
    assert payload["success"] is False
    assert payload["api"] == "image_generation"
    assert "layers[2].file" in payload["error"]["message"]


def test_a_receiver_that_never_accepts_is_given_up_after_the_attempts(tmp_path: Path) -> None:
    with receiver(tmp_path, [500]) as hook:
        sleeps = Recorder()
        sender = WebhookSender(
            HttpsClient(UrlPolicy(allow_private=True), context=hook.client_context).post, sleeps, time.time, attempts=3
        )
        assert sender.deliver(hook.url, {"success": True}, "secret") is False
    assert len(hook.received) == 3
    assert sleeps.sleeps == [1.0, 2.0]


def test_a_refused_webhook_url_is_not_retried() -> None:
    sleeps = Recorder()
    sender = WebhookSender(HttpsClient().post, sleeps, time.time, attempts=5)
    assert sender.deliver("http://plain.example/hook", {"success": True}, "secret") is False
    assert sleeps.sleeps == []


@pytest.mark.parametrize(
    "hook", ["https://169.254.169.254/latest/", "https://127.0.0.1:9/x", "https://0x7f.1/x", "https://[::1]/x"]
)
def test_a_webhook_to_a_private_address_is_a_400_before_anything_is_sent(hook: str) -> None:
    http, jobs = client()
    response = http.post(GENERATE, json=card(webhook_url=hook), headers=AUTH)
    assert response.status_code == 400
    assert response.json()["field"] == "webhook_url"
    jobs.pool.shutdown(wait=True)


def test_a_request_over_a_limit_is_400_naming_the_field() -> None:
    too_big = card(dimensions={"width_in_px": 9000, "height_in_px": 100})
    response = client()[0].post(GENERATE, json=too_big, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["field"] == "dimensions"


def test_an_image_too_large_to_answer_inline_says_to_ask_for_the_url() -> None:
    http, _ = client(max_inline_bytes=1000)
    response = http.post(GENERATE, json=card(), headers=AUTH)
    assert response.status_code == 422
    assert response.json()["code"] == "output_too_large"
    assert "?response=url" in response.json()["error"]
    assert http.post(f"{GENERATE}?response=url", json=card(), headers=AUTH).status_code == 200


def test_a_render_reports_what_became_of_its_text() -> None:
    http, _ = client()
    clamped = card()
    clamped["layers"][1].update(text="A title far too long to fit on two lines of this small card", max_lines=2)
    response = http.post(GENERATE, json=clamped, headers=AUTH)
    assert response.status_code == 200
    fit = response.json()["data"]["fit"]
    assert fit == [
        {"layer": "layers[1]", "font_size_in_px": 40.0, "lines": 2, "truncated": True, "fonts": ["Inter Regular"]}
    ]
    assert response.headers["x-ogedge-truncated"] == "layers[1]"
    image = http.post(GENERATE + "?response=image", json=clamped, headers=AUTH)
    assert image.headers["x-ogedge-cache"] == "hit"  # a stored image's fit is not known again
    assert "x-ogedge-truncated" not in image.headers


def test_a_text_extension_out_of_range_is_400_naming_it() -> None:
    http, _ = client()
    bad = card()
    bad["layers"][1]["max_lines"] = 0
    response = http.post(GENERATE, json=bad, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["field"] == "layers[1].max_lines"


def test_a_body_nested_too_deeply_is_400_not_500() -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    response = client()[0].post(GENERATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["field"] == "body"
