"""Image layers: radii (a circle for an avatar), the full-canvas overlay, and background removal refused by name."""

from __future__ import annotations

import base64
from io import BytesIO
from typing import Any

import numpy as np
import pytest
from PIL import Image

from handler.errors import body_of, status_of
from renderer import render
from renderer.errors import UnsupportedFeature


def photo(width: int = 300, height: int = 200) -> str:
    ys, xs = np.mgrid[0:height, 0:width]
    pixels = np.stack([xs * 255 // width, ys * 255 // height, np.full_like(xs, 128)], axis=-1).astype(np.uint8)
    out = BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def image_layer(**extra: Any) -> dict[str, Any]:
    return {"type": "image", "file": {"type": "base64", "name": "photo.png", "base64": photo()}, **extra}


def pixels(*layers: dict[str, Any], size: int = 200) -> np.ndarray:
    request = {"dimensions": {"width_in_px": size, "height_in_px": size}, "layers": list(layers)}
    with Image.open(BytesIO(render(request).data)) as decoded:
        return np.asarray(decoded.convert("RGBA"))


def test_a_radius_of_half_the_size_makes_a_round_avatar() -> None:
    avatar = image_layer(
        position={"x_in_px": 20, "y_in_px": 20}, dimensions={"width_in_px": 160, "height_in_px": 160}, border_radius=80
    )
    alpha = pixels(avatar)[..., 3].astype(np.float64) / 255
    assert alpha.sum() == pytest.approx(np.pi * 80**2, rel=0.003)
    assert alpha[100, 100] == 1
    assert alpha[22, 22] == 0
    assert alpha[100, 20] > 0.4  # touching the box's side


def test_one_corner_rounded() -> None:
    alpha = pixels(image_layer(border_bottom_right_radius=60))[..., 3]
    assert alpha[199, 199] == 0
    assert alpha[0, 0] == alpha[0, 199] == alpha[199, 0] == 255


def test_an_overlay_without_a_box_covers_the_canvas() -> None:
    image = pixels(image_layer(type="image-overlay", opacity=100))
    assert (image[..., 3] == 255).all()


def test_background_removal_is_refused_naming_the_field_with_a_422() -> None:
    with pytest.raises(UnsupportedFeature) as caught:
        pixels(image_layer(should_remove_background=True))
    assert caught.value.field == "layers[0].should_remove_background"
    assert status_of(caught.value) == (422, "unsupported")
    assert body_of(caught.value)["field"] == "layers[0].should_remove_background"
