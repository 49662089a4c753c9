"""The HTTP app: redirects to immutable objects, hits after misses, signed dynamic pages, errors as JSON,
inline answers when the store fails, and 16 concurrent first requests giving one object."""

from __future__ import annotations

import time
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asgi_load import concurrent_gets
from PIL import Image
from starlette.testclient import TestClient

from handler.app import Deps, create_app
from handler.service import OgService
from handler.settings import Settings
from handler.signing import signed_query
from handler.site import SiteSource, file_reader
from handler.store import IMMUTABLE, CacheStore, MemoryStore, StoredObject, StoreError
from renderer import RenderOptions

EXAMPLE_SITE = Path(__file__).resolve().parents[2] / "examples" / "site.json"
KEY = "signing-key-for-tests-0123456789"


class DownStore(MemoryStore):
    def exists(self, key: str) -> bool:
        raise StoreError("connect timeout")

    def get(self, key: str) -> StoredObject | None:
        raise StoreError("connect timeout")

    def put(self, key: str, data: bytes, content_type: str) -> bool:
        raise StoreError("503 SlowDown")


def make_client(store: CacheStore | None = None, serve_objects: bool = True, **settings: Any) -> TestClient:
    store = store if store is not None else MemoryStore()
    config = replace(Settings(site=str(EXAMPLE_SITE), signing_keys=(KEY,)), **settings)
    site = SiteSource(file_reader(EXAMPLE_SITE), str(EXAMPLE_SITE), time.monotonic)
    deps = Deps(config, OgService(store, None, RenderOptions()), site, store if serve_objects else None)
    return TestClient(create_app(deps), base_url="http://testserver", follow_redirects=False)


def decode(data: bytes) -> Image.Image:
    return Image.open(BytesIO(data))


def test_a_page_redirects_to_its_immutable_object() -> None:
    client = make_client()
    first = client.get("/og/why-postgres.png")
    assert first.status_code == 302
    assert first.headers["x-ogedge-cache"] == "miss"
    assert first.headers["cache-control"] == "public, max-age=300"
    key = first.headers["x-ogedge-key"]
    assert first.headers["location"] == f"http://testserver/img/{key}.png"
    second = client.get("/og/why-postgres.png")
    assert (second.status_code, second.headers["x-ogedge-cache"]) == (302, "hit")
    assert second.headers["location"] == first.headers["location"]
    image = client.get(first.headers["location"])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.headers["cache-control"] == IMMUTABLE
    assert decode(image.content).size == (1200, 630)


def test_the_cdn_url_setting_is_where_redirects_point() -> None:
    response = make_client(cdn_url="https://cdn.example.com").get("/og/why-postgres.png")
    assert response.headers["location"].startswith("https://cdn.example.com/img/")


@pytest.mark.parametrize(("ext", "fmt"), [("jpg", "JPEG"), ("webp", "WEBP"), ("png", "PNG")])
def test_the_extension_picks_the_format(ext: str, fmt: str) -> None:
    client = make_client()
    location = client.get(f"/og/why-postgres.{ext}").headers["location"]
    assert location.endswith(f".{ext}")
    assert decode(client.get(location).content).format == fmt


def test_head_answers_like_get_without_a_body() -> None:
    response = make_client().head("/og/why-postgres.png")
    assert response.status_code == 302
    assert response.content == b""


def test_pages_differ_and_a_key_is_stable_across_processes_of_the_same_site() -> None:
    a, b = make_client(), make_client()
    assert (
        a.get("/og/why-postgres.png").headers["x-ogedge-key"] == b.get("/og/why-postgres.png").headers["x-ogedge-key"]
    )
    assert (
        a.get("/og/connection-pooling.png").headers["x-ogedge-key"]
        != a.get("/og/why-postgres.png").headers["x-ogedge-key"]
    )


def signed(path: str, **params: str) -> str:
    return f"{path}?{signed_query(KEY, path, list(params.items()))}"


def test_a_signed_dynamic_page_renders() -> None:
    client = make_client()
    url = signed("/og/any-name.png", template="blog", title='Quotes " and {{braces}}', author="Eve")
    response = client.get(url)
    assert response.status_code == 302, response.text
    assert decode(client.get(response.headers["location"]).content).size == (1200, 630)


