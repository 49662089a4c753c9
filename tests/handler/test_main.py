"""The Lambda entry point with real-shaped events (infra/events/, also used by `sam local invoke`)."""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from handler import main

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "infra" / "events"


def event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return data


@pytest.fixture
def handler(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[Any], Any]]:
    monkeypatch.setenv("OGEDGE_SITE", str(ROOT / "examples" / "site.json"))
    monkeypatch.setenv("OGEDGE_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("OGEDGE_CDN_URL", "https://cdn.example.com")
    monkeypatch.delenv("OGEDGE_BUCKET", raising=False)
    monkeypatch.setattr(main, "_runtime", None)
    yield lambda e: main.lambda_handler(e, None)
    monkeypatch.setattr(main, "_runtime", None)


@pytest.mark.parametrize(
    "name", ["function-url-get-slug", "http-api-v2-get-slug", "api-gateway-rest-v1-get-slug", "alb-get-slug"]
)
def test_http_events_redirect_to_the_cdn(handler: Callable[[Any], Any], name: str, tmp_path: Path) -> None:
    response = handler(event(name))
    assert response["statusCode"] == 302
    headers = response["headers"]
    assert headers["location"].startswith("https://cdn.example.com/img/")
    object_key = headers["location"].removeprefix("https://cdn.example.com/")
    with Image.open(tmp_path / "store" / object_key) as image:
        assert image.size == (1200, 630)
    assert handler(event(name))["headers"]["x-ogedge-cache"] == "hit"


def test_inline_answers_pass_through_mangum_as_base64(
    handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OGEDGE_RESPONSE_MODE", "inline")
    response = handler(event("function-url-get-slug"))
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    assert response["headers"]["content-type"] == "image/png"
    with Image.open(BytesIO(base64.b64decode(response["body"]))) as image:
        assert image.size == (1200, 630)


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_direct_invocations_log_one_line_each(handler: Callable[[Any], Any]) -> None:
    keep = _Keep()
    logging.getLogger("ogedge").addHandler(keep)
    try:
        handler(event("direct-slugs"))
    finally:
        logging.getLogger("ogedge").removeHandler(keep)
    lines = [json.loads(line) for line in keep.lines]
    assert [(line["route"], line["slug"]) for line in lines] == [
        ("direct", "why-postgres"),
        ("direct", "connection-pooling"),
        ("direct", "zero-downtime-migrations"),
    ]


def test_the_runtime_is_built_once(handler: Callable[[Any], Any]) -> None:
    handler(event("direct-slug"))
    built = main._runtime
    handler(event("function-url-get-slug"))
    assert main._runtime is built


def test_an_unknown_slug_is_a_json_404(handler: Callable[[Any], Any]) -> None:
    response = handler(event("function-url-get-unknown-slug"))
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["code"] == "unknown_slug"


def test_direct_slug_and_slugs(handler: Callable[[Any], Any]) -> None:
    one = handler(event("direct-slug"))
    assert (one["success"], one["cache"], one["stored"]) == (True, "miss", True)
    assert one["url"] == f"https://cdn.example.com/{one['object_key']}"
    many = handler(event("direct-slugs"))
    assert many["success"] is True
    assert [r["cache"] for r in many["results"]] == ["hit", "miss", "miss"]


def test_direct_request_returns_the_image(handler: Callable[[Any], Any]) -> None:
    result = handler(event("direct-request"))
    assert result["success"] is True
    assert result["mime_type"] == "image/png"
    with Image.open(BytesIO(base64.b64decode(result["buffer"]))) as image:
        assert image.size == (1200, 630)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"slug": "no-such-page"}, 404, "unknown_slug"),
        ({"slug": 42}, 400, "bad_invocation"),
        ({"slugs": "why-postgres"}, 400, "bad_invocation"),
        ({"request": {"dimensions": {"width": 0}}}, 400, "invalid_request"),
    ],
)
def test_direct_failures_are_structured(
    handler: Callable[[Any], Any], payload: dict[str, Any], status: int, code: str
) -> None:
    result = handler(payload)
    assert (result["success"], result["status"], result["code"]) == (False, status, code)


def test_one_bad_slug_does_not_hide_the_others(handler: Callable[[Any], Any]) -> None:
    result = handler({"slugs": ["why-postgres", "nope", "../x"]})
    assert result["success"] is False
    assert [r["success"] for r in result["results"]] == [True, False, False]
    assert [r.get("code") for r in result["results"][1:]] == ["unknown_slug", "bad_path"]


