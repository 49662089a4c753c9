"""The whole on-demand path against real S3-compatible servers on 127.0.0.1 (moto and rclone), built by the real
composition root: site file read from s3://, objects written with their headers, racing first requests."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from asgi_load import concurrent_gets
from PIL import Image
from s3_servers import S3Server
from starlette.testclient import TestClient

from handler.app import create_app
from handler.main import build_deps
from handler.settings import Settings
from handler.store import IMMUTABLE

SITE = (Path(__file__).resolve().parents[2] / "examples" / "site.json").read_bytes()
pytestmark = pytest.mark.slow


def deployed(s3_server: S3Server, s3_client: Any, **settings: Any) -> tuple[TestClient, str]:
    """A fresh prefix in the server's bucket, the example site uploaded beside it, and the app over both."""
    run = uuid.uuid4().hex[:8]
    site_key = f"config-{run}/site.json"
    s3_client.put_object(Bucket=s3_server.bucket, Key=site_key, Body=SITE, ContentType="application/json")
    config = Settings(
        bucket=s3_server.bucket,
        prefix=f"img-{run}/",
        site=f"s3://{s3_server.bucket}/{site_key}",
        cdn_url="https://cdn.example.com",
        site_ttl_s=0.2,
    )
    app = create_app(build_deps(replace(config, **settings)))
    return TestClient(app, follow_redirects=False), site_key


def test_first_request_renders_and_stores_then_hits(s3_server: S3Server, s3_client: Any) -> None:
    client, _ = deployed(s3_server, s3_client)
    first = client.get("/og/why-postgres.png")
    assert first.status_code == 302, first.text
    assert first.headers["x-ogedge-cache"] == "miss"
    object_key = first.headers["location"].removeprefix("https://cdn.example.com/")
    head = s3_client.head_object(Bucket=s3_server.bucket, Key=object_key)
    assert head["ContentType"] == "image/png"
    assert head["CacheControl"] == IMMUTABLE
    body = s3_client.get_object(Bucket=s3_server.bucket, Key=object_key)["Body"].read()
    assert Image.open(BytesIO(body)).size == (1200, 630)
    second = client.get("/og/why-postgres.png")
    assert (second.headers["x-ogedge-cache"], second.headers["location"]) == ("hit", first.headers["location"])


def test_a_new_page_in_the_site_file_is_picked_up(s3_server: S3Server, s3_client: Any) -> None:
    client, site_key = deployed(s3_server, s3_client)
    assert client.get("/og/brand-new.png").status_code == 404
    updated = SITE.replace(
        b'"why-postgres": {', b'"brand-new": {"template": "blog", "vars": {"title": "New"}},\n    "why-postgres": {', 1
    )
    s3_client.put_object(Bucket=s3_server.bucket, Key=site_key, Body=updated)
    time.sleep(0.3)
    assert client.get("/og/brand-new.png").status_code == 302


def test_sixteen_concurrent_first_requests_store_one_object(s3_server: S3Server, s3_client: Any) -> None:
    client, _ = deployed(s3_server, s3_client)

    responses = concurrent_gets(client.app, "/og/connection-pooling.png", 16)
    assert {r.status_code for r in responses} == {302}
    locations = {r.headers["location"] for r in responses}
    assert len(locations) == 1
    prefix = locations.pop().removeprefix("https://cdn.example.com/").rpartition("/")[0] + "/"
    listed = s3_client.list_objects_v2(Bucket=s3_server.bucket, Prefix=prefix)
    assert [o["Key"] for o in listed.get("Contents", [])] == [f"{prefix}{responses[0].headers['x-ogedge-key']}.png"]
