"""The one fetcher for every outbound URL: every refused address form, refusals before any connection, one lookup
pinned for the connection, redirects checked again (no connection ever reaches a refused listener), caps."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tls_receiver import TEST_HOST, Route, scripted_server

from handler.fetch import FetchError, HttpsClient, UrlPolicy, UrlRefused, check_url

LOOPBACK_ONLY = UrlPolicy(trusted=(ipaddress.ip_network("127.0.0.1/32"),))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError(f"a lookup or connection was attempted: {args}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/a.png",
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "https:///nohost",
        "https://user:secret@example.com/a.png",
        "https://127.0.0.1/a.png",
        "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://[::1]/a.png",
        "https://[::ffff:127.0.0.1]/a.png",
        "https://[::ffff:a9fe:a9fe]/a.png",
        "https://[::]/a.png",
        "https://2130706433/a.png",
        "https://0x7f000001/a.png",
        "https://0x7f.0.0.1/a.png",
        "https://0177.0.0.1/a.png",
        "https://127.1/a.png",
        "https://0.0.0.0/a.png",
        "https://10.0.0.1/a.png",
        "https://172.16.5.4/a.png",
        "https://192.168.1.1/a.png",
        "https://100.64.0.1/a.png",
        "https://224.0.0.1/a.png",
        "https://240.0.0.1/a.png",
        "https://255.255.255.255/a.png",
        "https://[fe80::1]/a.png",
        "https://[fc00::1]/a.png",
        "https://[ff02::1]/a.png",
        "https://example.com:99999/a.png",
    ],
)
def test_refused_before_any_lookup_or_connection(url: str, no_network: None) -> None:
    with pytest.raises(UrlRefused):
        HttpsClient().get(url)


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Resolve the given names to the given addresses; record every lookup."""
    lookups: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in answers:  # an IP literal (as create_connection passes): no lookup happens
            ipaddress.ip_address(host)
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        family = socket.AF_INET6
        return [(family if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.mark.parametrize(
    "addresses", [["10.0.0.5"], ["169.254.169.254"], ["93.184.216.34", "127.0.0.1"], ["::ffff:10.0.0.1"], ["::1"]]
)
def test_names_resolving_to_refused_addresses_are_refused(
    monkeypatch: pytest.MonkeyPatch, addresses: list[str]
) -> None:
    fake_dns(monkeypatch, {"internal.test": addresses})

    def no_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError("connected")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    with pytest.raises(UrlRefused, match="resolves to a refused address"):
        HttpsClient().get("https://internal.test/a.png")


def test_localhost_by_name_is_refused() -> None:
    with pytest.raises(UrlRefused):
        HttpsClient().get("https://localhost/a.png")


def test_an_allow_list_limits_the_sources() -> None:
    policy = UrlPolicy(allow_hosts=("images.example.com", ".cdn.example.net"))
    check_url("https://images.example.com/a.png", policy)
    check_url("https://eu.cdn.example.net/a.png", policy)
    for url in ("https://example.com/a.png", "https://evil-images.example.com.attacker.io/a.png"):
        with pytest.raises(UrlRefused, match="not an allowed source"):
            check_url(url, policy)


def body(data: bytes, **headers: str) -> Route:
    return lambda: (200, {"Content-Length": str(len(data)), **headers}, iter([data]))


def redirect(location: str) -> Route:
    return lambda: (302, {"Location": location, "Content-Length": "0"}, iter([]))


def test_the_connection_goes_to_the_address_checked_in_one_lookup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with scripted_server(tmp_path, {"/a.png": body(b"image bytes")}) as server:
        lookups = fake_dns(monkeypatch, {TEST_HOST: ["127.0.0.1"]})
        connected: list[tuple[str, int]] = []
        real = socket.create_connection

        def recording(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
            connected.append(address)
            return real(address, *args, **kwargs)

        monkeypatch.setattr(socket, "create_connection", recording)
        client = HttpsClient(LOOPBACK_ONLY, context=server.client_context)
        assert client.get(f"https://{TEST_HOST}:{server.port}/a.png") == b"image bytes"
    assert lookups == [TEST_HOST]  # resolved once; the certificate was still checked for the name
    assert connected == [("127.0.0.1", server.port)]


def test_a_redirect_to_a_private_address_is_refused_and_never_reached(tmp_path: Path) -> None:
    with scripted_server(tmp_path / "b", {"/secret": body(b"credentials")}, address="127.0.0.2") as private:
        routes: dict[str, Route] = {"/a.png": redirect(f"https://127.0.0.2:{private.port}/secret")}
        with scripted_server(tmp_path / "a", routes) as public:
            client = HttpsClient(LOOPBACK_ONLY, context=public.client_context)
            with pytest.raises(UrlRefused, match=r"127\.0\.0\.2 is not a public address"):
                client.get(f"https://127.0.0.1:{public.port}/a.png")
        assert public.connections == ["/a.png"]
    assert private.connections == []  # no connection reached the listener


@pytest.mark.parametrize(
    ("location", "error"),
    [("http://127.0.0.1/plain", "only https://"), ("https://169.254.169.254/latest/", "not a public address")],
)
def test_redirects_are_checked_again(tmp_path: Path, location: str, error: str) -> None:
    with scripted_server(tmp_path, {"/a.png": redirect(location)}) as server:
        client = HttpsClient(LOOPBACK_ONLY, context=server.client_context)
        with pytest.raises(UrlRefused, match=error):
            client.get(f"https://127.0.0.1:{server.port}/a.png")


def test_at_most_three_redirects(tmp_path: Path) -> None:
    routes: dict[str, Route] = {f"/a{i}": redirect(f"/a{i + 1}") for i in range(3)}
    routes["/a3"] = body(b"after three")
    routes |= {f"/b{i}": redirect(f"/b{i + 1}") for i in range(4)}
    routes["/b4"] = body(b"after four")
    with scripted_server(tmp_path, routes) as server:
        client = HttpsClient(LOOPBACK_ONLY, context=server.client_context)
        assert client.get(f"https://127.0.0.1:{server.port}/a0") == b"after three"
        with pytest.raises(FetchError, match="more than 3 redirects"):
            client.get(f"https://127.0.0.1:{server.port}/b0")
        assert "/b4" not in server.connections


def test_a_declared_or_streamed_body_over_the_cap_is_refused(tmp_path: Path) -> None:
    big = b"x" * 200_000
    routes: dict[str, Route] = {
        "/declared": body(big),
        "/unsized": lambda: (200, {}, iter([big[:100_000], big[100_000:]])),
    }
    with scripted_server(tmp_path, routes) as server:
        client = HttpsClient(LOOPBACK_ONLY, max_bytes=100_000, context=server.client_context)
        for path in ("/declared", "/unsized"):
            with pytest.raises(FetchError, match="larger than 100000 bytes"):
                client.get(f"https://127.0.0.1:{server.port}{path}")


def test_a_slow_body_is_cut_at_the_deadline(tmp_path: Path) -> None:
    def drip() -> Iterator[bytes]:
        for _ in range(100):
            time.sleep(0.1)
            yield b"x"

    with scripted_server(tmp_path, {"/slow": lambda: (200, {}, drip())}) as server:
        client = HttpsClient(LOOPBACK_ONLY, timeout_s=1.0, context=server.client_context)
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"longer than 1 s|timed out"):
            client.get(f"https://127.0.0.1:{server.port}/slow")
        assert time.monotonic() - started < 3


def test_errors_and_bad_certificates_are_fetch_errors(tmp_path: Path) -> None:
    with scripted_server(tmp_path, {}) as server:
        with pytest.raises(FetchError, match="HTTP 404"):
            HttpsClient(LOOPBACK_ONLY, context=server.client_context).get(f"https://127.0.0.1:{server.port}/none")
        with pytest.raises(FetchError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            HttpsClient(LOOPBACK_ONLY).get(f"https://127.0.0.1:{server.port}/none")  # system trust store


def test_posts_are_not_redirected(tmp_path: Path) -> None:
    with scripted_server(tmp_path, {}) as server:
        client = HttpsClient(LOOPBACK_ONLY, context=server.client_context)
        assert client.post(f"https://127.0.0.1:{server.port}/hook", b"{}", {}) == 501  # no do_POST: not followed
