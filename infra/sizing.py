"""How much memory the function needs: single-core render times mapped onto Lambda's CPU share, and the peak RSS.

Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB, a share below that. A render is
single-threaded (Pillow, one request at a time per instance), so what matters is how long one render takes on one
core. This script pins itself to one CPU, measures in one process:

- ``import``: a fresh interpreter importing ``handler.main`` (what a cold start pays before the first event);
- ``article``: ``examples/article.json`` (two text layers and the base64 avatar), warm, through ``renderer.render``;
- ``peer card``: the shared seed request with the bench-peers portrait (the card every peer renders), warm;
- the peak resident set of the process after the renders;

then prints, for common memory sizes, the estimated render time (``t_one_core * 1769 / memory`` below one vCPU, the
same above it: one render cannot use a second vCPU) and the cost of a million renders at the arm64 price.
A Graviton core and this machine's core are not the same speed: the mapping is an estimate, the ratios between
sizes are the point. The machine is shared: every case runs interleaved over ``--n`` rounds and medians are shown.

Run from the checkout::

    .venv/bin/python infra/sizing.py [--n 30] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FULL_VCPU_MB = 1769  # Lambda: one full vCPU at this memory size
PRICE_GB_S_ARM64 = 0.0000133334  # USD per GB-second, arm64, first tier (x86_64: 0.0000166667)
SIZES_MB = (512, 1024, 1536, 1769, 2048, 3008)


def offline(url: str) -> bytes:
    raise OSError(f"sizing runs offline: {url}")


def requests(shared: Path) -> dict[str, dict[str, Any]]:
    article: dict[str, Any] = json.loads((ROOT / "examples" / "article.json").read_text())
    found = {"article": article}
    seed, photo = shared / "reference" / "seed-og-request.json", shared / "bench-peers" / "assets" / "portrait.jpg"
    if seed.is_file() and photo.is_file():
        card: dict[str, Any] = json.loads(seed.read_text())
        encoded = base64.b64encode(photo.read_bytes()).decode()
        card["layers"][4]["file"] = {"type": "base64", "name": "portrait.jpg", "base64": encoded}
        found["peer card"] = card
    else:
        print(f"(no peer card: {seed} or {photo} is missing)", file=sys.stderr)
    return found


def import_time_s() -> float:
    """Wall time of a fresh interpreter importing the Lambda entry module (no bytecode writes, as on Lambda)."""
    code = "import time; t = time.perf_counter(); import handler.main; print(time.perf_counter() - t)"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


def timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30, help="timed rounds (default 30)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})  # one core, inherited by the import subprocesses

    from renderer import render

    cases: dict[str, Callable[[], Any]] = {
        name: partial(render, request, fetch=offline) for name, request in requests(args.shared).items()
    }
    cases["import"] = import_time_s
    for run in cases.values():  # warm-up: fonts loaded, caches filled
        run()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for round_no in range(args.n):
        names = list(cases)
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(cases[name]() if name == "import" else timed(cases[name]))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report(times, peak_mb, cpu)


def report(times: dict[str, list[float]], peak_mb: float, cpu: int) -> None:
    print(f"one core (cpu {cpu}), Python {sys.version.split()[0]}, {len(times['import'])} rounds; medians (p95)")
    for name, values in times.items():
        p95 = statistics.quantiles(values, n=20, method="inclusive")[18]
        print(f"  {name:10s} {statistics.median(values) * 1000:8.1f} ms  ({p95 * 1000:.1f})")
    print(f"  peak RSS   {peak_mb:8.1f} MB (this process, after every render)")
    renders = {k: statistics.median(v) for k, v in times.items() if k != "import"}
    print("\nestimated on Lambda (one render; CPU share = memory / 1769 MB, capped at one vCPU)")
    print("  memory   " + "".join(f"{name:>22s}" for name in renders) + f"{'cold import':>14s}")
    for size in SIZES_MB:
        share = min(1.0, size / FULL_VCPU_MB)
        cells = ""
        for t in renders.values():
            est = t / share
            cost = est * size / 1024 * PRICE_GB_S_ARM64 * 1_000_000
            cells += f"{est * 1000:9.0f} ms ${cost:6.2f}/M"
        cold = statistics.median(times["import"]) / share
        print(f"  {size:5d} MB{cells}{cold * 1000:11.0f} ms")


if __name__ == "__main__":
    main()
