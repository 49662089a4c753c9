"""HTTPS servers for tests, on loopback, with a self-signed certificate made at test time: a webhook receiver
answering with the statuses it is told to (e.g. 500, 500, then 200), and a scripted server whose routes answer
with any status, headers and (possibly slow) body, recording every connection it accepts."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TEST_HOST = "good.test"  # a name the tests resolve themselves (to 127.0.0.1)


def self_signed(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    names: list[x509.GeneralName] = [
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("127.0.0.2")),
        x509.DNSName(TEST_HOST),
    ]
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName(names), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@contextmanager
def serving(server: ThreadingHTTPServer, cert: Path, key: Path) -> Iterator[None]:
    """``server`` behind TLS with ``cert``, answering on a thread until the block ends."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class Receiver:
    url: str
    client_context: ssl.SSLContext  # trusts the receiver's certificate
    statuses: list[int]  # answered in turn; the last one repeats
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


@contextmanager
def receiver(folder: Path, statuses: list[int]) -> Iterator[Receiver]:
    cert, key = self_signed(folder)
    state = Receiver("", ssl.create_default_context(cafile=str(cert)), list(statuses))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = state.statuses.pop(0) if len(state.statuses) > 1 else state.statuses[0]
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            if 200 <= status < 300:
                state.done.set()

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"https://127.0.0.1:{server.server_address[1]}/hooks/ogedge"
    with serving(server, cert, key):
        yield state


Route = Callable[[], tuple[int, dict[str, str], Iterable[bytes]]]


@dataclass
class Scripted:
    port: int
    address: str
    client_context: ssl.SSLContext
    connections: list[str] = field(default_factory=list)  # paths requested, in order


@contextmanager
def scripted_server(folder: Path, routes: dict[str, Route], address: str = "127.0.0.1") -> Iterator[Scripted]:
    """GET ``path`` answers ``routes[path]()``: status, headers, body chunks (a generator may sleep between)."""
    cert, key = self_signed(folder)
    server = ThreadingHTTPServer((address, 0), BaseHTTPRequestHandler)
    state = Scripted(server.server_address[1], address, ssl.create_default_context(cafile=str(cert)))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.connections.append(self.path)
            route = routes.get(self.path)
            status, headers, body = route() if route else (404, {"Content-Length": "0"}, [])
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for chunk in body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except OSError:
                return

        def log_message(self, *args: object) -> None:
            return None

    server.RequestHandlerClass = Handler
    with serving(server, cert, key):
        yield state
