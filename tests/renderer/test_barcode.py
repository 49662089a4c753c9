"""Barcodes: every format scans back to its value (zxing-cpp) at several sizes, bars are whole pixels, the box's
width must hold the modules, and the reference's value rules are 400s naming the field and the rule."""

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

ZXING_NAMES = {"code128": "Code128", "ean13": "EAN13", "ean8": "EAN8", "code39": "Code39", "itf": "ITF"}


def barcode(fmt: str, value: str, width: int = 400, height: int = 120, **extra: Any) -> dict[str, Any]:
    return code_card("barcode", width, height, format=fmt, value=value, **extra)


CASES = [
    ("code128", "Hello, World! 123", "Hello, World! 123"),
    ("code128", "PCL26-000417", "PCL26-000417"),
    ("code128", "1234567890128", "1234567890128"),
    ("code128", "tab\there", "tab\there"),
    ("ean13", "400638133393", "4006381333931"),  # the check digit is added
    ("ean13", "5901234123457", "5901234123457"),
    ("ean8", "9638507", "96385074"),
    ("ean8", "96385074", "96385074"),
    ("code39", "CODE 39-$/+%.", "CODE 39-$/+%."),
    ("itf", "12345678", "12345678"),
    ("itf", "00012345678905", "00012345678905"),
    ("codabar", "A40156B", "A40156B"),
    ("codabar", "c1-2$3:4/5.6+d", "C1-2$3:4/5.6+D"),
]


@pytest.mark.parametrize(("fmt", "value", "decoded"), CASES)
@pytest.mark.parametrize("width", [260, 401, 777])
def test_barcodes_scan_back_to_their_value(fmt: str, value: str, decoded: str, width: int) -> None:
    image = render(barcode(fmt, value, width))
    assert read_codes(image.data) == [(ZXING_NAMES.get(fmt, "Codabar"), decoded)]


@pytest.mark.parametrize(("fmt", "value", "decoded"), CASES[::3])
def test_bars_are_whole_pixels(fmt: str, value: str, decoded: str) -> None:
    with Image.open(BytesIO(render(barcode(fmt, value, 333, 50)).data)) as decoded_image:
        pixels = np.asarray(decoded_image.convert("L"))
    assert set(np.unique(pixels)) == {0, 255}
    assert (pixels == pixels[0]).all()  # every row the same: bars span the height
    runs = np.diff(np.flatnonzero(np.diff(pixels[0].astype(int))))
    module = int(runs.min())
    assert all(run % module == 0 for run in runs)  # every bar and space a whole number of modules


def test_a_box_too_narrow_for_the_modules_names_dimensions() -> None:
    with pytest.raises(InvalidRequest) as caught:
        render(barcode("code128", "a fairly long value for a small box", 100))
    assert caught.value.field == "layers[0].dimensions"
    assert "at least" in caught.value.message


@pytest.mark.parametrize(
    ("fmt", "value", "rule"),
    [
        ("ean13", "12345", "12 or 13 digits"),
        ("ean13", "4006381333932", "check digit"),
        ("ean8", "96385075", "check digit"),
        ("itf", "123", "even number of digits"),
        ("codabar", "A123", "starts and ends with A, B, C or D"),
        ("code39", "abc", "A-Z"),
        ("code128", "€uro", "ASCII"),
    ],
)
def test_value_rules_are_invalid_requests_naming_the_field(fmt: str, value: str, rule: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        render(barcode(fmt, value))
    found = {p.path: p.message for p in caught.value.problems}
    assert rule in found["layers[0].value"]


def test_barcodes_golden(golden: Golden) -> None:
    layers = []
    for row, (fmt, value) in enumerate(
        [
            ("code128", "OGEDGE-2026"),
            ("ean13", "400638133393"),
            ("ean8", "9638507"),
            ("code39", "OG-42"),
            ("itf", "12345678"),
            ("codabar", "A40156B"),
        ]
    ):
        layer = barcode(fmt, value, 280, 70)["layers"][0]
        layer["position"] = {"x_in_px": 20 + 300 * (row % 2), "y_in_px": 20 + 90 * (row // 2)}
        layers.append(layer)
    layers[1]["foreground_hex_color"] = "#1a1a2e"
    layers[1]["background_hex_color"] = "#fef3c7"
    request = {
        "dimensions": {"width_in_px": 620, "height_in_px": 290},
        "layers": [{"type": "solid-color", "hex_color": "#e2e8f0"}, *layers],
    }
    image = render(request)
    assert len(read_codes(image.data)) == 6
    golden("barcodes", image.data)
