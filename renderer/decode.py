"""Source images from strangers -> RGB or RGBA pixels: size cap before decoding, first frame, EXIF orientation,
every mode (palette with transparency, LA, CMYK, 16-bit and float greyscale), and JPEG DCT downscaling when the
picture will be shown much smaller than it is stored."""

from __future__ import annotations

import math
from io import BytesIO

from PIL import Image, ImageOps

from renderer.errors import ImageLoadError
from renderer.geometry import cover_scale

_ORIENTATION = 0x0112
_SWAPS_AXES = {5, 6, 7, 8}
_HIGH_DEPTH = {"I;16", "I;16B", "I;16L", "I;16N", "I", "F"}


def _open(data: bytes, max_pixels: int, field: str) -> Image.Image:
    try:
        image = Image.open(BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageLoadError(f"the image has more than {max_pixels} pixels", field) from None
    except Exception as exc:  # Pillow raises many kinds for data it cannot identify
        raise ImageLoadError(f"not an image that can be read ({type(exc).__name__})", field) from None
    width, height = image.size
    if width * height > max_pixels:
        raise ImageLoadError(f"the image is {width}x{height}, more than {max_pixels} pixels", field)
    return image


def _draft(image: Image.Image, target: tuple[int, int]) -> None:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 scale where the result still covers ``target``."""
    if image.format != "JPEG":
        return
    width, height = target
    if image.getexif().get(_ORIENTATION) in _SWAPS_AXES:
        width, height = height, width
    scale = cover_scale(image.width, image.height, width, height)
    if scale < 0.5:
        image.draft(image.mode, (math.ceil(image.width * scale), math.ceil(image.height * scale)))


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit and float greyscale scaled into 8 bits (Pillow's own conversion clips instead of scaling), with at most
    a few bytes of working memory per pixel."""
    import numpy as np  # noqa: PLC0415 - only 16-bit sources pay numpy's import time

    if image.mode == "F":  # float data in 0..1, or already in 0..255
        values = np.array(image, dtype=np.float32)
        if np.max(values, where=np.isfinite(values), initial=0.0) <= 1.0:  # the scale, from the finite values
            values *= 255.0
        np.nan_to_num(values, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
        np.clip(values, 0, 255, out=values)
        eight = np.rint(values, out=values).astype(np.uint8)
    else:  # 16-bit samples (I;16*), or 32-bit ints holding them (I)
        wide = np.asarray(image)
        if wide.dtype.itemsize > 2:
            wide = np.clip(wide, 0, 65535).astype(np.uint16)
        eight = (wide.astype(np.uint16, copy=False) >> 8).astype(np.uint8)
    return Image.fromarray(eight, "L")


def _normal_mode(image: Image.Image) -> Image.Image:
    if image.mode in _HIGH_DEPTH:
        image = _eight_bit(image)
    if image.mode in ("RGB", "RGBA"):
        return image
    has_alpha = image.mode in ("LA", "La", "RGBa", "PA") or "transparency" in image.info
    if image.mode not in ("L", "1", "P", "PA", "LA", "La", "RGBa", "RGBX"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    return image.convert("RGBA" if has_alpha else "RGB")


def decode(data: bytes, max_pixels: int, target: tuple[int, int], field: str) -> Image.Image:
    """The first frame of ``data``, upright, in RGB or RGBA, at least large enough to cover ``target``."""
    image = _open(data, max_pixels, field)
    try:
        _draft(image, target)
        image.load()
        image = ImageOps.exif_transpose(image)
        return _normal_mode(image)
    except Exception as exc:  # truncated or corrupt data fails here, in whichever way the codec reports it
        raise ImageLoadError(f"the image could not be decoded ({type(exc).__name__}: {exc})", field) from None
