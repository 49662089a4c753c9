"""The deployment checks' tools (tests/infra), installed by infra/tools.sh (run by `make test`) in virtualenvs of
their own, and how the tests run them."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAM_BIN = ROOT / ".venv-sam" / "bin"
LAMBDA_BIN = ROOT / ".venv-lambda" / "bin"


def tool(path: Path) -> Path:
    """A tool of infra/tools.sh: skipped when missing, except under CI, where that is a failure."""
    if not path.exists():
        message = f"{path.relative_to(ROOT)} is missing: run infra/tools.sh (make test does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def tool_env(config_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for the SAM CLI and cfn-lint: offline (no telemetry, no version check), no AWS account."""
    config_dir.mkdir(parents=True, exist_ok=True)
    metadata = {"lastVersionCheck": time.time(), "telemetryEnabled": False}
    (config_dir / "metadata.json").write_text(json.dumps(metadata))
    keep = {k: v for k, v in os.environ.items() if k in ("HOME", "LANG", "TMPDIR", "USER")}
    return {
        **keep,
        "PATH": f"{LAMBDA_BIN}:{SAM_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "SAM_CLI_TELEMETRY": "0",
        "__SAM_CLI_APP_DIR": str(config_dir),  # where SAM keeps its metadata: the version check is not due
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        **extra,
    }


def run(command: Sequence[str | Path], env: dict[str, str], timeout_s: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s, check=False
    )


def sam_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment the SAM CLI and cfn-lint run in (offline, no AWS account), once the tools are there."""
    tool(SAM_BIN / "sam")
    return tool_env(tmp_path_factory.mktemp("samcli"))