@pytest.mark.parametrize(
    ("url", "status", "code", "field"),
    [
        ("/og/no-such-page.png", 404, "unknown_slug", "path"),
        ("/og/why-postgres.gif", 400, "bad_path", "path"),
        ("/og/why postgres.png", 400, "bad_path", "path"),
        ("/og/a/%2e%2e/%2e%2e/etc/passwd.png", 400, "bad_path", "path"),
        ("/og/%2e%2e/secret.png", 400, "bad_path", "path"),
        ("/og/x.png?template=blog&title=Hi", 403, "bad_signature", "sig"),
        ("/og/x.png?template=blog&title=Hi&sig=AAAA", 403, "bad_signature", "sig"),
        ("/nothing-here", 404, "not_found", None),
        ("/img/0000.png", 404, "not_found", "path"),
    ],
)
def test_errors_are_json_naming_the_field_and_never_cached(url: str, status: int, code: str, field: str | None) -> None:
    response = make_client().get(url)
    assert response.status_code == status, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["success"], body["code"], body.get("field")) == (False, code, field)
    assert body["error"]


def test_a_tampered_signed_url_is_refused() -> None:
    url = signed("/og/x.png", template="blog", title="Hi", author="Eve").replace("title=Hi", "title=Pwned")
    assert make_client().get(url).status_code == 403


def test_signed_url_with_a_missing_variable_names_it() -> None:
    response = make_client().get(signed("/og/x.png", template="blog", author="Eve"))
    assert response.status_code == 400
    assert response.json()["field"] == "vars.title"


def test_signed_url_with_an_unknown_template() -> None:
    response = make_client().get(signed("/og/x.png", template="nope"))
    assert (response.status_code, response.json()["code"]) == (400, "unknown_template")


def test_unsigned_queries_only_when_allowed() -> None:
    url = "/og/x.png?template=blog&title=Hi&author=Eve"
    assert make_client().get(url).status_code == 403
    assert make_client(allow_unsigned=True).get(url).status_code == 302


def test_a_down_store_still_answers_with_the_image_briefly_cached() -> None:
    response = make_client(store=DownStore(), serve_objects=False).get("/og/why-postgres.png")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    assert decode(response.content).size == (1200, 630)


def test_inline_mode_answers_with_the_bytes() -> None:
    client = make_client(response_mode="inline")
    for cache in ("miss", "hit"):
        response = client.get("/og/why-postgres.png")
        assert response.status_code == 200
        assert response.headers["x-ogedge-cache"] == cache
        assert response.headers["content-type"] == "image/png"
        assert decode(response.content).size == (1200, 630)


def test_healthz() -> None:
    assert make_client().get("/healthz").json() == {"ok": True}


def test_sixteen_concurrent_first_requests_get_one_object() -> None:
    store = MemoryStore()
    app = make_client(store).app

    responses = concurrent_gets(app, "/og/zero-downtime-migrations.png", 16)
    assert {r.status_code for r in responses} == {302}
    assert len({r.headers["location"] for r in responses}) == 1
    assert [r.headers["x-ogedge-cache"] for r in responses].count("miss") == 1
    assert len(store.objects) == 1
    (stored,) = store.objects.values()
    assert decode(stored.data).size == (1200, 630)


def test_query_parameters_on_a_site_page_are_ignored() -> None:
    client = make_client()
    plain = client.get("/og/why-postgres.png").headers["x-ogedge-key"]
    tracked = client.get("/og/why-postgres.png?fbclid=abc&utm_source=x").headers["x-ogedge-key"]
    assert plain == tracked


def test_inline_mode_redirects_when_the_image_is_too_large_to_answer() -> None:
    response = make_client(response_mode="inline", max_inline_bytes=1000).get("/og/why-postgres.png")
    assert response.status_code == 302


def test_too_large_and_not_stored_is_a_clear_error() -> None:
    response = make_client(store=DownStore(), serve_objects=False, max_inline_bytes=1000).get("/og/why-postgres.png")
    assert (response.status_code, response.json()["code"]) == (422, "output_too_large")
