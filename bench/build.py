"""Build benchmark: ``ogedge build`` of a 1,000-page site on this machine, with 1 and 2 worker processes, and a
rebuild after one page changed.

The site is the example blog template (``examples/site.json``) with 1,000 generated pages of different titles
(written to a temporary folder, with the output). Measured, each in the same run: wall time and pages per second
for a cold build with ``--workers 1`` and with ``--workers 2`` (the speed-up of 2 over 1 is the ratio), and the
rebuild of the 2-worker output after one page's title changed (how many pages it rendered, and how long it took).

Run from the checkout::

    .venv/bin/python bench/build.py [--pages 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from handler.build import BuildReport, build, site_pages
from handler.settings import Settings
from handler.site import Site

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "latency",
    "pooling",
    "postgres",
    "replicas",
    "schema",
    "migrations",
    "caching",
    "queues",
    "tracing",
    "indexes",
    "vacuum",
    "sharding",
]


def generated_site(pages: int) -> Site:
    data: dict[str, Any] = json.loads((ROOT / "examples" / "site.json").read_text())
    data["pages"] = {
        f"post-{i:04d}": {
            "template": "blog",
            "vars": {
                "title": f"Post {i}: {WORDS[i % len(WORDS)].title()} and {WORDS[(i * 7) % len(WORDS)]} at scale",
                "author": f"Author {i % 17}",
                "date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
            },
        }
        for i in range(pages)
    }
    return Site.model_validate(data)


def timed_build(site: Site, out: Path, workers: int) -> BuildReport:
    return build(site, site_pages(site), out, Settings(), workers=workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    site = generated_site(args.pages)
    print(f"Python {sys.version.split()[0]}, os.cpu_count()={os.cpu_count()}, {args.pages} pages")
    with tempfile.TemporaryDirectory() as tmp:
        one = timed_build(site, Path(tmp) / "one", workers=1)
        two = timed_build(site, Path(tmp) / "two", workers=2)
        changed = dict(site.pages)
        first = next(iter(changed))
        changed[first] = changed[first].model_copy(update={"vars": {**changed[first].vars, "title": "Changed!"}})
        edited = site.model_copy(update={"pages": changed})
        started = time.perf_counter()
        rebuild = timed_build(edited, Path(tmp) / "two", workers=2)
        rebuild_s = time.perf_counter() - started
    print(f"{'case':<22}{'rendered':>9}{'seconds':>10}{'pages/s':>10}")
    for name, report in (("cold, 1 worker", one), ("cold, 2 workers", two)):
        print(
            f"{name:<22}{len(report.rendered):>9}{report.seconds:>10.1f}{len(report.rendered) / report.seconds:>10.1f}"
        )
    print(f"{'rebuild, 1 changed':<22}{len(rebuild.rendered):>9}{rebuild_s:>10.2f}{'':>10}")
    print(f"speed-up of 2 workers over 1: {one.seconds / two.seconds:.2f}x")


if __name__ == "__main__":
    main()
