from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from renderer.encode import MIME_TYPES, encode


def canvas(alpha: int = 255) -> Image.Image:
    image = Image.new("RGBA", (120, 63), (26, 26, 46, alpha))
    image.paste((233, 69, 96, 255), (0, 0, 120, 4))
    return image


@pytest.mark.parametrize("fmt", list(MIME_TYPES))
def test_each_format_decodes_to_the_right_size(fmt: str) -> None:
    data = encode(canvas(), fmt)
    with Image.open(BytesIO(data)) as image:
        assert image.format == {"jpeg": "JPEG", "tiff": "TIFF"}.get(fmt, fmt.upper())
        assert image.size == (120, 63)


@pytest.mark.parametrize("fmt", list(MIME_TYPES))
def test_same_canvas_same_bytes(fmt: str) -> None:
    assert encode(canvas(), fmt) == encode(canvas(), fmt)


def test_opaque_canvas_is_written_without_alpha_and_transparent_with_it() -> None:
    with Image.open(BytesIO(encode(canvas(), "png"))) as image:
        assert image.mode == "P"  # two colours: a palette PNG
        assert "transparency" not in image.info
    with Image.open(BytesIO(encode(canvas(alpha=0), "png"))) as image:
        assert image.mode == "RGBA"


def test_few_colours_make_a_lossless_palette_png_and_many_an_rgb_one() -> None:
    few = canvas()
    for i in range(254):  # 256 colours in all
        few.putpixel((i % 120, 10 + i // 120), (i, 255 - i, 7, 255))
    with Image.open(BytesIO(encode(few, "png"))) as image:
        assert image.mode == "P"
        assert image.convert("RGBA").tobytes() == few.tobytes()
    many = few.copy()
    many.putpixel((5, 40), (1, 2, 3, 255))  # the 257th colour
    with Image.open(BytesIO(encode(many, "png"))) as image:
        assert image.mode == "RGB"
        assert image.convert("RGBA").tobytes() == many.tobytes()


def test_a_palette_png_is_deterministic_and_valid() -> None:
    data = encode(canvas(), "png")
    assert data == encode(canvas(), "png")
    with Image.open(BytesIO(data)) as image:
        image.verify()  # chunk CRCs and structure


def test_jpeg_flattens_transparency_onto_white() -> None:
    with Image.open(BytesIO(encode(Image.new("RGBA", (8, 8), (0, 0, 0, 0)), "jpeg"))) as image:
        assert image.getpixel((4, 4)) == (255, 255, 255)


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_no_metadata(fmt: str) -> None:
    with Image.open(BytesIO(encode(canvas(), fmt))) as image:
        assert not image.getexif()
        assert "icc_profile" not in image.info
        assert not {
            k
            for k in image.info
            if k
            not in {
                "dpi",
                "jfif",
                "jfif_version",
                "jfif_unit",
                "jfif_density",
                "loop",
                "background",
                "duration",
                "timestamp",
            }
        }
