"""Cover-crop arithmetic: in bounds, right aspect ratio, as large as fits, centred or on the focus."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from renderer.geometry import Box, cover_crop, largest_with_aspect

sides = st.integers(min_value=1, max_value=5000)


@given(sides, sides, sides, sides)
def test_crop_stays_inside_and_keeps_the_aspect(src_w: int, src_h: int, w: int, h: int) -> None:
    box = cover_crop(src_w, src_h, w, h)
    assert 0 <= box.left < box.right <= src_w
    assert 0 <= box.top < box.bottom <= src_h
    # the rounding error of one pixel on either side is the only slack
    assert abs(box.width * h - box.height * w) <= max(w, h)


@given(sides, sides, sides, sides)
def test_crop_is_as_large_as_fits(src_w: int, src_h: int, w: int, h: int) -> None:
    box = cover_crop(src_w, src_h, w, h)
    assert box.width == src_w or box.height == src_h


@given(sides, sides, sides, sides, st.floats(0, 1), st.floats(0, 1))
def test_focus_is_inside_the_crop_when_it_can_be(src_w: int, src_h: int, w: int, h: int, fx: float, fy: float) -> None:
    focus = (fx * src_w, fy * src_h)
    box = cover_crop(src_w, src_h, w, h, focus)
    assert box.left <= focus[0] + 1
    assert focus[0] - 1 <= box.right
    assert box.top <= focus[1] + 1
    assert focus[1] - 1 <= box.bottom
    assert (box.width, box.height) == largest_with_aspect(src_w, src_h, w, h)


def test_centre_crop_of_a_portrait_into_a_square() -> None:
    assert cover_crop(512, 768, 260, 260) == Box(0, 128, 512, 640)


def test_focus_near_an_edge_is_clamped() -> None:
    assert cover_crop(1000, 500, 100, 100, (990, 10)) == Box(500, 0, 1000, 500)


def test_box_intersection() -> None:
    assert Box(0, 0, 10, 10).intersect(Box(5, 5, 20, 20)) == Box(5, 5, 10, 10)
    assert Box(0, 0, 10, 10).intersect(Box(10, 0, 20, 10)) is None
    assert Box.of(1.6, 2.4, 3, 4) == Box(2, 2, 5, 6)
