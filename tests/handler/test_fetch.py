"""The CLI's fetcher: https only, checked before connecting; redirects checked again; size capped."""

from __future__ import annotations

import io
import urllib.request
from http.client import HTTPMessage

import pytest

from handler.fetch import FetchError, HttpsFetcher, _CheckedRedirects, check_url


@pytest.mark.parametrize(
    "url",
    ["http://example.com/a.png", "file:///etc/passwd", "ftp://x/y", "https:///nohost", "//example.com/x", ""],
)
def test_only_https_urls(url: str) -> None:
    with pytest.raises(FetchError, match="only https://"):
        check_url(url)


def test_refusal_happens_before_any_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    with pytest.raises(FetchError):
        HttpsFetcher()("http://169.254.169.254/latest/meta-data/")


def test_a_redirect_to_plain_http_is_refused() -> None:
    request = urllib.request.Request("https://example.com/a.png")
    with pytest.raises(FetchError, match="only https://"):
        _CheckedRedirects().redirect_request(request, io.BytesIO(), 302, "Found", HTTPMessage(), "http://example.com/b")


def test_body_over_the_cap_is_refused() -> None:
    fetcher = HttpsFetcher(max_bytes=100_000)
    with pytest.raises(FetchError, match="larger than 100000 bytes"):
        fetcher._read(io.BytesIO(b"x" * 100_001), deadline=float("inf"))
    assert fetcher._read(io.BytesIO(b"x" * 100_000), deadline=float("inf")) == b"x" * 100_000


def test_a_slow_body_is_cut_at_the_deadline() -> None:
    with pytest.raises(FetchError, match="longer than"):
        HttpsFetcher(timeout_s=1)._read(io.BytesIO(b"x" * 10), deadline=0.0)
