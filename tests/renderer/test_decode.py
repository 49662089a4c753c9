"""Source images of every mode and orientation come out upright in RGB or RGBA; bad ones are named errors."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import numpy as np
import pytest
from PIL import Image

from renderer.decode import decode
from renderer.errors import ImageLoadError

CAP = 40_000_000


def px(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def encoded(image: Image.Image, fmt: str = "PNG", **options: Any) -> bytes:
    out = BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def test_rgba_keeps_alpha() -> None:
    out = decode(encoded(Image.new("RGBA", (8, 6), (10, 20, 30, 40))), CAP, (8, 6), "f")
    assert out.mode == "RGBA"
    assert px(out, (0, 0)) == (10, 20, 30, 40)


def test_palette_with_transparency_becomes_rgba() -> None:
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.info["transparency"] = 1
    out = decode(encoded(image, transparency=1), CAP, (4, 4), "f")
    assert out.mode == "RGBA"
    assert px(out, (0, 0))[3] == 0


@pytest.mark.parametrize(("mode", "value", "rgb"), [("L", 200, (200,) * 3), ("LA", (90, 128), (90,) * 3)])
def test_greyscale(mode: str, value: Any, rgb: tuple[int, ...]) -> None:
    out = decode(encoded(Image.new(mode, (3, 3), value)), CAP, (3, 3), "f")
    assert px(out, (1, 1))[:3] == rgb
    assert out.mode == ("RGBA" if mode == "LA" else "RGB")


def test_cmyk_jpeg_becomes_rgb() -> None:
    out = decode(encoded(Image.new("CMYK", (8, 8), (0, 255, 255, 0)), "JPEG", quality=95), CAP, (8, 8), "f")
    assert out.mode == "RGB"
    r, g, b = px(out, (4, 4))
    assert r > 200
    assert g < 60
    assert b < 60


def test_sixteen_bit_greyscale_is_scaled_not_clipped() -> None:
    array = np.full((4, 4), 32768, dtype=np.uint16)
    source = Image.fromarray(array)
    assert source.mode.startswith("I;16")
    out = decode(encoded(source), CAP, (4, 4), "f")
    assert px(out, (0, 0)) == (128, 128, 128)


# Where the stored top-left corner must appear once the EXIF orientation is applied (the EXIF 2.3 definitions).
UPRIGHT_CORNER = {1: "TL", 2: "TR", 3: "BR", 4: "BL", 5: "TL", 6: "TR", 7: "BR", 8: "BL"}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation: int) -> None:
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 10, 10))  # a red mark in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = decode(encoded(image, "JPEG", exif=exif.tobytes(), quality=95), CAP, (40, 20), "f")
    assert out.size == ((20, 40) if orientation >= 5 else (40, 20))
    right, bottom = out.width - 3, out.height - 3
    corners = {"TL": (2, 2), "TR": (right, 2), "BL": (2, bottom), "BR": (right, bottom)}
    red = [name for name, xy in corners.items() if px(out, xy)[0] > 200]
    assert red == [UPRIGHT_CORNER[orientation]]


def test_only_the_first_frame_of_an_animation() -> None:
    frames = [Image.new("RGB", (5, 5), c) for c in ((255, 0, 0), (0, 255, 0))]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    out = decode(data, CAP, (5, 5), "f")
    assert px(out, (2, 2))[0] > 200


def test_large_jpegs_are_decoded_at_a_reduced_scale_when_shown_small() -> None:
    data = encoded(Image.new("RGB", (2000, 1600), (9, 9, 9)), "JPEG")
    out = decode(data, CAP, (260, 260), "f")
    assert out.width < 2000
    assert out.width >= 260
    assert out.height >= 260


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image",
        encoded(Image.effect_noise((64, 64), 60), "PNG")[:2000],
        encoded(Image.effect_noise((64, 64), 60).convert("RGB"), "JPEG")[:1500],
        b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
    ],
    ids=["empty", "text", "truncated-png", "truncated-jpeg", "bad-header"],
)
def test_broken_data_is_an_image_error(data: bytes) -> None:
    with pytest.raises(ImageLoadError) as caught:
        decode(data, CAP, (10, 10), "layers[4].file")
    assert caught.value.field == "layers[4].file"


def test_too_many_pixels_is_refused_from_the_header() -> None:
    data = encoded(Image.new("L", (3000, 3000)), "PNG")
    with pytest.raises(ImageLoadError, match="more than 1000000 pixels"):
        decode(data, 1_000_000, (10, 10), "f")


def test_float_greyscale_with_nan_and_infinities_is_defined() -> None:
    values = np.array([[np.nan, np.inf], [-np.inf, 0.5]], dtype=np.float32)
    out = decode(encoded(Image.fromarray(values, "F"), "TIFF"), CAP, (2, 2), "f")
    assert [px(out, (x, y))[0] for y in range(2) for x in range(2)] == [0, 255, 0, 128]
