"""``image`` (and the older ``static-image`` / ``image-overlay``): a picture cover-fitted into its box."""

from __future__ import annotations

from PIL import Image

from renderer import smartcrop
from renderer.decode import decode
from renderer.errors import ImageLoadError
from renderer.geometry import Box, cover_crop
from renderer.layers.base import Context, Tile
from renderer.model import ImageLayer


def crop_region(layer: ImageLayer, image: Image.Image, box: Box) -> tuple[int, int, int, int]:
    """The part of the source to show: around the focal point if given, else the detected subject if smart
    cropping is on, else the centre."""
    if layer.focal_point is not None:
        focus = (
            layer.focal_point.x_percent / 100 * image.width,
            layer.focal_point.y_percent / 100 * image.height,
        )
        return cover_crop(image.width, image.height, box.width, box.height, focus)
    if layer.should_use_smart_cropping:
        return smartcrop.crop_box(image, box.width, box.height)
    return cover_crop(image.width, image.height, box.width, box.height)


def tile(layer: ImageLayer, ctx: Context, path: str) -> Tile:
    box = ctx.box(layer.position, layer.dimensions)
    field = f"{path}.file"
    image = decode(ctx.load(layer.file, field, ImageLoadError), ctx.max_source_pixels, (box.width, box.height), field)
    region = crop_region(layer, image, box)
    fitted = image.resize((box.width, box.height), Image.Resampling.LANCZOS, box=region, reducing_gap=3.0)
    return Tile(box, image=fitted)
