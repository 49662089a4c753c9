"""Gradients: direction and stops as the reference describes them, premultiplied blending, and dithering that
leaves no bands on a slow dark gradient."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from io import BytesIO
from typing import Any

import numpy as np
import pytest
from PIL import Image

from renderer import render
from renderer.layers.gradient import pixels
from renderer.model import GradientLayer

Golden = Callable[[str, bytes], None]


def gradient(stops: Sequence[tuple[str, float]], **extra: Any) -> dict[str, Any]:
    return {
        "type": "gradient",
        "gradient_type": "linear",
        "colors": [{"hex_color": colour, "position": place} for colour, place in stops],
        "position": {"x_in_px": 0, "y_in_px": 0},
        "dimensions": {"width_in_px": 200, "height_in_px": 100},
        **extra,
    }


def drawn(layer: dict[str, Any], width: int = 200, height: int = 100) -> np.ndarray:
    data = {**layer, "index": 0, "dimensions": {"width_in_px": width, "height_in_px": height}}
    return np.asarray(pixels(GradientLayer.model_validate(data), width, height), dtype=np.int16)


BLACK_WHITE = [("#000000", 0), ("#ffffff", 100)]


def test_angle_zero_runs_left_to_right() -> None:
    image = drawn(gradient(BLACK_WHITE))
    assert image[:, 0, 0].max() <= 2
    assert image[:, -1, 0].min() >= 253
    assert abs(int(image[:, 100, 0].mean()) - 128) <= 2


def test_ninety_degrees_runs_top_to_bottom() -> None:
    image = drawn(gradient(BLACK_WHITE, angle_in_degrees=90))
    assert image[0, :, 0].max() <= 4
    assert image[-1, :, 0].min() >= 251


def test_a_diagonal_reaches_the_corners() -> None:
    image = drawn(gradient(BLACK_WHITE, angle_in_degrees=45), 100, 100)
    assert image[0, 0, 0] <= 3
    assert image[-1, -1, 0] >= 252
    assert abs(int(image[0, -1, 0]) - 128) <= 3  # the other corners are halfway


def test_radial_runs_from_the_centre_to_the_corners() -> None:
    image = drawn(gradient(BLACK_WHITE, gradient_type="radial"))
    assert image[50, 100, 0] <= 2
    assert image[0, 0, 0] >= 250
    assert image[0, -1, 0] >= 250
    assert image[50, 0, 0] == pytest.approx(image[0, 100, 0], abs=2)  # an ellipse of the box's proportions


def test_stops_are_sorted_and_equal_places_make_a_hard_edge() -> None:
    layer = gradient([("#0000ff", 100), ("#ff0000", 0), ("#ff0000", 50), ("#0000ff", 50)])
    image = drawn(layer)
    assert tuple(image[10, 98, :3]) == (255, 0, 0)
    assert tuple(image[10, 101, :3]) == (0, 0, 255)


def test_colours_hold_before_the_first_and_after_the_last_stop() -> None:
    image = drawn(gradient([("#ff0000", 30), ("#0000ff", 70)]))
    assert tuple(image[5, 10, :3]) == (255, 0, 0)
    assert tuple(image[5, 190, :3]) == (0, 0, 255)


def test_one_stop_is_a_solid_fill() -> None:
    image = drawn(gradient([("#123456", 40)]))
    assert (image == (0x12, 0x34, 0x56, 255)).all()


def test_a_fade_to_transparent_keeps_its_colour() -> None:
    image = drawn(gradient([("#ff0000", 0), ("#00000000", 100)]))
    middle = image[50, 100]
    assert tuple(middle[:3]) == (255, 0, 0)  # premultiplied: no darkening on the way out
    assert abs(int(middle[3]) - 128) <= 2


def test_opaque_gradients_stay_exactly_opaque() -> None:
    image = drawn(gradient([("#0b0b12", 0), ("#e94560", 37), ("#1a1a2e", 100)], angle_in_degrees=33), 300, 200)
    assert (image[..., 3] == 255).all()


def test_a_dark_gradient_has_no_bands() -> None:
    """1200x630 from #0b0b12 to #1a1a2e: 15 levels of red over 1200 px. Rounded, the columns would show bands 80 px
    wide with a step of a whole level between them; dithered, the average of each column follows the ideal ramp
    within a fraction of a level and never jumps."""
    width, height = 1200, 630
    image = drawn(gradient([("#0b0b12", 0), ("#1a1a2e", 100)]), width, height)
    ideal = 0x0B + (0x1A - 0x0B) * (np.arange(width) + 0.5) / width
    columns = image[..., 0].mean(axis=0)
    assert np.abs(columns - ideal).max() < 0.15
    assert np.abs(np.diff(columns)).max() < 0.25
    banded = np.rint(ideal)  # what plain rounding gives: the same checks fail
    assert np.abs(banded - ideal).max() > 0.45
    assert np.abs(np.diff(banded)).max() == 1


def test_the_same_gradient_gives_the_same_bytes() -> None:
    layer = gradient([("#0b0b12", 0), ("#1a1a2e", 100)], angle_in_degrees=17)
    assert drawn(layer).tobytes() == drawn(layer).tobytes()


def test_radii_round_the_gradient() -> None:
    request = {
        "dimensions": {"width_in_px": 200, "height_in_px": 100},
        "layers": [gradient(BLACK_WHITE, border_radius=30)],
    }
    with Image.open(BytesIO(render(request).data)) as decoded:
        assert decoded.getpixel((0, 0))[3] == 0  # type: ignore[index]
        assert decoded.getpixel((100, 50))[3] == 255  # type: ignore[index]


def test_gradients_in_a_card(golden: Golden) -> None:
    def place(x: int, y: int, w: int, h: int) -> dict[str, Any]:
        return {"position": {"x_in_px": x, "y_in_px": y}, "dimensions": {"width_in_px": w, "height_in_px": h}}

    request = {
        "dimensions": {"width_in_px": 600, "height_in_px": 315},
        "layers": [
            gradient([("#0b0b12", 0), ("#1a1a2e", 100)], **place(0, 0, 600, 315)),
            gradient(
                [("#e94560", 0), ("#f59e0b", 50), ("#22c55e", 100)],
                angle_in_degrees=30,
                border_radius=24,
                **place(30, 30, 260, 120),
            ),
            gradient([("#fde047", 0), ("#f9731600", 100)], gradient_type="radial", **place(320, 30, 250, 120)),
            gradient(
                [("#38bdf8", 0), ("#38bdf8", 50), ("#6366f1", 50), ("#6366f1", 100)],
                angle_in_degrees=90,
                border_top_left_radius=40,
                border_bottom_right_radius=40,
                rotation_in_degrees=-6,
                **place(30, 180, 540, 100),
            ),
        ],
    }
    image = render(request)
    with Image.open(BytesIO(image.data)) as decoded:
        assert decoded.size == (600, 315)
    golden("gradient-linear-radial", image.data)
