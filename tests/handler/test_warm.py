"""publish and warm: the same code path against a local handler (and a real S3 server for publish)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from s3_servers import S3Server, use_server
from starlette.testclient import TestClient

from handler import main
from handler.app import create_app
from handler.build import Page, site_pages
from handler.main import build_deps
from handler.s3store import make_s3_client
from handler.settings import Settings
from handler.site import Site
from handler.warm import LambdaInvoker, LocalInvoker, merged_site, publish, warm

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.json"


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalInvoker]:
    monkeypatch.setenv("OGEDGE_SITE", str(EXAMPLE))
    monkeypatch.setenv("OGEDGE_STORE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("OGEDGE_CDN_URL", "https://cdn.example.com")
    monkeypatch.setattr(main, "_runtime", None)
    yield LocalInvoker(main.lambda_handler)
    monkeypatch.setattr(main, "_runtime", None)


def site() -> Site:
    return Site.parse(EXAMPLE.read_bytes(), "site.json")


def test_warm_renders_every_page_then_only_the_changed(local: LocalInvoker, tmp_path: Path) -> None:
    record = tmp_path / "warm.json"
    first = warm(site(), site_pages(site()), local, batch=2, concurrency=2, record=record)
    assert sorted(first.warmed) == ["connection-pooling", "why-postgres", "zero-downtime-migrations"]
    assert (first.hits, first.failed) == (0, [])
    again = warm(site(), site_pages(site()), local, record=record, changed_only=True)
    assert (again.warmed, len(again.skipped)) == ([], 3)
    everything = warm(site(), site_pages(site()), local, record=record)
    assert everything.hits == 3


def test_a_changed_page_is_sent_again(local: LocalInvoker, tmp_path: Path) -> None:
    record = tmp_path / "warm.json"
    warm(site(), site_pages(site()), local, record=record)
    pages = [
        Page(p.slug, p.template, {**p.vars, "date": "June 2026"}) if p.slug == "why-postgres" else p
        for p in site_pages(site())
    ]
    report = warm(site(), pages, local, record=record, changed_only=True)
    assert report.warmed == ["why-postgres"]  # (the deployed site has the old vars: it renders what it has)


def test_failures_are_reported_per_page(local: LocalInvoker) -> None:
    pages = [*site_pages(site()), Page("not-deployed", "blog", {"title": "x"})]
    report = warm(site(), pages, local, batch=10)
    assert report.failed == [("not-deployed", "no page 'not-deployed' in the site")]


def test_a_failing_batch_fails_each_of_its_pages() -> None:
    class Down:
        def invoke(self, event: Any) -> dict[str, Any]:
            raise RuntimeError("Rate exceeded")

    report = warm(site(), site_pages(site()), Down(), batch=2)
    assert sorted(slug for slug, _ in report.failed) == [
        "connection-pooling",
        "why-postgres",
        "zero-downtime-migrations",
    ]
    assert all(reason == "Rate exceeded" for _, reason in report.failed)


def test_the_lambda_invoker_reads_the_payload_and_function_errors() -> None:
    class Client:
        def __init__(self, payload: dict[str, Any], error: str | None = None) -> None:
            self.payload, self.error = payload, error
            self.calls: list[dict[str, Any]] = []

        def invoke(self, **kwargs: Any) -> dict[str, Any]:
            self.calls.append(kwargs)
            answer: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(self.payload).encode())}
            if self.error:
                answer["FunctionError"] = self.error
            return answer

    ok = Client({"success": True, "results": []})
    assert LambdaInvoker(ok, "ogedge").invoke({"slugs": ["a"]}) == {"success": True, "results": []}
    assert ok.calls[0]["InvocationType"] == "RequestResponse"
    failing = Client({"errorMessage": "Task timed out"}, "Unhandled")
    with pytest.raises(RuntimeError, match="Task timed out"):
        LambdaInvoker(failing, "ogedge").invoke({"slugs": ["a"]})


@pytest.mark.slow
def test_a_published_site_is_what_the_deployed_app_serves(
    moto_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_server(monkeypatch, moto_server)
    pages = [*site_pages(site()), Page("from-content", "blog", {"title": "Written in Markdown"})]
    destination = f"s3://{moto_server.bucket}/published/site.json"
    assert publish(merged_site(site(), pages), destination, make_s3_client())
    settings = Settings(bucket=moto_server.bucket, site=destination, prefix="img-published/")
    client = TestClient(create_app(build_deps(settings)), follow_redirects=False)
    assert client.get("/og/from-content.png").status_code == 302
