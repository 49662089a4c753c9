"""Cold starts of the built Lambda package, on one core (Lambda's one vCPU at 1,769 MB).

Each round spawns a fresh ``python3.12 -m awslambdaric handler.main.lambda_handler`` in the package folder with
Lambda's variables (tests/support/lambda_runtime.py, the tests' stand-in for the Runtime API), the filesystem store
in a temporary folder and the example site, and measures:

- ``init``: from spawning the process to its first poll for an event (Lambda reports this as Init Duration:
  the interpreter, the runtime client and the import of ``handler.main``);
- ``first``: the first invocation, the Function URL GET of ``/og/why-postgres.png``, a miss, so the runtime is
  built, the site file read, the card rendered and stored;
- ``second``: the same GET again on the warm instance (a hit).

Run after `sam build` (or ``infra/lambda/package.py --out DIR``)::

    .venv/bin/python infra/coldstart.py .aws-sam/build/OgedgeFunction [--n 10] [--python .venv-lambda/bin/python3.12]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from lambda_runtime import function_instance  # noqa: E402 - the tests' stand-in for the Runtime API


def one_cold_start(python: Path, task_root: Path) -> tuple[float, float, float]:
    event = json.loads((ROOT / "infra" / "events" / "function-url-get-slug.json").read_text())
    with tempfile.TemporaryDirectory(prefix="ogedge-cold-") as scratch:
        env = {
            "OGEDGE_SITE": str(ROOT / "examples" / "site.json"),
            "OGEDGE_STORE_DIR": str(Path(scratch) / "store"),
            "OGEDGE_TRUST_FORWARDED_HOST": "1",
        }
        with function_instance(python, task_root, "handler.main.lambda_handler", env, Path(scratch)) as fn:
            init = fn.init_s()
            first = fn.invoke(event)
            second = fn.invoke(event)
            for outcome in (first, second):
                if outcome.kind != "response" or outcome.json().get("statusCode") != 302:
                    raise SystemExit(f"unexpected answer: {outcome.body[:500]!r}\n{fn.output()}")
    return init, first.duration_s, second.duration_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task_root", type=Path, help="the built package (e.g. .aws-sam/build/OgedgeFunction)")
    parser.add_argument("--n", type=int, default=10, help="cold starts (default 10)")
    parser.add_argument("--python", type=Path, default=ROOT / ".venv-lambda" / "bin" / "python3.12")
    args = parser.parse_args()
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})  # inherited by the function processes
    task_root, python = args.task_root.resolve(), args.python.absolute()
    runs = [one_cold_start(python, task_root) for _ in range(args.n)]
    manifest = json.loads((task_root / "ogedge-lambda.json").read_text())
    print(f"{task_root} ({manifest['architecture']}, {manifest['bytes'] / 1e6:.1f} MB), one core (cpu {cpu})")
    print(f"{args.n} cold starts; median (min-max) in ms")
    for i, name in enumerate(("init", "first (miss)", "second (hit)")):
        values = [run[i] * 1000 for run in runs]
        print(f"  {name:13s} {statistics.median(values):7.0f}  ({min(values):.0f}-{max(values):.0f})")


if __name__ == "__main__":
    main()
