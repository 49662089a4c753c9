"""Compositing: "over" blending with correct alpha, opacity, clipping, rotation about the centre."""

from __future__ import annotations

import pytest
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
