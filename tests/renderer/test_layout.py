"""Layouts: flow, gap, alignment on both axes, padding, fixed boxes that clip or pad, auto size, shrink-wrapped
text, backgrounds, radii, nesting and its limit; and the property that nothing is drawn outside a fixed box."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from renderer import InvalidRequest, Limits, RenderOptions, render
from renderer.geometry import Box
from renderer.layers.layout import arrange, offsets
from renderer.model import LayoutLayer

Golden = Callable[[str, bytes], None]


def box(width: int | str, height: int | str) -> dict[str, Any]:
    return {"width_in_px": width, "height_in_px": height}


def square(colour: str, width: int, height: int | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "solid-color", "hex_color": colour, "dimensions": box(width, height or width), **extra}


def text(value: str, width: int | str = "auto", height: int | str = "auto", **extra: Any) -> dict[str, Any]:
    return {
        "type": "text",
        "text": value,
        "font_size_in_px": 20,
        "text_color": "#ffffff",
        "dimensions": box(width, height),
        **extra,
    }


def layout(children: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "layout", "position": {"x_in_px": 10, "y_in_px": 10}, "layers": children, **extra}


def pixels(*layers: dict[str, Any], width: int = 300, height: int = 200) -> np.ndarray:
    request = {"dimensions": box(width, height), "layers": list(layers)}
    with Image.open(BytesIO(render(request).data)) as decoded:
        return np.asarray(decoded.convert("RGBA"))


def extent(image: np.ndarray, rgb: tuple[int, int, int]) -> Box:
    """The bounding box of the pixels of one colour."""
    found = np.argwhere((image[..., :3] == rgb).all(axis=-1))
    (top, left), (bottom, right) = found.min(axis=0), found.max(axis=0)
    return Box(int(left), int(top), int(right) + 1, int(bottom) + 1)


RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


# --- arithmetic --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("align", "starts"), [("start", [0, 30, 55]), ("center", [22.5, 52.5, 77.5]), ("end", [45, 75, 100])]
)
def test_offsets_follow_each_other_gap_apart(align: str, starts: list[float]) -> None:
    assert offsets([20, 15, 10], 10, 110, align) == starts  # type: ignore[arg-type]


def test_arrange_places_across_by_the_other_alignment() -> None:
    row = LayoutLayer.model_validate(
        {"type": "layout", "index": 0, "vertical_alignment": "end", "gap": 5, "layers": [square("#f00", 10)]}
    )
    boxes = arrange(row, [(10, 10), (20, 30)], Box(4, 4, 104, 44))
    assert boxes == [Box(4, 34, 14, 44), Box(19, 14, 39, 44)]
    column = row.model_copy(
        update={"direction": "vertical", "horizontal_alignment": "center", "vertical_alignment": "start"}
    )
    boxes = arrange(column, [(10, 10), (20, 30)], Box(0, 0, 40, 100))
    assert boxes == [Box(15, 0, 25, 10), Box(10, 15, 30, 45)]


# --- flow --------------------------------------------------------------------------------------------------------


def test_a_row_of_squares_with_gap_and_padding_sizes_itself() -> None:
    image = pixels(layout([square("#f00", 20), square("#00f", 30)], gap=6, padding=4, background_color="#0f0"))
    assert extent(image, GREEN) == Box(10, 10, 10 + 4 + 20 + 6 + 30 + 4, 10 + 4 + 30 + 4)
    assert extent(image, RED) == Box(14, 14, 34, 34)
    assert extent(image, BLUE) == Box(40, 14, 70, 44)


def test_a_column_centres_across_and_ends_along() -> None:
    image = pixels(
        layout(
            [square("#f00", 20), square("#00f", 40, 10)],
            direction="vertical",
            gap=5,
            horizontal_alignment="center",
            vertical_alignment="end",
            dimensions=box(100, 80),
        )
    )
    assert extent(image, BLUE) == Box(40, 80, 80, 90)  # at the end of the column
    assert extent(image, RED) == Box(50, 55, 70, 75)  # centred across, 5 px above


def test_index_orders_the_flow() -> None:
    image = pixels(layout([square("#f00", 20, index=2), square("#00f", 20, index=1)]))
    assert extent(image, BLUE).left < extent(image, RED).left


def test_per_side_padding() -> None:
    image = pixels(
        layout(
            [square("#f00", 10)],
            padding_left=7,
            padding_top=3,
            padding_right=1,
            padding_bottom=2,
            background_color="#0f0",
        )
    )
    assert extent(image, RED) == Box(17, 13, 27, 23)
    assert extent(image, GREEN) == Box(10, 10, 28, 25)


def test_a_fixed_box_clips_content_that_does_not_fit() -> None:
    image = pixels(layout([square("#f00", 50), square("#00f", 50)], dimensions=box(80, 30)))
    assert extent(image, RED) == Box(10, 10, 60, 40)
    assert extent(image, BLUE) == Box(60, 10, 90, 40)  # cut at the box's right and bottom edges


def test_a_fixed_box_pads_content_that_is_smaller() -> None:
    image = pixels(layout([square("#f00", 10)], dimensions=box(80, 60), horizontal_alignment="end"))
    assert extent(image, RED) == Box(80, 10, 90, 20)
    assert image[60, 50, 3] == 0  # the rest is transparent


def test_auto_width_text_shrink_wraps() -> None:
    short = pixels(layout([text("Hi")], background_color="#0f0", padding=5))
    long = pixels(
        layout([text("Hi there, this is a much longer label")], background_color="#0f0", padding=5), width=600
    )
    short_box, long_box = extent(short, GREEN), extent(long, GREEN)
    assert 20 < short_box.width < 45
    assert long_box.width > 3 * short_box.width
    assert short_box.height == long_box.height  # one line each


def test_auto_width_text_wraps_at_the_room_it_has() -> None:
    words = "one two three four five six seven eight nine ten eleven twelve"
    image = pixels(layout([text(words)], background_color="#0f0"), width=200, height=300)
    green = extent(image, GREEN)
    assert green.right <= 200  # no wider than the canvas from its position
    assert green.height > 3 * 24  # several lines of 24 px


def test_auto_width_texts_share_a_fixed_row() -> None:
    image = pixels(
        layout([square("#f00", 40), text("alpha beta gamma delta"), text("epsilon zeta")], dimensions=box(200, 120))
    )
    assert extent(image, (255, 255, 255)).right <= 10 + 200


def test_background_layers_cover_the_layout_and_win_over_the_colour() -> None:
    image = pixels(
        layout(
            [square("#f00", 20)],
            padding=10,
            background_color="#00f",
            background_layers=[{"type": "solid-color", "hex_color": "#0f0"}],
        )
    )
    assert extent(image, GREEN) == Box(10, 10, 50, 50)
    assert not (image[..., :3] == BLUE).all(axis=-1).any()


def test_radii_clip_the_background_and_the_children() -> None:
    image = pixels(layout([square("#f00", 60)], border_radius=30))
    assert image[10, 10, 3] == 0
    assert tuple(image[40, 40, :3]) == RED


def test_layouts_nest() -> None:
    column = {"type": "layout", "direction": "vertical", "gap": 2, "layers": [square("#00f", 10), square("#00f", 10)]}
    image = pixels(layout([square("#f00", 30), column], gap=4, vertical_alignment="center"))
    assert extent(image, BLUE) == Box(44, 14, 54, 36)


def test_children_keep_their_opacity_and_rotation() -> None:
    image = pixels(
        layout([square("#f00", 40, rotation_in_degrees=45), square("#00f", 20, opacity=50)], background_color="#ffffff")
    )
    assert image[12, 12, 1] > 200  # the red square's corner is turned away: background shows
    assert tuple(image[20, 60, :3]) == (127, 127, 255)


def test_other_layer_kinds_flow_too() -> None:
    qr = {
        "type": "qr-code",
        "value": "flow",
        "foreground_hex_color": "#000",
        "background_hex_color": "#fff",
        "dimensions": box(60, 60),
    }
    gradient = {
        "type": "gradient",
        "gradient_type": "linear",
        "colors": [{"hex_color": "#f00", "position": 0}],
        "dimensions": box(30, 30),
    }
    image = pixels(layout([gradient, qr], gap=10))
    assert extent(image, RED) == Box(10, 10, 40, 40)
    assert image[40, 60, 3] == 255


def test_errors_inside_layouts_name_the_child() -> None:
    qr = {
        "type": "qr-code",
        "value": "https://example.com/too/long/for/this/box",
        "foreground_hex_color": "#000",
        "background_hex_color": "#fff",
        "dimensions": box(10, 10),
    }
    with pytest.raises(InvalidRequest) as caught:
        pixels(layout([square("#f00", 5), layout([qr])]))
    assert caught.value.field == "layers[0].layers[1].layers[0].dimensions"


def nested(depth: int) -> dict[str, Any]:
    inner: dict[str, Any] = square("#f00", 5)
    for _ in range(depth):
        inner = {"type": "layout", "layers": [inner]}
    return inner


def test_nesting_deeper_than_the_limit_is_refused_naming_the_layout() -> None:
    request = {"dimensions": box(50, 50), "layers": [nested(4)]}
    render(request, options=RenderOptions(Limits(max_layout_depth=4)))
    with pytest.raises(InvalidRequest) as caught:
        render(request, options=RenderOptions(Limits(max_layout_depth=3)))
    assert {p.path: p.message for p in caught.value.problems} == {
        "layers[0].layers[0].layers[0].layers[0]": "layouts may be nested at most 3 deep"
    }


def test_very_deep_nesting_is_an_invalid_request_not_a_crash() -> None:
    with pytest.raises(InvalidRequest):
        render({"dimensions": box(50, 50), "layers": [nested(300)]})


def test_layers_inside_layouts_count_towards_the_limit() -> None:
    request = {"dimensions": box(50, 50), "layers": [layout([square("#f00", 1)] * 5)]}
    with pytest.raises(InvalidRequest) as caught:
        render(request, options=RenderOptions(Limits(max_layers=5)))
    assert "at most 5 layers (counting those inside layouts), not 6" in caught.value.message


# --- the property: nothing leaves a fixed box --------------------------------------------------------------------

child = st.one_of(
    st.builds(
        lambda w, h, r: square("#f00", w, h, rotation_in_degrees=r),
        st.integers(1, 90),
        st.integers(1, 90),
        st.sampled_from([0, 0, 30]),
    ),
    st.builds(text, st.text("abc def ghij", min_size=1, max_size=30)),
)
flows = st.recursive(
    st.lists(child, min_size=1, max_size=4),
    lambda inner: st.lists(
        st.one_of(child, inner.map(lambda kids: {"type": "layout", "layers": kids})), min_size=1, max_size=3
    ),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    children=flows,
    direction=st.sampled_from(["horizontal", "vertical"]),
    aligns=st.tuples(*[st.sampled_from(["start", "center", "end"])] * 2),
    gap=st.integers(0, 20),
    padding=st.integers(0, 15),
    size=st.tuples(st.integers(1, 120), st.integers(1, 90)),
)
def test_layouts_never_draw_outside_a_fixed_box(
    children: list[dict[str, Any]],
    direction: str,
    aligns: tuple[str, str],
    gap: int,
    padding: int,
    size: tuple[int, int],
) -> None:
    fixed = layout(
        children,
        direction=direction,
        horizontal_alignment=aligns[0],
        vertical_alignment=aligns[1],
        gap=gap,
        padding=padding,
        dimensions=box(*size),
        position={"x_in_px": 40, "y_in_px": 30},
    )
    image = pixels(fixed, width=220, height=170)
    drawn = np.argwhere(image[..., 3] > 0)
    if len(drawn):
        (top, left), (bottom, right) = drawn.min(axis=0), drawn.max(axis=0)
        assert left >= 40
        assert top >= 30
        assert right < 40 + size[0]
        assert bottom < 30 + size[1]


def test_layouts_golden(golden: Golden) -> None:
    pill = layout(
        [square("#ffffff", 20, border_radius=10), text("Click **here**", height=24, font_size_in_px=16)],
        gap=8,
        vertical_alignment="center",
        background_color="#0284c7",
        padding=12,
        border_radius=20,
        position={"x_in_px": 20, "y_in_px": 20},
    )
    card = layout(
        [
            text("Card Title", 252, 32, font_size_in_px=24, font_weight="bold", text_color="#1e293b"),
            text("Card description text goes here.", 252, 60, font_size_in_px=14, text_color="#64748b"),
        ],
        direction="vertical",
        gap=12,
        background_color="#ffffff",
        padding=24,
        border_radius=16,
        dimensions=box(300, 200),
        position={"x_in_px": 20, "y_in_px": 90},
    )
    grid = [
        layout(
            [square("#f43f5e", 18), square("#f59e0b", 30), square("#22c55e", 12)],
            gap=6,
            padding=6,
            horizontal_alignment=h,
            vertical_alignment=v,
            dimensions=box(120, 56),
            background_color="#1e293b",
            border_radius=8,
            position={"x_in_px": 340 + 130 * i, "y_in_px": 20 + 66 * j},
        )
        for i, h in enumerate(["start", "center", "end"])
        for j, v in enumerate(["start", "center", "end"])
    ]
    request = {
        "dimensions": box(740, 310),
        "layers": [{"type": "solid-color", "hex_color": "#cbd5e1"}, pill, card, *grid],
    }
    golden("layout-flow", render(request).data)


def test_the_layout_depth_setting_reaches_the_renderer() -> None:
    from handler.settings import Settings  # the edge reads OGEDGE_MAX_LAYOUT_DEPTH; the renderer enforces it

    options = Settings.from_env({"OGEDGE_MAX_LAYOUT_DEPTH": "2"}).render_options(clock=None)
    with pytest.raises(InvalidRequest) as caught:
        render({"dimensions": box(50, 50), "layers": [nested(3)]}, options=options)
    assert caught.value.field == "layers[0].layers[0].layers[0]"
