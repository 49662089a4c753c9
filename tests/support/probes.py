"""Running a snippet of Python in a fresh interpreter (to measure its memory, or to cap its address space) and
reading back the JSON it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, payload: Any, timeout_s: float = 120) -> Any:
    """``code`` run by this interpreter with ``payload`` as JSON on standard input; its JSON output."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=timeout_s,
    )
    return json.loads(done.stdout)


def stop(process: subprocess.Popen[Any], grace_s: float = 5) -> None:
    """End a server the tests started: terminate, then kill if it has not gone within ``grace_s``."""
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
