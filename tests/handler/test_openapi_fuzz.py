"""schemathesis against the app's own /openapi.json (bounded): never a 500, always a JSON error naming the problem."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from handler.app import Deps, create_app
from handler.auth import RateLimiter
from handler.fetch import HttpsClient
from handler.layer_api import LayerApi
from handler.service import OgService
from handler.settings import Settings
from handler.site import SiteSource, file_reader
from handler.store import MemoryStore

KEY = "fuzzing-key-0123456789abcdef"
SITE = Path(__file__).resolve().parents[2] / "examples" / "site.json"


class NoJobs:
    """Async requests are accepted but not run: fuzzing must not POST to whatever hook it invents."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, job: Any) -> None:
        self.submitted += 1


def app() -> Any:
    config = Settings(api_keys=(KEY,), rate_per_minute=100_000, rate_burst=100_000, max_body_bytes=256 * 1024)
    options = config.render_options()
    service = OgService(MemoryStore(), HttpsClient().get, options)
    limiter = RateLimiter(config.rate_per_minute, config.rate_burst, time.monotonic)
    site = SiteSource(file_reader(SITE), str(SITE), time.monotonic)
    return create_app(Deps(config, service, site, MemoryStore(), LayerApi(config, service, limiter, NoJobs())))


schema = schemathesis.openapi.from_asgi("/openapi.json", app())


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_gives_a_500(case: Any) -> None:
    response = case.call(headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["success"] is False
        assert body["error"]
        assert body["code"]
