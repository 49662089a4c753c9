"""Where to crop a photo so that it covers a box: the part to keep, as (left, top, right, bottom) pixels.

Until the saliency model lands this is a centre crop of the largest region with the target's aspect ratio.
"""

from __future__ import annotations

from PIL import Image

from renderer.geometry import cover_crop


def crop_box(image: Image.Image, width: int, height: int) -> tuple[int, int, int, int]:
    """The largest box of aspect ``width:height`` inside ``image``, placed on its subject (for now: centred)."""
    return cover_crop(image.width, image.height, width, height)
