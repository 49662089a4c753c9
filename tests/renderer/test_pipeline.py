"""render() end to end: the article's card as golden images, determinism, fonts, errors naming the layer."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from renderer import FontLoadError, ImageLoadError, InvalidRequest, RenderedImage, render
from renderer.fonts import bundled

Golden = Callable[[str, bytes], None]
Fetch = Callable[[str], bytes]


def pixels(image: RenderedImage) -> Image.Image:
    """The decoded image in RGB (RGBA when it has transparency), whatever PNG colour type it was written as."""
    with Image.open(BytesIO(image.data)) as opened:
        has_alpha = "A" in opened.mode or "transparency" in opened.info
        return opened.convert("RGBA" if has_alpha else "RGB")


def test_the_article_card_with_photo(seed_request: dict[str, Any], offline: Fetch, golden: Golden) -> None:
    image = render(seed_request, fetch=offline)
    assert (image.width, image.height, image.mime_type) == (1200, 630, "image/png")
    with pixels(image) as decoded:
        assert decoded.size == (1200, 630)
        assert decoded.getpixel((5, 100)) == (26, 26, 46)  # the background
        assert decoded.getpixel((600, 1)) == (233, 69, 96)  # the red bar
    golden("article-photo", image.data)


def test_the_article_card_text_only(seed_request: dict[str, Any], offline: Fetch, golden: Golden) -> None:
    seed_request["layers"].pop()
    golden("article-text", render(seed_request, fetch=offline).data)


def test_unreachable_font_urls_fall_back_to_bundled_inter(seed_request: dict[str, Any], offline: Fetch) -> None:
    image = render(seed_request, fetch=offline)
    assert len(image.warnings) == 2
    assert all("using the bundled Inter" in w for w in image.warnings)
    without_fonts = {**seed_request, "fonts": []}
    assert render(without_fonts).data == image.data


def test_fonts_given_by_url_are_used_when_they_can_be_fetched(seed_request: dict[str, Any]) -> None:
    black = bundled().paths["bundled:inter/Inter-Black.ttf"].read_bytes()
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        fetched.append(url)
        return black

    image = render(seed_request, fetch=fetch)
    assert fetched == [f["file"]["url"] for f in seed_request["fonts"]]
    assert image.warnings == ()
    assert image.data != render({**seed_request, "fonts": []}).data  # drawn with the fetched (black) face


def test_both_dialects_render_the_same_bytes(seed_request: dict[str, Any], offline: Fetch) -> None:
    current = copy.deepcopy(seed_request)
    current["dimensions"] = {"width_in_px": 1200, "height_in_px": 630}
    for layer in current["layers"]:
        layer["type"] = {"solid-color-background": "solid-color", "rectangle": "solid-color"}.get(
            layer["type"], layer["type"]
        )
        layer["type"] = "image" if layer["type"] == "static-image" else layer["type"]
        if "position" in layer:
            layer["position"] = {"x_in_px": layer["position"]["x"], "y_in_px": layer["position"]["y"]}
            size = layer["dimensions"]
            layer["dimensions"] = {"width_in_px": size["width"], "height_in_px": size["height"]}
        if "font_weight" in layer:
            layer["font_weight"] = layer["font_weight"].lower()
    assert render(current, fetch=offline).data == render(seed_request, fetch=offline).data


_PROCESS = textwrap.dedent(
    """
    import hashlib, json, sys
    from renderer import render
    request = json.loads(sys.stdin.read())
    for fmt in ("png", "jpeg", "webp", "avif", "gif", "tiff"):
        print(fmt, hashlib.sha256(render({**request, "output_format": fmt}).data).hexdigest())
    """
)


@pytest.mark.slow
def test_same_request_same_bytes_across_processes(seed_request: dict[str, Any]) -> None:
    request = json.dumps({**seed_request, "fonts": []})
    runs = [
        subprocess.run(
            [sys.executable, "-c", _PROCESS],
            input=request,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2")
    ]
    here = "".join(
        f"{fmt} {hashlib.sha256(render({**json.loads(request), 'output_format': fmt}).data).hexdigest()}\n"
        for fmt in ("png", "jpeg", "webp", "avif", "gif", "tiff")
    )
    assert runs[0] == runs[1] == here
    assert len(set(runs[0].split())) == 12  # six formats, six different digests


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp", "avif", "gif", "tiff"])
def test_each_output_format_has_the_right_size_and_type(seed_request: dict[str, Any], fmt: str) -> None:
    image = render({**seed_request, "fonts": [], "output_format": fmt})
    assert image.mime_type == f"image/{fmt}"
    with pixels(image) as decoded:
        assert decoded.size == (1200, 630)


def test_an_image_url_that_cannot_be_fetched_names_the_layer(seed_request: dict[str, Any], offline: Fetch) -> None:
    seed_request["layers"][4]["file"] = {"type": "url", "url": "https://example.com/alice.jpg"}
    with pytest.raises(ImageLoadError) as caught:
        render(seed_request, fetch=offline)
    assert caught.value.field == "layers[4].file"
    assert "example.com/alice.jpg" in caught.value.message


def test_an_image_that_is_not_an_image_names_the_layer(seed_request: dict[str, Any]) -> None:
    seed_request["layers"][4]["file"]["base64"] = base64.b64encode(b"<html>nope</html>").decode()
    with pytest.raises(ImageLoadError) as caught:
        render({**seed_request, "fonts": []})
    assert caught.value.field == "layers[4].file"


def test_a_custom_font_that_is_not_a_font_names_it(seed_request: dict[str, Any]) -> None:
    seed_request["fonts"] = [{"name": "Broken", "weight": "regular", "buffer": base64.b64encode(b"nope").decode()}]
    with pytest.raises(FontLoadError) as caught:
        render(seed_request)
    assert caught.value.field == "fonts[0]"


def test_a_bad_request_raises_with_field_paths() -> None:
    with pytest.raises(InvalidRequest) as caught:
        render({"dimensions": {"width": 100, "height": 50}, "layers": [{"type": "text", "index": 0}]})
    assert {p.path for p in caught.value.problems} >= {"layers[0].text", "layers[0].font_size_in_px"}


def _card(layers: list[dict[str, Any]], width: int = 400, height: int = 200) -> dict[str, Any]:
    return {"dimensions": {"width_in_px": width, "height_in_px": height}, "layers": layers}


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "text",
        "text": text,
        "font_name": "Inter",
        "font_size_in_px": 40,
        "text_color": "#ffffff",
        "position": {"x_in_px": 20, "y_in_px": 20},
        "dimensions": {"width_in_px": 360, "height_in_px": 160},
        **extra,
    }


BACKGROUND = {"type": "solid-color", "hex_color": "#202040"}


def test_markdown_emphasis_and_alignment(golden: Golden) -> None:
    request = _card(
        [
            BACKGROUND,
            _text(
                "Plain, **bold**, *italic* and ***both***",
                font_size_in_px=30,
                text_align="center",
                vertical_align="center",
            ),
        ]
    )
    golden("text-emphasis-centred", render(request).data)


def test_text_colour_alpha_and_layer_opacity(golden: Golden) -> None:
    request = _card([BACKGROUND, _text("Ghost", text_color="#ff000080", opacity=50, font_weight="black")])
    image = render(request)
    with pixels(image) as decoded:
        reds = [decoded.getpixel((x, y))[0] for x in range(20, 200) for y in range(20, 80)]  # type: ignore[index]
    assert 0x20 < max(reds) < 0x20 + 0xFF // 4 + 12  # a quarter of the way from background to red at most
    golden("text-alpha-opacity", image.data)


def test_layers_are_drawn_in_index_order_not_list_order() -> None:
    red = {"type": "solid-color", "hex_color": "#ff0000", "index": 2}
    blue = {"type": "solid-color", "hex_color": "#0000ff", "index": 1}
    with pixels(render(_card([red, blue]))) as decoded:
        assert decoded.getpixel((10, 10)) == (255, 0, 0)


def test_a_transparent_canvas_stays_transparent() -> None:
    square = {
        "type": "solid-color",
        "hex_color": "#00ff00",
        "position": {"x": 10, "y": 10},
        "dimensions": {"width": 20, "height": 20},
    }
    with pixels(render(_card([square]))) as decoded:
        assert decoded.mode == "RGBA"
        assert decoded.getpixel((0, 0)) == (0, 0, 0, 0)
        assert decoded.getpixel((15, 15)) == (0, 255, 0, 255)


def test_rotated_text_layer(golden: Golden) -> None:
    request = _card([BACKGROUND, _text("Tilted **title**", rotation_in_degrees=-8, text_align="center")])
    golden("text-rotated", render(request).data)


def test_focal_point_moves_the_crop() -> None:
    photo = Image.new("RGB", (300, 100), (0, 0, 255))
    photo.paste((255, 0, 0), (250, 0, 300, 100))
    out = BytesIO()
    photo.save(out, "PNG")
    layer = {
        "type": "image",
        "file": {"type": "base64", "base64": base64.b64encode(out.getvalue()).decode()},
        "position": {"x": 0, "y": 0},
        "dimensions": {"width": 100, "height": 100},
    }
    centred = render(_card([layer], 100, 100))
    focused = render(_card([{**layer, "focal_point": {"x_percent": 95, "y_percent": 50}}], 100, 100))
    with pixels(centred) as a, pixels(focused) as b:
        assert a.getpixel((90, 50)) == (0, 0, 255)
        assert b.getpixel((90, 50)) == (255, 0, 0)


def test_example_request_renders(offline: Fetch) -> None:
    example = json.loads((Path(__file__).resolve().parents[2] / "examples" / "article.json").read_text())
    image = render(example, fetch=offline)
    assert (image.width, image.height) == (1200, 630)
    assert image.warnings == ()
