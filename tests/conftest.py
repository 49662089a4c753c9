"""Shared fixtures: the ../shared material, an offline fetcher, and golden-image comparison with tolerance."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

pytest_plugins = ["s3_servers"]

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SHARED = Path(os.environ.get("OGEDGE_SHARED", ROOT.parent / "shared"))
REGEN = os.environ.get("OGEDGE_REGEN_GOLDEN") == "1"

# Tolerances: anti-aliasing may move a little between FreeType or zlib builds; a layout change may not.
MEAN_TOLERANCE = 0.6  # mean absolute difference over all channels, in 0-255 levels
BAD_PIXEL_LEVEL = 64  # a pixel differing by more than this in any channel counts as wrong
BAD_PIXEL_SHARE = 0.002  # at most 0.2 % wrong pixels


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI runs with ../shared beside the checkout")
        pytest.skip(f"{path} is not here (set OGEDGE_SHARED or put shared/ beside the checkout)")
    return path


def refuse(url: str) -> bytes:
    """A fetcher for an offline machine: every URL fails at once, as an unreachable host would."""
    raise OSError(f"offline: {url}")


@pytest.fixture
def seed_request() -> dict[str, Any]:
    """The article's request (older dialect), its author photo given as base64."""
    request: dict[str, Any] = json.loads(shared_file("reference", "seed-og-request.json").read_text())
    photo = shared_file("bench-peers", "assets", "portrait.jpg").read_bytes()
    request["layers"][4]["file"] = {
        "type": "base64",
        "name": "author.jpg",
        "base64": base64.b64encode(photo).decode(),
    }
    return request


def _pixels(data: bytes) -> np.ndarray[Any, np.dtype[np.int16]]:
    with Image.open(BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"), dtype=np.int16)


def _write_failure(name: str, actual: bytes, expected: bytes, diff: np.ndarray[Any, Any]) -> Path:
    folder = Path(tempfile.gettempdir()) / "ogedge-golden" / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "actual.png").write_bytes(actual)
    (folder / "expected.png").write_bytes(expected)
    amplified = np.clip(diff.max(axis=2) * 4, 0, 255).astype(np.uint8)
    Image.fromarray(amplified, "L").save(folder / "diff.png")
    return folder


def assert_golden(name: str, actual: bytes) -> None:
    """Compare an encoded image with ``tests/golden/<name>.png`` within tolerance (OGEDGE_REGEN_GOLDEN=1 rewrites)."""
    path = GOLDEN_DIR / f"{name}.png"
    if REGEN or not path.exists():
        if not REGEN and os.environ.get("CI"):
            pytest.fail(f"golden image {path.name} is missing")
        path.write_bytes(_as_png(actual))
        if not REGEN:
            pytest.skip(f"wrote new golden image {path}; look at it and commit it")
        return
    expected = path.read_bytes()
    got, want = _pixels(actual), _pixels(expected)
    assert got.shape == want.shape, f"{name}: size {got.shape[1::-1]} != golden {want.shape[1::-1]}"
    diff = np.abs(got - want)
    mean = float(diff.mean())
    bad = float((diff.max(axis=2) > BAD_PIXEL_LEVEL).mean())
    if mean > MEAN_TOLERANCE or bad > BAD_PIXEL_SHARE:
        folder = _write_failure(name, actual, expected, diff)
        pytest.fail(f"{name}: mean diff {mean:.3f}, {bad:.3%} pixels off; actual/expected/diff in {folder}")


def _as_png(data: bytes) -> bytes:
    with Image.open(BytesIO(data)) as image:
        if image.format == "PNG":
            return data
        out = BytesIO()
        image.save(out, "PNG")
        return out.getvalue()


@pytest.fixture
def golden() -> Callable[[str, bytes], None]:
    return assert_golden


@pytest.fixture(autouse=True)
def _close_left_event_loop() -> Iterator[None]:
    """Mangum sets an event loop for the process and keeps it (right on Lambda); tests close what one left."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return
    if not loop.is_running():
        loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def offline() -> Callable[[str], bytes]:
    return refuse


@pytest.fixture
def shared() -> Callable[..., Path]:
    return shared_file