def test_bad_settings_fail_at_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from handler.settings import SettingsError

    monkeypatch.setenv("OGEDGE_RESPONSE_MODE", "sometimes")
    monkeypatch.setattr(main, "_runtime", None)
    with pytest.raises(SettingsError, match="OGEDGE_RESPONSE_MODE"):
        main.lambda_handler(event("direct-slug"), None)
    monkeypatch.setattr(main, "_runtime", None)


API_KEY = "example-api-key-change-me"  # the key infra/events/function-url-post-generate.json sends


def test_the_layer_api_post_event(handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGEDGE_API_KEYS", API_KEY)
    response = handler(event("function-url-post-generate"))
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    with Image.open(BytesIO(base64.b64decode(body["data"]["buffer"]))) as image:
        assert image.size == (1200, 630)


class FakeLambda:
    def __init__(self) -> None:
        self.invocations: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.invocations.append(kwargs)
        return {"StatusCode": 202}


def test_async_on_lambda_invokes_itself_and_the_job_delivers(
    handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tls_receiver import receiver

    from handler import jobs
    from handler.fetch import HttpsClient, UrlPolicy
    from handler.webhooks import SIGNATURE_HEADER, WebhookSender, verify_signature

    monkeypatch.setenv("OGEDGE_API_KEYS", API_KEY)
    monkeypatch.setenv("OGEDGE_ALLOW_PRIVATE_NETWORK", "1")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "ogedge-test")
    fake = FakeLambda()

    def layer_api_built() -> bool:
        return main._runtime is not None and main._runtime.deps.layer_api is not None

    handler(event("direct-slug"))  # the cold start builds the runtime
    assert main._runtime is not None
    assert not layer_api_built()  # the layer API and its dispatcher come with the first event for the app
    handler(event("api-gateway-rest-v1-get-slug"))
    assert main._runtime.deps.layer_api is not None
    dispatcher = main._runtime.deps.layer_api.jobs
    assert isinstance(dispatcher, jobs.LambdaDispatcher)
    dispatcher.client = fake
    with receiver(tmp_path, [200]) as hook:
        post = event("function-url-post-generate")
        post["body"] = json.dumps({**json.loads(post["body"]), "webhook_url": hook.url})
        accepted = handler(post)
        assert accepted["statusCode"] == 201
        (call,) = fake.invocations
        assert (call["FunctionName"], call["InvocationType"]) == ("ogedge-test", "Event")
        job_event = json.loads(call["Payload"])
        assert API_KEY not in call["Payload"].decode()  # the key itself never travels
        client = HttpsClient(UrlPolicy(allow_private=True), context=hook.client_context)
        monkeypatch.setattr(main, "webhook_sender", lambda settings: WebhookSender(client.post, time.sleep, time.time))
        assert handler({"ogedge_job": {**job_event["ogedge_job"], "webhook_url": "http://plain.example/x"}}) == {
            "delivered": False
        }
        assert handler(job_event) == {"delivered": True}
    assert len(hook.received) == 1  # the plain-http job was never sent anywhere
    headers, body = hook.received[0]
    assert verify_signature(API_KEY, headers[SIGNATURE_HEADER.lower()], body, time.time())
    assert json.loads(body)["data"]["mime_type"] == "image/png"


def test_an_async_request_that_cannot_be_queued_is_503(
    handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from handler import jobs

    class Throttled:
        def invoke(self, **kwargs: Any) -> None:
            raise RuntimeError("TooManyRequestsException")

    monkeypatch.setenv("OGEDGE_API_KEYS", API_KEY)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "ogedge-test")
    monkeypatch.setenv("OGEDGE_ALLOW_PRIVATE_NETWORK", "1")
    handler(event("api-gateway-rest-v1-get-slug"))  # an event for the app: the layer API is built with it
    assert main._runtime is not None
    assert main._runtime.deps.layer_api is not None
    dispatcher = main._runtime.deps.layer_api.jobs
    assert isinstance(dispatcher, jobs.LambdaDispatcher)
    dispatcher.client = Throttled()
    post = event("function-url-post-generate")
    post["body"] = json.dumps({**json.loads(post["body"]), "webhook_url": "https://127.0.0.1:9/hook"})
    response = handler(post)
    assert response["statusCode"] == 503, response["body"]
    assert json.loads(response["body"])["code"] == "async_unavailable"


# --- behind CloudFront: the CDN's host from X-Forwarded-Host, keys from SSM --------------------------------------

CDN_HOST = "d111111abcdef8.cloudfront.net"  # what infra/events/function-url-*.json carry in x-forwarded-host


def location_base(response: dict[str, Any]) -> str:
    assert response["statusCode"] == 302, response
    base, _, _ = response["headers"]["location"].partition("/img/")
    return str(base)


def test_behind_cloudfront_redirects_name_the_host_the_viewer_asked_for(
    handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OGEDGE_CDN_URL")
    monkeypatch.setenv("OGEDGE_TRUST_FORWARDED_HOST", "1")
    assert location_base(handler(event("function-url-get-slug"))) == f"https://{CDN_HOST}"
    # An event without the header (an HTTP API GET) keeps the host it came to.
    assert (
        location_base(handler(event("http-api-v2-get-slug")))
        == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
    )


def test_the_header_is_ignored_unless_trusted(handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OGEDGE_CDN_URL")
    base = location_base(handler(event("function-url-get-slug")))
    assert base == "https://k3xq7z2mexampleurl4ogedge.lambda-url.eu-west-1.on.aws"


def test_a_configured_cdn_url_wins(handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGEDGE_TRUST_FORWARDED_HOST", "1")
    assert location_base(handler(event("function-url-get-slug"))) == "https://cdn.example.com"


@pytest.mark.parametrize(
    "forwarded",
    [
        [b"evil.example/path"],
        [b"a.example, b.example"],
        [b"a.example", b"b.example"],
        [b"bad host"],
        [b""],
        [b"-leading.example"],
        [],
    ],
)
def test_only_one_plain_host_name_is_taken(forwarded: list[bytes]) -> None:
    scope = {"type": "http", "headers": [(b"host", b"fn.example"), *((b"x-forwarded-host", v) for v in forwarded)]}
    assert main.with_forwarded_host(scope) is scope


@pytest.mark.parametrize("value", [b"d111111abcdef8.cloudfront.net", b"images.acme.dev", b"localhost:8443"])
def test_a_plain_host_name_replaces_the_host(value: bytes) -> None:
    scope = {"type": "http", "headers": [(b"host", b"fn.example"), (b"X-Forwarded-Host", value), (b"accept", b"*/*")]}
    headers = main.with_forwarded_host(scope)["headers"]
    assert [v for k, v in headers if k == b"host"] == [value]
    assert (b"accept", b"*/*") in headers


class FakeSsm:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.built = 0

    def __call__(self) -> FakeSsm:
        self.built += 1
        return self

    def get_parameters(self, Names: list[str], WithDecryption: bool) -> dict[str, Any]:
        assert WithDecryption
        return {"Parameters": [{"Name": n, "Value": self.values[n]} for n in Names if n in self.values]}


def test_keys_named_by_parameters_are_read_once_at_cold_start(
    handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ssm = FakeSsm({"/ogedge/api-keys": API_KEY, "/ogedge/signing-keys": "example-signing-key-change-me"})
    env = {
        **{k: v for k, v in os.environ.items() if k.startswith("OGEDGE_")},
        "OGEDGE_API_KEYS_PARAMETER": "/ogedge/api-keys",
        "OGEDGE_SIGNING_KEYS_PARAMETER": "/ogedge/signing-keys",
    }
    monkeypatch.setattr(main, "_runtime", main.Runtime.from_env(env, ssm=ssm))
    assert ssm.built == 1
    assert handler(event("function-url-post-generate"))["statusCode"] == 200  # the key came from SSM
    signed = handler(event("function-url-get-signed"))
    assert signed["statusCode"] == 302, signed["body"]
    assert ssm.built == 1


def test_the_layer_api_through_the_http_api_answers_urls_on_the_cdn(
    handler: Callable[[Any], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OGEDGE_CDN_URL")
    monkeypatch.setenv("OGEDGE_TRUST_FORWARDED_HOST", "1")
    monkeypatch.setenv("OGEDGE_API_KEYS", API_KEY)
    post = event("http-api-v2-post-generate")
    post["rawQueryString"] = "response=url"
    response = handler(post)
    assert response["statusCode"] == 200, response["body"]
    assert json.loads(response["body"])["data"]["url"].startswith(f"https://{CDN_HOST}/img/")
