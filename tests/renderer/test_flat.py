"""The palette canvas: every flat tile drawn on it gives exactly the pixels of the RGBA compositor, and it hands
back (unchanged) what it cannot draw."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from renderer import render
from renderer.compose import composite
from renderer.flat import MAX_COLOURS, FlatCanvas
from renderer.geometry import Box
from renderer.layers.base import Tile

SIZE = (24, 16)


def reference(background: tuple[int, int, int], drawn: list[tuple[Tile, float]]) -> Image.Image:
    canvas = Image.new("RGBA", SIZE, (*background, 255))
    for tile, opacity in drawn:
        composite(canvas, tile, opacity, opaque_below=True)
    return canvas


colours = st.tuples(*[st.integers(0, 255)] * 3)
boxes = st.builds(
    lambda x, y, w, h: Box(x, y, x + w, y + h),
    st.integers(-6, SIZE[0]),
    st.integers(-6, SIZE[1]),
    st.integers(1, 14),
    st.integers(1, 12),
)
opacities = st.sampled_from([100, 100, 100, 0, 37.5, 50, 99])


@st.composite
def tiles(draw: st.DrawFn) -> Tile:
    box = draw(boxes)
    colour = draw(colours)
    if draw(st.booleans()):  # a fill, maybe translucent
        return Tile(box, fill=(*colour, draw(st.sampled_from([255, 255, 0, 1, 128, 254]))))
    levels = draw(st.lists(st.integers(0, 255), min_size=1, max_size=4))  # text-like coverage
    mask = Image.new("L", (box.width, box.height))
    mask.putdata([levels[(i * 7 + i // box.width) % len(levels)] for i in range(box.width * box.height)])
    return Tile(box, fill=(*colour, 255), mask=mask)


@settings(max_examples=300, deadline=None)
@given(colours, st.lists(st.tuples(tiles(), opacities), max_size=6))
def test_flat_tiles_give_the_compositors_pixels(background: tuple[int, int, int], drawn: list[Any]) -> None:
    flat = FlatCanvas(*SIZE, background)
    for tile, opacity in drawn:
        assert flat.draw(tile, opacity)
    assert flat.rgba().tobytes() == reference(background, drawn).tobytes()
    assert len(flat.colours) <= MAX_COLOURS


def test_what_is_not_a_flat_colour_is_handed_back_untouched() -> None:
    flat = FlatCanvas(*SIZE, (10, 20, 30))
    flat.draw(Tile(Box(0, 0, 5, 5), fill=(200, 0, 0, 255)))
    before = flat.rgba().tobytes()
    photo = Image.new("RGBA", (4, 4), (1, 2, 3, 255))
    assert not flat.draw(Tile(Box(1, 1, 5, 5), image=photo))
    assert not flat.draw(Tile(Box(1, 1, 5, 5), fill=(0, 255, 0, 255)), degrees=30)
    assert flat.rgba().tobytes() == before


def test_a_tile_that_would_pass_256_colours_is_refused_and_nothing_changes() -> None:
    flat = FlatCanvas(16, 16, (0, 0, 0))
    for i in range(1, 255):  # 255 colours in all
        assert flat.draw(Tile(Box(i % 16, i // 16, i % 16 + 1, i // 16 + 1), fill=(i, 0, 0, 255)))
    before, count = flat.rgba().tobytes(), len(flat.colours)
    ramp = Image.new("L", (16, 1))
    ramp.putdata(list(range(1, 256, 16)))
    assert not flat.draw(Tile(Box(0, 15, 16, 16), fill=(0, 0, 255, 255), mask=ramp))
    assert (flat.rgba().tobytes(), len(flat.colours)) == (before, count)
    assert flat.draw(Tile(Box(0, 0, 1, 1), fill=(254, 0, 0, 255)))  # an existing colour is still fine
    assert flat.draw(Tile(Box(0, 0, 1, 1), fill=(0, 0, 1, 255)))  # and the 256th
    assert not flat.draw(Tile(Box(0, 0, 1, 1), fill=(0, 0, 2, 255)))


def card(**text: Any) -> dict[str, Any]:
    return {
        "dimensions": {"width_in_px": 400, "height_in_px": 200},
        "layers": [
            {"index": 0, "type": "solid-color", "hex_color": "#1a1a2e"},
            {"index": 1, "type": "solid-color", "hex_color": "#e94560", **at(0, 0, 200, 120)},
            {"index": 2, "type": "solid-color", "hex_color": "#00ff0080", "opacity": 60, **at(220, 0, 180, 12)},
            {"index": 3, "type": "text", "text": "Flat **colours**, *drawn* as indices", "font_name": "Inter",
             "font_size_in_px": 40, "text_color": "#ffffff", "is_splitting_lines": True, **at(20, 20, 360, 160),
             **text},
            {"index": 4, "type": "text", "text": "acme.dev", "font_name": "Inter", "font_size_in_px": 18,
             "text_color": "#88888880", **at(20, 170, 200, 30)},
        ],
    }  # fmt: skip


def at(x: int, y: int, w: int, h: int) -> dict[str, Any]:
    return {"position": {"x_in_px": x, "y_in_px": y}, "dimensions": {"width_in_px": w, "height_in_px": h}}


def pixels(png: bytes) -> bytes:
    return Image.open(io.BytesIO(png)).convert("RGBA").tobytes()


@pytest.mark.parametrize(
    ("text", "mode"),
    [({}, "P"), ({"opacity": 45}, "P"), ({"text_color": "#ffcc0099"}, "P"), ({"rotation_in_degrees": 8}, "RGB")],
)
def test_a_card_renders_the_same_pixels_with_and_without_the_palette_canvas(
    text: dict[str, Any], mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A turned text layer is handed to the RGBA compositor (and antialiased into more than 256 colours)."""
    flat = render(card(**text))
    monkeypatch.setattr(FlatCanvas, "draw", lambda *_: False)  # the RGBA compositor for every layer
    rgba = render(card(**text))
    assert pixels(flat.data) == pixels(rgba.data)
    assert Image.open(io.BytesIO(flat.data)).mode == mode


@pytest.mark.parametrize("fmt", ["jpeg", "webp", "gif", "tiff", "avif"])
def test_other_formats_get_the_same_bytes_from_the_palette_canvas(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    flat = render({**card(), "output_format": fmt})
    monkeypatch.setattr(FlatCanvas, "draw", lambda *_: False)
    assert flat.data == render({**card(), "output_format": fmt}).data
    assert Image.open(io.BytesIO(flat.data)).size == (400, 200)
