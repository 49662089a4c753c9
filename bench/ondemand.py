"""On-demand benchmark: a cache hit of ``/og/why-postgres.png`` against the render it saves, in one process.

What is measured: wall time (``time.perf_counter``) of one call, in four cases:

- ``hit url file``:   ``handler.main.lambda_handler(event, None)`` with the Function URL event of
  ``infra/events/function-url-get-slug.json``, built from the environment exactly as on a cold start
  (the Function URL path of ``handler/function_url.py``, the filesystem store in a temporary folder, the example
  site ``examples/site.json``, ``OGEDGE_CDN_URL=https://cdn.example.com``). Each call pays for reading the event,
  the site check, resolving and validating the page's request, its key (blake3), one store lookup (a ``stat``),
  the 302 and the request log line (built, not written: see below);
- ``hit url memory``: the same event through a runtime built the way ``Runtime.from_env`` builds it, with the
  service's store swapped for a ``MemoryStore``: the same path without the filesystem;
- ``hit direct``:     the direct invocation ``{"slug": "why-postgres"}`` through that runtime (no HTTP event);
- ``miss render``:    ``renderer.render(request)`` of the page's filled and validated request (PNG), with the
  service's render options: the work every request would pay without the cache. A real miss also pays the
  key, the lookups and the store write; they are left out, so the baseline is a lower bound. The fetcher
  fails at once and the render is checked to carry no warnings, so no font was fetched (the example site
  uses the bundled Inter only).

The object is stored (and each hit case answers ``302`` with ``x-ogedge-cache: hit``, and the baseline's key
is the key the hit answers) before anything is timed. The ``ogedge`` logger is disabled for the whole run, so
the JSON request lines are not written to standard error while timing (on Lambda each request writes one).
Environment variables, the temporary store and the logger are restored at the end.

All cases run interleaved in rounds (the order rotating each round) so machine noise hits them equally.
Prints p50/p95 per case and each hit case's p50 over the miss baseline's p50.

Run from the checkout::

    .venv/bin/python bench/ondemand.py [--n 200] [--warmup 20]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from timing import Timed, at_least, offline_fetch, run_rounds

import handler.main
from handler.main import Runtime, build_deps, lambda_handler
from handler.settings import Settings
from handler.site import Site
from handler.store import MemoryStore
from renderer import RenderRequest, parse_request, render

CHECKOUT = Path(__file__).resolve().parents[1]
SITE = CHECKOUT / "examples" / "site.json"
EVENT = CHECKOUT / "infra" / "events" / "function-url-get-slug.json"
SLUG = "why-postgres"
CDN_URL = "https://cdn.example.com"
BASELINE = "miss render"

Json = dict[str, Any]
Call = Callable[[], object]


# --- setup --------------------------------------------------------------------------------------------------


@contextmanager
def environ(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set, restored afterwards (the handler reads it at cold start)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@contextmanager
def quiet_logs() -> Iterator[None]:
    """The ``ogedge`` logger disabled (no JSON request lines on standard error), restored afterwards."""
    logger = logging.getLogger("ogedge")
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def header(response: Json, name: str) -> str | None:
    headers = {key.lower(): value for key, value in response.get("headers", {}).items()}
    value = headers.get(name)
    return None if value is None else str(value)


def check_url_hit(response: Json, case: str) -> str:
    """The hit's key, after checking the response is a 302 answered from the store."""
    status, cache = response.get("statusCode"), header(response, "x-ogedge-cache")
    if status != 302 or cache != "hit":
        raise SystemExit(f"{case}: expected a 302 with x-ogedge-cache: hit, got {status} / {cache}")
    key = header(response, "x-ogedge-key")
    if key is None:
        raise SystemExit(f"{case}: no x-ogedge-key header")
    return key


def check_direct_hit(result: Json) -> str:
    if not result.get("success") or result.get("cache") != "hit":
        raise SystemExit(f"hit direct: expected a hit, got {result}")
    return str(result["key"])


def memory_runtime() -> Runtime:
    """Built as ``Runtime.from_env`` builds it, with the service's store swapped for a ``MemoryStore``."""
    deps = build_deps(Settings.from_env(os.environ), inline_io=True, layer_api=False)
    deps.service.store = MemoryStore()
    return Runtime(deps)


