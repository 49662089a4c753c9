"""Compositing: "over" blending with correct alpha, opacity, clipping, rotation about the centre."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from renderer.compose import composite, rotated
from renderer.geometry import Box
from renderer.layers.base import Tile


def blank(colour: tuple[int, int, int, int] = (0, 0, 0, 0)) -> Image.Image:
    return Image.new("RGBA", (20, 10), colour)


def test_opaque_fill_replaces_pixels() -> None:
    canvas = blank((1, 2, 3, 255))
    composite(canvas, Tile(Box(2, 2, 6, 6), fill=(200, 100, 50, 255)))
    assert canvas.getpixel((3, 3)) == (200, 100, 50, 255)
    assert canvas.getpixel((7, 7)) == (1, 2, 3, 255)


def test_half_opacity_blends_over_an_opaque_background() -> None:
    canvas = blank((0, 0, 0, 255))
    composite(canvas, Tile(Box(0, 0, 20, 10), fill=(200, 100, 50, 255)), opacity=50)
    r, g, b, a = canvas.getpixel((5, 5))  # type: ignore[misc]
    assert a == 255
    assert (r, g, b) == pytest.approx((100, 50, 25), abs=1)


def test_translucent_over_transparent_keeps_its_colour() -> None:
    canvas = blank()
    composite(canvas, Tile(Box(0, 0, 20, 10), fill=(200, 100, 50, 128)))
    assert canvas.getpixel((5, 5)) == (200, 100, 50, 128)


def test_opacity_zero_draws_nothing() -> None:
    canvas = blank((9, 9, 9, 255))
    composite(canvas, Tile(Box(0, 0, 20, 10), fill=(255, 0, 0, 255)), opacity=0)
    assert canvas.getpixel((5, 5)) == (9, 9, 9, 255)


def test_tiles_off_the_canvas_are_clipped() -> None:
    canvas = blank()
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 255))
    composite(canvas, Tile(Box(-5, -5, 5, 5), image=image))
    composite(canvas, Tile(Box(100, 100, 110, 110), image=image))
    assert canvas.getpixel((4, 4)) == (255, 0, 0, 255)
    assert canvas.getpixel((5, 5)) == (0, 0, 0, 0)


def test_opaque_rgb_images_are_pasted_and_clipped() -> None:
    canvas = blank()
    composite(canvas, Tile(Box(15, 5, 25, 15), image=Image.new("RGB", (10, 10), (0, 255, 0))))
    assert canvas.getpixel((19, 9)) == (0, 255, 0, 255)
    assert canvas.getpixel((14, 9)) == (0, 0, 0, 0)


def test_rotation_by_zero_or_a_full_turn_is_identity() -> None:
    tile = Tile(Box(3, 2, 9, 7), fill=(255, 0, 0, 255))
    plain, turned, full = blank(), blank(), blank()
    composite(plain, tile)
    composite(turned, tile, degrees=0)
    composite(full, tile, degrees=360)
    assert plain.tobytes() == turned.tobytes() == full.tobytes()


@pytest.mark.parametrize("degrees", [15, 45, 90, -30, 180])
def test_rotated_boxes_stay_centred(degrees: float) -> None:
    tile = Tile(Box(40, 30, 100, 50), fill=(255, 255, 255, 255))
    image, box = rotated(tile, degrees)
    assert abs((box.left + box.right) - (40 + 100)) <= 1
    assert abs((box.top + box.bottom) - (30 + 50)) <= 1
    assert image.size == (box.width, box.height)


def test_rotation_does_not_darken_edges() -> None:
    image, _ = rotated(Tile(Box(0, 0, 40, 40), fill=(255, 255, 255, 255)), 30)
    _r, _g, _b, _a = image.split()
    edge = [image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)]
    assert all(p[0] == 255 for p in edge if p[3] > 0)  # type: ignore[index]


def centroid(image: Image.Image) -> tuple[float, float]:
    alpha = np.asarray(image.getchannel("A"), dtype=np.float64)
    ys, xs = np.indices(alpha.shape)
    return float((alpha * (xs + 0.5)).sum() / alpha.sum()), float((alpha * (ys + 0.5)).sum() / alpha.sum())


@settings(max_examples=60, deadline=None)
@given(
    left=st.integers(-50, 50),
    top=st.integers(-50, 50),
    width=st.integers(1, 90),
    height=st.integers(1, 90),
    degrees=st.floats(-720, 720, allow_nan=False),
)
def test_a_turned_tile_keeps_its_centre_and_its_area(
    left: int, top: int, width: int, height: int, degrees: float
) -> None:
    tile = Tile(Box(left, top, left + width, top + height), fill=(255, 255, 255, 255))
    image, box = rotated(tile, degrees)
    cx, cy = centroid(image)
    assert box.left + cx == pytest.approx(left + width / 2, abs=0.51)  # exact but for odd quarter turns
    assert box.top + cy == pytest.approx(top + height / 2, abs=0.51)
    area = np.asarray(image.getchannel("A"), dtype=np.float64).sum() / 255
    assert area == pytest.approx(width * height, rel=0.02, abs=0.1 * 2 * (width + height) + 1)  # soft edges


@pytest.mark.parametrize("degrees", [90, 180, 270, -90, 450])
def test_quarter_turns_move_pixels_without_resampling(degrees: float) -> None:
    source = Image.new("RGBA", (6, 4))
    source.putdata([(i * 10, 255 - i * 10, i, 255) for i in range(24)])
    image, box = rotated(Tile(Box(0, 0, 6, 4), image=source), degrees)
    turns = round(degrees / 90) % 4
    expected = source.rotate(-90 * turns, expand=True)
    assert image.tobytes() == expected.tobytes()
    assert (box.width, box.height) == expected.size


def test_turned_edges_are_antialiased() -> None:
    image, _ = rotated(Tile(Box(0, 0, 60, 30), fill=(255, 255, 255, 255)), 20)
    alpha = np.asarray(image.getchannel("A"))
    partial = ((alpha > 10) & (alpha < 245)).sum()
    assert partial > 2 * (60 + 30) * 0.8  # about one soft pixel along each side


def test_a_turned_tile_is_clipped_to_the_canvas() -> None:
    canvas = Image.new("RGBA", (40, 40), (0, 0, 255, 255))
    composite(canvas, Tile(Box(-30, -30, 30, 30), fill=(255, 0, 0, 255)), degrees=45)
    assert canvas.size == (40, 40)
    assert canvas.getpixel((0, 0)) == (255, 0, 0, 255)
    assert canvas.getpixel((39, 39)) == (0, 0, 255, 255)
