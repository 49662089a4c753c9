"""The finished canvas -> bytes, per format, with fixed settings and no metadata, so equal canvases give equal bytes.

A canvas with no transparent pixel is written without an alpha channel (smaller, and what viewers expect);
formats without alpha (JPEG) get transparent areas flattened onto white.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from PIL import Image

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
    if is_opaque(canvas):
        return canvas.convert("RGB")
    if fmt in _NO_ALPHA:
        flat = Image.new("RGB", canvas.size, WHITE)
        flat.paste(canvas, mask=canvas.getchannel("A"))
        return flat
    return canvas


def encode(canvas: Image.Image, fmt: str) -> bytes:
    """``canvas`` (RGBA) written as ``fmt`` (one of ``MIME_TYPES``)."""
    out = BytesIO()
    try:
        prepared(canvas, fmt).save(out, **_SETTINGS[fmt])
    except (OSError, ValueError, KeyError) as exc:
        raise EncodeError(f"could not encode the image as {fmt}: {exc}", "output_format") from exc
    return out.getvalue()
