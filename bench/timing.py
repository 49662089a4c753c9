"""What the benchmarks share: a timed case, interleaved rounds, percentiles, argument checks, an offline fetcher."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timed:
    """A case: ``run`` timed on every measured round; the last result kept (e.g. the encoded image)."""

    run: Callable[[], Any]
    times_s: list[float] = field(default_factory=list)
    last: Any = None

    def measure(self, record: bool) -> None:
        start = time.perf_counter()
        self.last = self.run()
        elapsed = time.perf_counter() - start
        if record:
            self.times_s.append(elapsed)

    def p50(self) -> float:
        return statistics.median(self.times_s)

    def p95(self) -> float:
        return statistics.quantiles(self.times_s, n=20, method="inclusive")[18]


def run_rounds(cases: Sequence[Timed], n: int, warmup: int) -> None:
    """Warmup rounds, then n timed rounds; each round runs every case once, starting one case later, so that
    machine noise hits every case alike."""
    for round_no in range(warmup + n):
        shift = round_no % len(cases)
        for case in [*cases[shift:], *cases[:shift]]:
            case.measure(record=round_no >= warmup)


def at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def offline_fetch(url: str) -> bytes:
    """A fetcher that fails at once: bundled fonts are used, nothing touches the network."""
    raise OSError(f"benchmark runs offline: {url}")
