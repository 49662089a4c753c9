"""Shape masks: radii scaled as CSS does, circles from half-size radii, angled edges that cut, antialiased edges."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer import render, shapes
from renderer.model import AngledEdge


def covered(width: int, height: int, **shape: object) -> np.ndarray:
    return np.asarray(shapes.coverage(width, height, **shape), dtype=np.float64) / 255  # type: ignore[arg-type]


def test_radii_that_overlap_shrink_together() -> None:
    assert shapes.fit_radii(100, 50, (40, 40, 40, 40)) == (25, 25, 25, 25)
    assert shapes.fit_radii(100, 50, (10, 0, 0, 0)) == (10, 0, 0, 0)
    assert shapes.fit_radii(200, 100, (150, 50, 0, 0)) == pytest.approx((100, 100 / 3, 0, 0))


def test_a_radius_of_half_the_side_makes_a_circle() -> None:
    mask = covered(200, 200, corners=(100, 100, 100, 100))
    assert mask.sum() == pytest.approx(math.pi * 100**2, rel=0.002)
    assert mask[100, 100] == 1
    assert mask[0, 0] == mask[0, 199] == mask[199, 0] == mask[199, 199] == 0
    assert mask[100, 0] > 0.4  # the circle touches each side's middle
    assert np.array_equal(mask, mask[::-1, :])
    assert np.array_equal(mask, mask[:, ::-1])
    assert np.array_equal(mask, mask.T)


def test_edges_are_antialiased() -> None:
    mask = covered(120, 80, corners=(30, 0, 0, 0), edges=[AngledEdge(edge="right", angle_in_degrees=20)])
    partial = ((mask > 0) & (mask < 1)).sum()
    assert partial > 30 + 80  # about one pixel along the arc and along the cut
    assert set(np.unique(np.round(mask, 3))) > {0.0, 1.0}


def test_each_corner_is_rounded_on_its_own() -> None:
    mask = covered(100, 60, corners=(0, 20, 0, 0))
    assert mask[0, 0] == mask[59, 0] == mask[59, 99] == 1
    assert mask[0, 99] == 0
    assert mask[2, 97] < 0.5 < mask[10, 90]


@pytest.mark.parametrize(
    ("edge", "angle", "kept", "cut"),
    [
        ("right", 15, (0, 99), (59, 99)),  # "/" : the top-right corner stays, the bottom-right one goes
        ("right", -15, (59, 99), (0, 99)),
        ("left", 15, (59, 0), (0, 0)),
        ("left", -15, (0, 0), (59, 0)),
        ("top", 15, (0, 0), (0, 99)),
        ("top", -15, (0, 99), (0, 0)),
        ("bottom", 15, (59, 99), (59, 0)),
        ("bottom", -15, (59, 0), (59, 99)),
    ],
)
def test_an_angled_edge_keeps_one_corner_and_cuts_the_other(
    edge: str, angle: float, kept: tuple[int, int], cut: tuple[int, int]
) -> None:
    mask = covered(100, 60, edges=[AngledEdge(edge=edge, angle_in_degrees=angle)])
    assert mask[kept] > 0.8  # the cut passes through this corner's outer point
    assert mask[cut] == 0
    side = 60 if edge in ("left", "right") else 100
    triangle = side * side * math.tan(math.radians(15)) / 2
    assert mask.sum() == pytest.approx(100 * 60 - triangle, abs=side * 0.1)


def test_plain_boxes_need_no_mask() -> None:
    assert shapes.is_plain((0, 0, 0, 0), [AngledEdge(edge="top", angle_in_degrees=0)])
    assert not shapes.is_plain((0, 0, 1, 0))


def test_filled_shapes_carry_the_colour_and_its_alpha() -> None:
    image = shapes.filled(40, 40, (10, 20, 30, 128), (20, 20, 20, 20))
    assert image.getpixel((20, 20)) == (10, 20, 30, 128)
    assert image.getpixel((0, 0)) == (10, 20, 30, 0)


@settings(max_examples=60, deadline=None)
@given(
    width=st.integers(1, 80),
    height=st.integers(1, 80),
    radii=st.tuples(*[st.floats(0, 200)] * 4),
    angle=st.floats(-45, 45),
    edge=st.sampled_from(["left", "right", "top", "bottom"]),
)
def test_masks_stay_within_their_box_and_range(
    width: int, height: int, radii: tuple[float, float, float, float], angle: float, edge: str
) -> None:
    mask = covered(width, height, corners=radii, edges=[AngledEdge(edge=edge, angle_in_degrees=angle)])
    assert mask.shape == (height, width)
    assert mask.min() >= 0
    assert mask.max() <= 1
    assert mask.sum() <= width * height


def test_shapes_golden(golden: Callable[[str, bytes], None]) -> None:
    def rect(x: int, y: int, w: int, h: int, colour: str, **extra: object) -> dict[str, object]:
        place = {"position": {"x_in_px": x, "y_in_px": y}, "dimensions": {"width_in_px": w, "height_in_px": h}}
        return {"type": "solid-color", "hex_color": colour, **place, **extra}

    request = {
        "dimensions": {"width_in_px": 640, "height_in_px": 320},
        "layers": [
            {"type": "solid-color", "hex_color": "#0f172a"},
            rect(20, 20, 120, 120, "#22c55e", border_radius=60),
            rect(160, 20, 180, 120, "#38bdf8", border_top_left_radius=40, border_bottom_right_radius=12),
            rect(360, 20, 260, 80, "#e94560", angled_edges=[{"edge": "right", "angle_in_degrees": 30}]),
            rect(
                360,
                110,
                260,
                80,
                "#f59e0b",
                angled_edges=[{"edge": "left", "angle_in_degrees": -30}, {"edge": "bottom", "angle_in_degrees": 8}],
            ),
            rect(
                20, 170, 300, 120, "#a78bfa", border_radius=24, angled_edges=[{"edge": "top", "angle_in_degrees": 12}]
            ),
            rect(400, 210, 160, 70, "#f472b6cc", border_radius=16, rotation_in_degrees=-20),
        ],
    }
    golden("shapes-radii-edges", render(request).data)
