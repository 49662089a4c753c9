"""The on-demand route from a Function URL answered without ASGI: for every event, what ``handler.function_url``
answers is what mangum and Starlette answer, and the events it declines still reach them."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from handler import function_url
from handler.main import Runtime
from handler.reply import Reply

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "infra" / "events"
SIGNING_KEY = "example-signing-key-change-me"  # signed infra/events/function-url-get-signed.json
CONTEXT = SimpleNamespace(aws_request_id="6f1c2a0e-test")


def event(name: str, **changes: Any) -> dict[str, Any]:
    """An event file with ``path``, ``method``, ``query``, ``headers`` (merged; None removes) changed."""
    data: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    data = copy.deepcopy(data)
    if "path" in changes:
        data["rawPath"] = data["requestContext"]["http"]["path"] = changes["path"]
    if "method" in changes:
        data["requestContext"]["http"]["method"] = changes["method"]
    if "query" in changes:
        data["rawQueryString"] = changes["query"]
    for header, value in changes.get("headers", {}).items():
        if value is None:
            data["headers"].pop(header, None)
        else:
            data["headers"][header] = value
    return data


def runtime(tmp_path: Path, name: str, **env: str) -> Runtime:
    base = {
        "OGEDGE_SITE": str(ROOT / "examples" / "site.json"),
        "OGEDGE_STORE_DIR": str(tmp_path / name),
        "OGEDGE_SIGNING_KEYS": SIGNING_KEY,
    }
    return Runtime.from_env({**base, **env}, ssm=lambda: None)


ANSWERED = {
    "a page": event("function-url-get-slug"),
    "a page through an HTTP API": event("http-api-v2-get-slug"),
    "HEAD": event("function-url-get-slug", method="HEAD"),
    "a signed page": event("function-url-get-signed"),
    "a bad signature": event("function-url-get-signed", query="template=blog&title=x&sig=AAAA"),
    "an unsigned template": event("function-url-get-slug", query="template=blog&title=x"),
    "an unknown slug": event("function-url-get-unknown-slug"),
    "a percent-encoded slug": event("function-url-get-slug", path="/og/why%2Dpostgres.png"),
    "a path that climbs": event("function-url-get-slug", path="/og/../secrets.png"),
    "an unknown extension": event("function-url-get-slug", path="/og/why-postgres.gif"),
    "no name": event("function-url-get-slug", path="/og/"),
    "a query with blanks and repeats": event("function-url-get-slug", query="a=&b=1&b=2&c"),
    "plain http": event("function-url-get-slug", headers={"x-forwarded-proto": "http"}),
    "a host with a port": event("function-url-get-slug", headers={"host": "example.com:8443"}),
    "a request id header": event("function-url-get-slug", headers={"x-request-id": "abc"}),
    "no forwarded host": event("function-url-get-slug", headers={"x-forwarded-host": None}),
    "an odd forwarded host": event("function-url-get-slug", headers={"x-forwarded-host": "a.example, b.example"}),
}

DECLINED = {
    "a POST": event("function-url-post-generate"),
    "a REST API (payload 1.0)": event("api-gateway-rest-v1-get-slug"),
    "an ALB": event("alb-get-slug"),
    "another route": event("function-url-get-slug", path="/healthz"),
    "a slug with a space": event("function-url-get-slug", path="/og/a%20b.png"),
    "a question mark in the path": event("function-url-get-slug", path="/og/a%3Fb.png"),
    "no host": event("function-url-get-slug", headers={"host": None, "x-forwarded-host": None}),
    "a host with a port too large": event(
        "function-url-get-slug", headers={"host": "example.com:99999", "x-forwarded-host": None}
    ),
    "an odd scheme": event("function-url-get-slug", headers={"x-forwarded-proto": "ftp"}),
}

SETTINGS: dict[str, dict[str, str]] = {
    "redirect": {},
    "redirect to the forwarded host": {"OGEDGE_TRUST_FORWARDED_HOST": "1"},
    "redirect to the CDN": {"OGEDGE_CDN_URL": "https://cdn.example.com"},
    "inline": {"OGEDGE_RESPONSE_MODE": "inline"},
}


@pytest.mark.parametrize("settings", SETTINGS.values(), ids=SETTINGS.keys())
@pytest.mark.parametrize("name", ANSWERED.keys())
def test_answers_as_mangum_and_starlette_do(tmp_path: Path, name: str, settings: dict[str, str]) -> None:
    fast, full = runtime(tmp_path, "fast", **settings), runtime(tmp_path, "full", **settings)
    for _ in ("miss", "hit"):
        answer = fast.og(ANSWERED[name], CONTEXT)
        assert answer is not None
        assert answer == full.asgi(ANSWERED[name], CONTEXT)


@pytest.mark.parametrize("name", DECLINED.keys())
def test_declines_what_it_does_not_answer_and_the_app_still_does(tmp_path: Path, name: str) -> None:
    handler = runtime(tmp_path, "store", OGEDGE_TRUST_FORWARDED_HOST="1")
    assert handler.og(DECLINED[name], CONTEXT) is None
    assert handler(DECLINED[name], CONTEXT)["statusCode"] in (200, 302, 400, 401, 404)


@pytest.mark.parametrize(
    "shape",
    [
        None,
        [],
        {"version": "2.0"},
        {"version": "2.0", "requestContext": "x"},
        {"version": "2.0", "requestContext": {"http": "x"}},
        {**ANSWERED["a page"], "headers": ["host"]},
    ],
)
def test_events_of_other_shapes_are_left_to_the_app(shape: Any) -> None:
    assert function_url.og_call(shape, CONTEXT, trust_forwarded_host=True) is None


def test_the_answer_is_a_redirect_to_the_stored_object(tmp_path: Path) -> None:
    handler = runtime(tmp_path, "store", OGEDGE_TRUST_FORWARDED_HOST="1")
    answer = handler(ANSWERED["a page"], CONTEXT)
    assert answer["statusCode"] == 302
    location = answer["headers"]["location"]
    assert location.startswith("https://d111111abcdef8.cloudfront.net/img/")
    assert (tmp_path / "store" / location.removeprefix("https://d111111abcdef8.cloudfront.net/")).is_file()
    assert handler(ANSWERED["a page"], CONTEXT)["headers"]["x-ogedge-cache"] == "hit"


@pytest.mark.parametrize(
    ("reply", "body", "encoded", "content_type"),
    [
        (Reply(200, {}, b"\x89PNG", "image/png"), base64.b64encode(b"\x89PNG").decode(), True, "image/png"),
        (Reply(200, {}, b"hi", "text/plain"), "hi", False, "text/plain; charset=utf-8"),
        (Reply(200, {}, b"\xff", "application/json"), "/w==", True, "application/json"),
        (Reply(302, {"Location": "x"}), "", False, "application/json"),
    ],
)
def test_bodies_are_text_or_base64_as_mangum_sends_them(
    reply: Reply, body: str, encoded: bool, content_type: str
) -> None:
    answer = function_url.response(reply)
    assert (answer["body"], answer["isBase64Encoded"]) == (body, encoded)
    assert answer["headers"]["content-type"] == content_type
    assert answer["headers"]["content-length"] == str(len(reply.body))


COLD = """
import json, sys
from handler.main import lambda_handler
answer = lambda_handler(json.load(open(sys.argv[1])), None)
print(json.dumps({"status": answer["statusCode"], "loaded": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def cold_start(tmp_path: Path, event_file: Path) -> Mapping[str, Any]:
    env = {"OGEDGE_SITE": str(ROOT / "examples" / "site.json"), "OGEDGE_STORE_DIR": str(tmp_path / "store")}
    run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run
    done = run([sys.executable, "-c", COLD, str(event_file)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    result: Mapping[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_cold_start_on_the_on_demand_route_loads_no_web_framework(tmp_path: Path) -> None:
    answered = cold_start(tmp_path, EVENTS / "function-url-get-slug.json")
    assert answered["status"] == 302
    assert not {"starlette", "mangum", "anyio", "asyncio", "ssl", "concurrent"} & set(answered["loaded"])
    other = cold_start(tmp_path, EVENTS / "function-url-post-generate.json")  # the rest still goes to the app
    assert {"starlette", "mangum"} <= set(other["loaded"])
