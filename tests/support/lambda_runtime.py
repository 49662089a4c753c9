"""A stand-in for the Lambda Runtime API on 127.0.0.1, and a function process that AWS's runtime interface client
(``awslambdaric``, what the python3.12 runtime runs) drives against it: what `sam local invoke` does in its
container, without the container.

The runtime polls ``GET /2018-06-01/runtime/invocation/next``, which blocks until an event is queued and answers it
with the request id, deadline and function ARN in headers; it posts the handler's result to
``.../invocation/<id>/response``, an exception to ``.../invocation/<id>/error``, and a failure before the first poll
to ``.../init/error``. ``RuntimeApi.invoke`` queues an event and waits for that answer.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

from probes import stop

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:ogedge-test"


@dataclass(frozen=True)
class Outcome:
    kind: Literal["response", "error"]
    body: bytes
    duration_s: float  # from queuing the event to the runtime's answer

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class _Pending:
    request_id: str
    event: bytes
    deadline_ms: int
    queued: float = field(default_factory=time.perf_counter)
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Outcome | None = None


class RuntimeApi:
    """The Runtime API for one function instance. ``first_poll`` is when the runtime first asked for an event (its
    init is over), on the ``time.perf_counter`` clock."""

    def __init__(self, timeout_s: float = 60.0) -> None:
        self.timeout_s = timeout_s
        self.first_poll: float | None = None
        self.init_error: bytes | None = None
        self._events: queue.Queue[_Pending] = queue.Queue()
        self._pending: dict[str, _Pending] = {}
        self._closed = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, name="runtime-api", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def invoke(self, event: Any, timeout_s: float | None = None) -> Outcome:
        """Queue ``event`` (JSON-encoded here) and wait for the runtime's answer."""
        wait = timeout_s or self.timeout_s
        pending = _Pending(str(uuid.uuid4()), json.dumps(event).encode(), int((time.time() + wait) * 1000))
        self._pending[pending.request_id] = pending
        self._events.put(pending)
        if not pending.done.wait(wait):
            raise TimeoutError(f"no answer to {pending.request_id} in {wait} s (see the function's log)")
        assert pending.outcome is not None
        return pending.outcome

    def close(self) -> None:
        self._closed.set()
        self._server.shutdown()
        self._server.server_close()

    # --- what the handler calls ---

    def next_event(self) -> _Pending | None:
        if self.first_poll is None:
            self.first_poll = time.perf_counter()
        while not self._closed.is_set():
            try:
                return self._events.get(timeout=0.2)
            except queue.Empty:
                continue
        return None

    def answer(self, request_id: str, kind: Literal["response", "error"], body: bytes) -> bool:
        pending = self._pending.pop(request_id, None)
        if pending is None:
            return False
        pending.outcome = Outcome(kind, body, time.perf_counter() - pending.queued)
        pending.done.set()
        return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A runtime process killed mid-poll resets its connection: that is how every instance ends here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(api: RuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # the client keeps its connection open between calls

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            if self.path != f"{PREFIX}/invocation/next":
                self._reply(404, b'{"errorType": "NotFound"}')
                return
            pending = api.next_event()
            if pending is None:  # shutting down
                self._reply(500, b'{"errorType": "ShuttingDown"}')
                return
            headers = {
                "Lambda-Runtime-Aws-Request-Id": pending.request_id,
                "Lambda-Runtime-Deadline-Ms": str(pending.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
                "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Sampled=0",
            }
            self._reply(200, pending.event, headers)

        def do_POST(self) -> None:
            body = self._body()
            parts = self.path.removeprefix(PREFIX).strip("/").split("/")
            if parts == ["init", "error"]:
                api.init_error = body
                self._reply(202, b'{"status": "OK"}')
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                kind: Literal["response", "error"] = "response" if parts[2] == "response" else "error"
                known = api.answer(parts[1], kind, body)
                self._reply(202 if known else 400, b'{"status": "OK"}' if known else b'{"errorType": "InvalidId"}')
            else:
                self._reply(404, b'{"errorType": "NotFound"}')

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                while self.rfile.readline().strip():  # trailers, up to the empty line
                    pass
                return b"".join(chunks)
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _reply(self, status: int, body: bytes, headers: Mapping[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


# --- the function process ---------------------------------------------------------------------------------------


def lambda_environment(task_root: Path, python: Path, api: RuntimeApi, memory_mb: int = 1769) -> dict[str, str]:
    """The variables the python3.12 runtime gives a function (names as on Lambda; paths of this machine)."""
    return {
        "PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LD_LIBRARY_PATH": f"{task_root}:{task_root / 'lib'}",  # as /var/task:/var/task/lib on Lambda
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": FUNCTION_ARN.rsplit(":", 1)[-1],
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "_HANDLER": "handler.main.lambda_handler",
        "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only on Lambda: nothing may be compiled into it
    }


@dataclass
class FunctionInstance:
    """One running instance: the runtime process and the Runtime API it polls."""

    api: RuntimeApi
    process: subprocess.Popen[bytes]
    log: Path
    started: float  # perf_counter when the process was spawned

    def invoke(self, event: Any, timeout_s: float | None = None) -> Outcome:
        if self.process.poll() is not None:
            raise RuntimeError(f"the function exited with {self.process.returncode}:\n{self.output()}")
        return self.api.invoke(event, timeout_s)

    def init_s(self, timeout_s: float = 60.0) -> float:
        """Seconds from spawning the process to its first poll for an event (Lambda's Init Duration)."""
        deadline = time.monotonic() + timeout_s
        while self.api.first_poll is None:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the function never polled for an event:\n{self.output()}")
            time.sleep(0.005)
        return self.api.first_poll - self.started

    def mapped_files(self) -> set[str]:
        """The files the process has mapped (its shared libraries among them)."""
        lines = Path(f"/proc/{self.process.pid}/maps").read_text().splitlines()
        return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


_instances = itertools.count()


@contextmanager
def function_instance(
    python: Path, task_root: Path, handler: str, env: Mapping[str, str], log_dir: Path
) -> Iterator[FunctionInstance]:
    """``python -m awslambdaric HANDLER`` in ``task_root`` with Lambda's variables and ``env`` on top."""
    api = RuntimeApi()
    log = log_dir / f"function-{next(_instances)}.log"
    variables = {**lambda_environment(task_root, python, api), **env}
    try:
        with log.open("wb") as out:
            started = time.perf_counter()
            process = subprocess.Popen(
                [str(python), "-m", "awslambdaric", handler],
                cwd=task_root,
                env=variables,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            yield FunctionInstance(api, process, log, started)
        finally:
            stop(process)
    finally:
        api.close()


def host_architecture() -> str:
    """This machine's Lambda architecture name."""
    machine = os.uname().machine
    return {"x86_64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}[machine]
