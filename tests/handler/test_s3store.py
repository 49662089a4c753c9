"""S3Store: error mapping against a stubbed client, then behaviour against real S3 servers on 127.0.0.1.

The servers are moto's server mode and ``rclone serve s3``, each started once per session with an empty bucket. Their
fixtures live here rather than in a ``tests/handler/conftest.py``: the test folders are not packages, so mypy would
see two modules named ``conftest``.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from typing import Any

import pytest
from s3_servers import PNG, S3Server, free_port, use_endpoint, use_server

from handler.s3store import S3Store, make_s3_client
from handler.store import IMMUTABLE, StoredObject, StoreError


@pytest.fixture
def store(s3_server: S3Server, s3_client: Any) -> S3Store:
    return S3Store(s3_client, s3_server.bucket)


@pytest.fixture
def key() -> str:
    """A fresh key: the buckets live for the whole session."""
    return f"v1/{uuid.uuid4().hex}.png"


# --- the client ----------------------------------------------------------------------------------------------------


def test_the_client_signs_v4_with_short_timeouts_bounded_retries_and_the_standard_endpoint_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_endpoint(monkeypatch, "http://127.0.0.1:9", "access", "secret")
    config = make_s3_client(connect_timeout_s=1.5, read_timeout_s=4.0, max_attempts=2).meta.config
    assert config.signature_version == "s3v4"
    assert (config.connect_timeout, config.read_timeout) == (1.5, 4.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
    assert config.s3 == {"addressing_style": "path"}
    assert make_s3_client().meta.endpoint_url == "http://127.0.0.1:9"


# --- error mapping, with botocore's Stubber (no server) ------------------------------------------------------------


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[S3Store, Any]]:
    from botocore.stub import Stubber

    use_endpoint(monkeypatch, "http://127.0.0.1:9", "access", "secret")  # never contacted: the stubber answers
    client = make_s3_client()
    with Stubber(client) as stubber:
        yield S3Store(client, "bucket"), stubber
        stubber.assert_no_pending_responses()


def expect_absent(stubber: Any, key: str) -> None:
    stubber.add_client_error("head_object", "404", "Not Found", 404, expected_params={"Bucket": "bucket", "Key": key})


def put_params(key: str, data: bytes, **condition: str) -> dict[str, Any]:
    return {"Bucket": "bucket", "Key": key, "Body": data, "ContentType": PNG, "CacheControl": IMMUTABLE, **condition}


def test_put_is_a_conditional_write_with_type_and_cache_control(stubbed: tuple[S3Store, Any]) -> None:
    store, stubber = stubbed
    expect_absent(stubber, "k.png")
    stubber.add_response("put_object", {}, expected_params=put_params("k.png", b"png", IfNoneMatch="*"))
    assert store.put("k.png", b"png", PNG) is True


@pytest.mark.parametrize(("code", "status"), [("PreconditionFailed", 412), ("ConditionalRequestConflict", 409)])
def test_put_loses_the_race_when_another_writer_got_there_first(
    stubbed: tuple[S3Store, Any], code: str, status: int
) -> None:
    store, stubber = stubbed
    expect_absent(stubber, "k.png")
    stubber.add_client_error("put_object", code, "someone else", status)
    assert store.put("k.png", b"png", PNG) is False


def test_put_writes_nothing_when_the_object_is_there(stubbed: tuple[S3Store, Any]) -> None:
    store, stubber = stubbed
    stubber.add_response("head_object", {"ContentLength": 3}, expected_params={"Bucket": "bucket", "Key": "k.png"})
    assert store.put("k.png", b"png", PNG) is False  # a put_object call would fail: none is queued


def test_put_falls_back_to_a_plain_write_where_conditional_writes_are_not_implemented(
    stubbed: tuple[S3Store, Any],
) -> None:
    store, stubber = stubbed
    expect_absent(stubber, "k.png")
    stubber.add_client_error(
        "put_object",
        "NotImplemented",
        "If-None-Match",
        501,
        expected_params=put_params("k.png", b"png", IfNoneMatch="*"),
    )
    stubber.add_response("put_object", {}, expected_params=put_params("k.png", b"png"))
    assert store.put("k.png", b"png", PNG) is True


def test_a_missing_key_is_absent(stubbed: tuple[S3Store, Any]) -> None:
    store, stubber = stubbed
    expect_absent(stubber, "k.png")
    stubber.add_client_error("get_object", "NoSuchKey", "The specified key does not exist.", 404)
    assert store.exists("k.png") is False
    assert store.get("k.png") is None


def test_get_returns_the_bytes_and_the_content_type(stubbed: tuple[S3Store, Any]) -> None:
    from botocore.response import StreamingBody

    store, stubber = stubbed
    stubber.add_response("get_object", {"Body": StreamingBody(BytesIO(b"png"), 3), "ContentType": PNG})
    assert store.get("k.png") == StoredObject(b"png", PNG)


@pytest.mark.parametrize(
    ("operation", "code", "status"),
    [
        ("head_object", "500", 500),
        ("head_object", "503", 503),
        ("get_object", "InternalError", 500),
        ("get_object", "SlowDown", 503),
        ("get_object", "NoSuchBucket", 404),
        ("get_object", "AccessDenied", 403),
        ("put_object", "SlowDown", 503),
        ("put_object", "InternalError", 500),
        ("put_object", "AccessDenied", 403),
    ],
)
def test_service_failures_are_store_errors_naming_the_key(
    stubbed: tuple[S3Store, Any], operation: str, code: str, status: int
) -> None:
    store, stubber = stubbed
    if operation == "put_object":
        expect_absent(stubber, "v1/k.png")
    stubber.add_client_error(operation, code, "it failed", status)
    calls: dict[str, Callable[[], object]] = {
        "head_object": lambda: store.exists("v1/k.png"),
        "get_object": lambda: store.get("v1/k.png"),
        "put_object": lambda: store.put("v1/k.png", b"png", PNG),
    }
    with pytest.raises(StoreError, match=r"v1/k\.png"):
        calls[operation]()


# --- real servers --------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_put_then_exists_and_get_with_type_and_cache_control_stored(
    store: S3Store, s3_client: Any, s3_server: S3Server, key: str
) -> None:
    assert store.put(key, b"\x89PNG first", PNG) is True
    assert store.exists(key) is True
    assert store.get(key) == StoredObject(b"\x89PNG first", PNG)
    head = s3_client.head_object(Bucket=s3_server.bucket, Key=key)
    assert (head["ContentType"], head["CacheControl"], head["ContentLength"]) == (PNG, IMMUTABLE, 10)


@pytest.mark.slow
def test_a_second_put_answers_false_and_keeps_the_first_bytes(store: S3Store, key: str) -> None:
    assert store.put(key, b"first", PNG) is True
    assert store.put(key, b"second", "image/webp") is False
    assert store.get(key) == StoredObject(b"first", PNG)


@pytest.mark.slow
def test_a_writer_between_our_check_and_our_write_is_not_clobbered(
    store: S3Store, s3_client: Any, s3_server: S3Server, key: str, request: pytest.FixtureRequest
) -> None:
    """The conditional write itself, on the server: another writer lands after our HEAD, before our PUT."""
    if not s3_server.honours_conditional_writes:
        reason = f"{s3_server.name} accepts If-None-Match: * on PUT and replaces the object anyway"
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    rival = make_s3_client()  # another client: the hook below is on ours only

    def rival_writes_first(**_: object) -> None:
        rival.put_object(Bucket=s3_server.bucket, Key=key, Body=b"rival", ContentType=PNG)

    s3_client.meta.events.register("before-call.s3.PutObject", rival_writes_first)
    assert store.put(key, b"ours", PNG) is False
    assert store.get(key) == StoredObject(b"rival", PNG)


@pytest.mark.slow
def test_a_missing_key_is_absent_on_the_server(store: S3Store, key: str) -> None:
    assert store.exists(key) is False
    assert store.get(key) is None


@pytest.mark.slow
def test_a_wrong_secret_key_is_a_store_error(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    if not s3_server.checks_signatures:
        pytest.skip(f"{s3_server.name} accepts any signature")
    use_endpoint(monkeypatch, s3_server.endpoint, s3_server.access_key, "not-the-secret")
    store = S3Store(make_s3_client(max_attempts=1), s3_server.bucket)
    for call in (lambda: store.exists(key), lambda: store.get(key), lambda: store.put(key, b"x", PNG)):
        with pytest.raises(StoreError, match=key):
            call()


def quick_store(monkeypatch: pytest.MonkeyPatch, port: int) -> S3Store:
    use_endpoint(monkeypatch, f"http://127.0.0.1:{port}", "access", "secret")
    return S3Store(make_s3_client(connect_timeout_s=0.5, read_timeout_s=0.5, max_attempts=1), "bucket")


def test_a_server_that_is_down_is_a_quick_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    store = quick_store(monkeypatch, free_port())
    started = time.monotonic()
    for call in (lambda: store.exists("k.png"), lambda: store.get("k.png"), lambda: store.put("k.png", b"x", PNG)):
        with pytest.raises(StoreError, match=r"k\.png"):
            call()
    assert time.monotonic() - started < 3


def test_a_server_that_never_answers_is_a_store_error_after_the_read_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket() as silent:  # the kernel accepts connections; nobody reads or answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        store = quick_store(monkeypatch, silent.getsockname()[1])
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"k\.png.*[Rr]ead timeout"):
            store.exists("k.png")
        assert 0.4 < time.monotonic() - started < 3


@pytest.mark.slow
def test_of_sixteen_racing_writers_exactly_one_wins(
    moto_server: S3Server, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    use_server(monkeypatch, moto_server)
    store = S3Store(make_s3_client(), moto_server.bucket)
    payloads = [f"rendering {n}".encode() * 1000 for n in range(16)]  # distinct, to see whose bytes stayed
    start = threading.Barrier(len(payloads))

    def write(data: bytes) -> bool:
        start.wait()
        return store.put(key, data, PNG)

    with ThreadPoolExecutor(len(payloads)) as pool:
        wrote = list(pool.map(write, payloads))
    assert wrote.count(True) == 1
    assert store.get(key) == StoredObject(payloads[wrote.index(True)], PNG)
