"""SVG sources: drawn by resvg to the box, nothing outside the document read, hostile documents refused by name."""

from __future__ import annotations

import base64
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from renderer import ImageLoadError, render
from renderer.svg import intrinsic_size, parse

Golden = Callable[[str, bytes], None]

SQUARE = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
<rect width="10" height="10" fill="#00f"/><circle cx="5" cy="5" r="4" fill="#f00"/></svg>"""


def svg_layer(document: bytes, width: int = 100, height: int = 100, **extra: Any) -> dict[str, Any]:
    return {
        "type": "image",
        "file": {"type": "base64", "name": "drawing.svg", "base64": base64.b64encode(document).decode()},
        "position": {"x_in_px": 0, "y_in_px": 0},
        "dimensions": {"width_in_px": width, "height_in_px": height},
        **extra,
    }


def pixels(layer: dict[str, Any], width: int = 100, height: int = 100) -> np.ndarray:
    request = {"dimensions": {"width_in_px": width, "height_in_px": height}, "layers": [layer]}
    with Image.open(BytesIO(render(request).data)) as decoded:
        return np.asarray(decoded.convert("RGBA"))


def test_an_svg_is_drawn_sharp_at_the_size_of_its_box() -> None:
    image = pixels(svg_layer(SQUARE, 400, 400), 400, 400)
    assert tuple(image[200, 200]) == (255, 0, 0, 255)
    assert tuple(image[5, 5]) == (0, 0, 255, 255)
    edge = image[200, 30:50, 0]  # the circle's edge at x = 40: antialiased over a pixel or two, not blurred
    assert ((edge > 20) & (edge < 235)).sum() <= 2


def test_an_svg_is_cover_fitted_like_a_photo() -> None:
    wide = b"""<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100">
<rect width="100" height="100" fill="#f00"/><rect x="100" width="100" height="100" fill="#0f0"/>
<rect x="200" width="100" height="100" fill="#00f"/></svg>"""
    image = pixels(svg_layer(wide, 100, 100))
    assert tuple(image[50, 50, :3]) == (0, 255, 0)  # the middle third, scaled to the box's height
    focused = pixels(svg_layer(wide, 100, 100, focal_point={"x_percent": 95, "y_percent": 50}))
    assert tuple(focused[50, 50, :3]) == (0, 0, 255)


def test_svg_corners_can_be_rounded() -> None:
    image = pixels(svg_layer(SQUARE, border_radius=50))
    assert image[0, 0, 3] == 0
    assert image[50, 50, 3] == 255


def test_nothing_outside_the_document_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    Image.new("RGB", (10, 10), (0, 255, 0)).save(secret)
    document = f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
        viewBox="0 0 10 10"><rect width="10" height="10" fill="#fff"/>
        <image href="{secret}" width="10" height="10"/>
        <image xlink:href="file://{secret}" width="10" height="10"/>
        <image href="https://example.com/pixel.png" width="10" height="10"/></svg>""".encode()
    image = pixels(svg_layer(document))
    assert not (image[..., :3] == (0, 255, 0)).all(axis=-1).any()
    assert all(
        not any(name.endswith("href") for name in element.attrib)
        for element in parse(document, "f").iter()
        if element.tag.endswith("image")
    )


def test_inline_raster_images_are_kept() -> None:
    png = BytesIO()
    Image.new("RGB", (4, 4), (0, 255, 0)).save(png, "PNG")
    inline = base64.b64encode(png.getvalue()).decode()
    document = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">
        <image href="data:image/png;base64,{inline}" width="10" height="10"/></svg>""".encode()
    assert tuple(pixels(svg_layer(document))[50, 50, :3]) == (0, 255, 0)


def test_text_in_an_svg_is_drawn_with_the_bundled_font() -> None:
    document = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40">
        <text x="5" y="30" font-family="Helvetica" font-size="28" fill="#000">Hi</text></svg>"""
    image = pixels(svg_layer(document, 100, 40), 100, 40)
    assert (image[..., 3] > 128).sum() > 100


LOL = "".join(f'<!ENTITY l{i + 1} "' + f"&l{i};" * 10 + '">' for i in range(8))
HOSTILE = {
    "entity bomb": f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY l0 "lol">{LOL}]>'
    '<svg xmlns="http://www.w3.org/2000/svg"><text>&l8;</text></svg>',
    "external entity": '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "use bomb": '<svg xmlns="http://www.w3.org/2000/svg"><g id="a0"><rect width="1" height="1"/></g>'
    + "".join(f'<g id="a{i}">' + f'<use href="#a{i - 1}"/>' * 10 + "</g>" for i in range(1, 9))
    + "</svg>",
    "use cycle": '<svg xmlns="http://www.w3.org/2000/svg">'
    '<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>',
    "deep nesting": '<svg xmlns="http://www.w3.org/2000/svg">' + "<g>" * 3000 + "</g>" * 3000 + "</svg>",
    "not svg": '<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>',
    "broken": '<svg xmlns="http://www.w3.org/2000/svg"><rect',
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_documents_are_refused_naming_the_file(name: str) -> None:
    with pytest.raises(ImageLoadError) as caught:
        pixels(svg_layer(HOSTILE[name].encode()))
    assert caught.value.field == "layers[0].file"


@pytest.mark.parametrize(
    ("attributes", "size"),
    [
        ('width="200" height="100"', (200, 100)),
        ('width="2in" height="1in"', (192, 96)),
        ('viewBox="0 0 40 20"', (40, 20)),
        ('width="400" viewBox="0 0 40 20"', (400, 200)),
        ('width="100%" height="100%" viewBox="0 0 30 10"', (30, 10)),
        ("", (300, 150)),
    ],
)
def test_intrinsic_sizes(attributes: str, size: tuple[float, float]) -> None:
    root = parse(f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}/>'.encode(), "f")
    assert intrinsic_size(root) == pytest.approx(size)


def test_svg_golden(golden: Golden) -> None:
    document = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 80">
      <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="#1e3a8a"/><stop offset="1" stop-color="#f472b6"/></linearGradient></defs>
      <rect width="120" height="80" fill="url(#sky)"/>
      <circle cx="88" cy="30" r="14" fill="#fde047"/>
      <path d="M0 80 L30 45 L55 70 L80 40 L120 80 Z" fill="#0f172a"/>
      <text x="8" y="20" font-size="12" font-weight="700" fill="#fff">ogedge</text></svg>"""
    request = {
        "dimensions": {"width_in_px": 600, "height_in_px": 320},
        "layers": [
            {"type": "solid-color", "hex_color": "#e2e8f0"},
            svg_layer(document, 360, 240, position={"x_in_px": 20, "y_in_px": 40}, border_radius=24),
            svg_layer(
                SQUARE, 160, 160, position={"x_in_px": 410, "y_in_px": 80}, border_radius=80, rotation_in_degrees=15
            ),
        ],
    }
    golden("image-svg-radii", render(request).data)
