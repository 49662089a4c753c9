"""The finished canvas -> bytes, per format, with fixed settings and no metadata, so equal canvases give equal bytes.

A canvas with no transparent pixel is written without an alpha channel (smaller, and what viewers expect);
formats without alpha (JPEG) get transparent areas flattened onto white. An opaque PNG is written by
``renderer.png``: with at most 256 colours (a text card: text coverage is drawn in 64 levels) as a palette PNG,
losslessly, one byte per pixel; else as an RGB PNG filtered with numpy. Both are compressed by libdeflate (the
``deflate`` package: a third of zlib's time at a smaller size).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from PIL import Image

from renderer import png
from renderer.errors import EncodeError

MIME_TYPES = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "avif": "image/avif",
    "gif": "image/gif",
    "tiff": "image/tiff",
}
_SETTINGS: dict[str, dict[str, Any]] = {
    "png": {"format": "PNG", "compress_level": 6},
    "jpeg": {"format": "JPEG", "quality": 90, "subsampling": 0, "optimize": True},
    "webp": {"format": "WEBP", "quality": 90, "method": 4},
    "avif": {"format": "AVIF", "quality": 80, "speed": 6, "max_threads": 1},
    "gif": {"format": "GIF", "optimize": False},
    "tiff": {"format": "TIFF", "compression": "tiff_adobe_deflate"},
}
_NO_ALPHA = {"jpeg"}
WHITE = (255, 255, 255)


def is_opaque(image: Image.Image) -> bool:
    return image.mode != "RGBA" or image.getchannel("A").getextrema()[0] == 255


def prepared(canvas: Image.Image, fmt: str) -> Image.Image:
    """The canvas in the mode the format is written in."""
    if canvas.mode == "RGB" or is_opaque(canvas):
        return canvas.convert("RGB")
    if fmt in _NO_ALPHA:
        flat = Image.new("RGB", canvas.size, WHITE)
        flat.paste(canvas, mask=canvas.getchannel("A"))
        return flat
    return canvas


_BAND = 64  # rows mapped to palette indices at a time


def palette_png(image: Image.Image) -> bytes | None:
    """An opaque RGB(A) image with at most 256 colours as an 8-bit palette PNG, or None when it has more colours.
    The palette is in order of colour value, so equal images give equal bytes; pixels are looked up among the sorted
    colours with numpy, in bands of rows."""
    colours = image.getcolors(256)
    if colours is None:
        return None
    # Each colour as one little-endian number R | G << 8 | B << 16 | 255 << 24 (how RGBX pixels read as uint32).
    keys = sorted({c[0] | (c[1] << 8) | (c[2] << 16) | 0xFF000000 for _, c in colours})  # type: ignore[index]
    indices = Image.frombytes("L", image.size, _indices(image, keys))
    return png.palette_png(indices, [(key & 0xFF, (key >> 8) & 0xFF, (key >> 16) & 0xFF) for key in keys])


def _indices(image: Image.Image, keys: list[int]) -> bytes:
    """Each pixel's place among the sorted ``keys`` (every pixel's colour is one of them), in bands of rows so the
    temporary arrays stay small (a lookup table over all 24-bit colours is not faster enough to pay its memory)."""
    import numpy as np  # noqa: PLC0415

    table = np.array(keys, dtype=np.uint32)
    rgbx = image if image.mode == "RGBA" else image.convert("RGBX")  # an opaque RGBA canvas is RGBX already
    out = np.empty((image.height, image.width), dtype=np.uint8)
    for top in range(0, image.height, _BAND):
        band = rgbx.crop((0, top, image.width, min(top + _BAND, image.height)))
        packed = np.frombuffer(band.tobytes(), dtype="<u4").reshape(band.height, band.width)
        out[top : top + band.height] = np.searchsorted(table, packed)
    return out.tobytes()


def encode(canvas: Image.Image, fmt: str, opaque: bool | None = None) -> bytes:
    """``canvas`` (RGBA) written as ``fmt`` (one of ``MIME_TYPES``). ``opaque``: known to have no transparent pixel
    (None: look)."""
    opaque = is_opaque(canvas) if opaque is None else opaque
    if opaque:
        canvas = canvas if fmt == "png" else canvas.convert("RGB")
    if fmt == "png" and opaque:
        return palette_png(canvas) or png.rgb_png(canvas)
    out = BytesIO()
    try:
        prepared(canvas, fmt).save(out, **_SETTINGS[fmt])
    except (OSError, ValueError, KeyError) as exc:
        raise EncodeError(f"could not encode the image as {fmt}: {exc}", "output_format") from exc
    return out.getvalue()
