"""Realistic cards that use every layer type (examples/*.json): golden images, every QR code and barcode on them
scans back to its value, rotation by 0 (or a full turn) changes nothing, both dialects draw the same pixels."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from codes import read_codes

from renderer import render

Golden = Callable[[str, bytes], None]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

CODES = {
    "product-card": [("EAN13", "4006381333931")],
    "event-ticket": [("Code128", "PCL26-000417"), ("QRCode", "https://tickets.example.org/pcl26/000417")],
    "certificate": [("QRCode", "https://academy.example.org/verify/7F3K-92QD")],
}


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return data


@pytest.mark.parametrize("name", sorted(CODES))
def test_example_cards(name: str, golden: Golden) -> None:
    image = render(example(name))
    assert (image.width, image.height, image.warnings) == (1200, 630, ())
    assert read_codes(image.data) == sorted(CODES[name])
    golden(f"card-{name}", image.data)


def every_layer(layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for layer in layers:
        out.append(layer)
        if layer["type"] == "layout":
            out += every_layer(layer["layers"]) + every_layer(layer.get("background_layers", []))
    return out


@pytest.mark.parametrize("turn", [0, 360, -720])
def test_rotation_by_whole_turns_is_identity(turn: float) -> None:
    plain = example("event-ticket")
    turned = copy.deepcopy(plain)
    for layer in every_layer(turned["layers"]):
        layer["rotation_in_degrees"] = turn
    assert {layer["type"] for layer in every_layer(turned["layers"])} >= {
        "solid-color",
        "gradient",
        "text",
        "qr-code",
        "barcode",
        "layout",
    }
    assert render(turned).data == render(plain).data


def older_dialect(value: Any) -> Any:
    """The request as older material writes it: {x, y}, {width, height}, rectangle for positioned fills."""
    if isinstance(value, list):
        return [older_dialect(item) for item in value]
    if not isinstance(value, dict):
        return value
    renames = {"x_in_px": "x", "y_in_px": "y", "width_in_px": "width", "height_in_px": "height"}
    out = {renames.get(key, key): older_dialect(item) for key, item in value.items()}
    if out.get("type") == "solid-color":
        out["type"] = "rectangle" if "position" in out else "solid-color-background"
    return out


@pytest.mark.parametrize("name", sorted(CODES))
def test_both_dialects_draw_the_same_card(name: str) -> None:
    current = example(name)
    assert render(older_dialect(current)).data == render(current).data
