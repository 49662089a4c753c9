"""QR codes: they scan back to their value (zxing-cpp), whole pixels per module, a quiet zone, their colours."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

import numpy as np
import pytest
from codes import code_card, read_codes
from PIL import Image

from renderer import InvalidRequest, render

Golden = Callable[[str, bytes], None]


def qr(value: str, size: int = 200, **extra: Any) -> dict[str, Any]:
    return code_card("qr-code", size, size, value=value, **extra)


def pixels(request: dict[str, Any]) -> np.ndarray:
    with Image.open(BytesIO(render(request).data)) as decoded:
        return np.asarray(decoded.convert("RGBA"))


@pytest.mark.parametrize(
    "value",
    [
        "https://example.com/tickets/ABC-123?seat=B17",
        "0123456789",
        "HELLO WORLD $%*+-./:",
        "Grüße, café ✓ 日本語 🎟",
        "x" * 1000,
    ],
)
def test_qr_codes_scan_back_to_their_value(value: str) -> None:
    assert read_codes(render(qr(value, 420)).data) == [("QRCode", value)]


@pytest.mark.parametrize("size", [37, 64, 151, 333])
def test_modules_are_whole_pixels_at_any_size(size: int) -> None:
    image = pixels(qr("https://example.com", size))
    colours = {tuple(c) for c in image.reshape(-1, 4)}
    assert colours == {(0, 0, 0, 255), (255, 255, 255, 255)}  # crisp: no grey
    assert read_codes(Image.fromarray(image).resize((size * 3, size * 3), Image.Resampling.NEAREST)) == [
        ("QRCode", "https://example.com")
    ]


def test_the_quiet_zone_and_the_symbol_are_centred_in_the_box() -> None:
    image = pixels(qr("hi", 200))  # version 1: 21 modules + 2 x 4 quiet = 29; 6 px each = 174 px, 13 px spare each side
    dark = np.argwhere(image[..., 0] == 0)
    top, left = dark.min(axis=0)
    bottom, right = dark.max(axis=0)
    assert (top, left) == (13 + 4 * 6, 13 + 4 * 6)
    assert (bottom, right) == (200 - 13 - 4 * 6 - 1, 200 - 13 - 4 * 6 - 1)


def test_colours_with_alpha_are_used() -> None:
    request = qr("colour", 120, foreground_hex_color="#1e1b4bff", background_hex_color="#00000000")
    colours = {tuple(c) for c in pixels(request).reshape(-1, 4)}
    assert colours == {(0x1E, 0x1B, 0x4B, 255), (0, 0, 0, 0)}


def test_a_box_too_small_for_the_modules_is_an_error_naming_dimensions() -> None:
    with pytest.raises(InvalidRequest) as caught:
        render(qr("https://example.com/a/long/enough/address", 20))
    assert caught.value.field == "layers[0].dimensions"
    assert "at least" in caught.value.message


def test_a_rotated_qr_code_still_scans() -> None:
    request = qr("turned", 300, rotation_in_degrees=12)
    request["dimensions"] = {"width_in_px": 400, "height_in_px": 400}
    request["layers"][0]["position"] = {"x_in_px": 50, "y_in_px": 50}
    request["layers"].insert(0, {"type": "solid-color", "hex_color": "#ffffff"})
    assert read_codes(render(request).data) == [("QRCode", "turned")]


def test_qr_code_golden(golden: Golden) -> None:
    request = qr(
        "https://ogedge.example/og/why-postgres", 240, foreground_hex_color="#1a1a2e", background_hex_color="#fef3c7"
    )
    golden("qr-code", render(request).data)