def page_request() -> RenderRequest:
    """The page's request as the app resolves it: the template filled with the page's variables, as PNG."""
    site = Site.parse(SITE.read_bytes(), str(SITE))
    page = site.pages[SLUG]
    data = site.request_for(page.template, page.vars)
    return parse_request({**data, "output_format": "png"})


# --- cases --------------------------------------------------------------------------------------------------


@dataclass
class Case(Timed):
    name: str = ""


def url_file_case(event: Json) -> tuple[Case, str]:
    """The Function URL event through ``lambda_handler``, its runtime built from the environment."""
    handler.main._runtime = None
    lambda_handler(event, None)  # the miss that stores the object
    key = check_url_hit(lambda_handler(event, None), "hit url file")
    return Case(lambda: lambda_handler(event, None), name="hit url file"), key


def url_memory_case(runtime: Runtime, event: Json) -> tuple[Case, str]:
    runtime(event, None)  # the miss that stores the object
    key = check_url_hit(runtime(event, None), "hit url memory")
    return Case(lambda: runtime(event, None), name="hit url memory"), key


def direct_case(runtime: Runtime) -> tuple[Case, str]:
    invocation = {"slug": SLUG}
    key = check_direct_hit(runtime(invocation, None))
    return Case(lambda: runtime(invocation, None), name="hit direct"), key


def miss_case(runtime: Runtime) -> tuple[Case, str]:
    request = page_request()
    options = runtime.deps.service.options
    image = render(request, fetch=offline_fetch, options=options)
    if image.warnings:
        raise SystemExit(f"{BASELINE}: the render needed a fallback: {image.warnings}")
    key, _ = runtime.deps.service.object_key(request)
    return Case(lambda: render(request, fetch=offline_fetch, options=options), name=BASELINE), key


def build_cases(store_dir: Path) -> list[Case]:
    """Every case set up and checked (objects stored, hits answered, one key for all), nothing timed yet."""
    env = {"OGEDGE_STORE_DIR": str(store_dir), "OGEDGE_SITE": str(SITE), "OGEDGE_CDN_URL": CDN_URL}
    event: Json = json.loads(EVENT.read_text(encoding="utf-8"))
    with environ(env):
        url_file = url_file_case(event)
        runtime = memory_runtime()
    built = [url_file, url_memory_case(runtime, event), direct_case(runtime), miss_case(runtime)]
    keys = {key for _, key in built}
    if len(keys) != 1:
        raise SystemExit(f"the cases answer different keys: {sorted(keys)}")
    return [case for case, _ in built]


# --- report -------------------------------------------------------------------------------------------------


def duration(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    return f"{seconds * 1e3:.2f} ms"


def versions() -> str:
    names = ("mangum", "starlette", "pillow", "pydantic")
    return ", ".join(f"{name} {metadata.version(name)}" for name in names)


def print_report(cases: list[Case], n: int, warmup: int) -> None:
    python = f"{platform.python_implementation()} {sys.version.split()[0]}"
    print(f"Python {python}, {versions()}")
    print(f"{platform.platform()}, {platform.machine()}, os.cpu_count()={os.cpu_count()}")
    print(f"{n} timed calls per case after {warmup} warmup, interleaved; page {SLUG!r}, ogedge logging off")
    print()
    baseline = next(case for case in cases if case.name == BASELINE).p50()
    print(f"{'case':<16} {'p50':>11} {'p95':>11} {'hit/miss p50':>13}")
    for case in cases:
        ratio = "" if case.name == BASELINE else f"{case.p50() / baseline:.4f}"
        print(f"{case.name:<16} {duration(case.p50()):>11} {duration(case.p95()):>11} {ratio:>13}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=at_least(2), default=200, help="timed calls per case (default 200)")
    parser.add_argument("--warmup", type=at_least(0), default=20, help="untimed calls per case (default 20)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with quiet_logs(), tempfile.TemporaryDirectory(prefix="ogedge-bench-") as store_dir:
        try:
            cases = build_cases(Path(store_dir))
            run_rounds(cases, args.n, args.warmup)
        finally:
            handler.main._runtime = None  # its store pointed into the temporary folder
    print_report(cases, args.n, args.warmup)


if __name__ == "__main__":
    main()
