"""``image`` (and the older ``static-image`` / ``image-overlay``): a picture (or an SVG drawing) cover-fitted into its
box, its corners rounded where radii are given."""

from __future__ import annotations

from PIL import Image

from renderer import shapes, smartcrop, svg
from renderer.decode import decode
from renderer.errors import ImageLoadError, UnsupportedFeature
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


def source(layer: ImageLayer, ctx: Context, path: str, box: Box) -> Image.Image:
    """The picture's pixels, at least large enough to cover ``box``: a decoded photo, or an SVG drawn to size."""
    field = f"{path}.file"
    data = ctx.load(layer.file, field, ImageLoadError)
    if svg.is_svg(data):
        return svg.load(data, (box.width, box.height), field)
    return decode(data, ctx.max_source_pixels, (box.width, box.height), field)


def tile(layer: ImageLayer, ctx: Context, path: str) -> Tile:
    if layer.should_remove_background:
        raise UnsupportedFeature(
            "background removal is not available: ogedge bundles no segmentation model (send a cut-out PNG instead)",
            f"{path}.should_remove_background",
        )
    box = ctx.box(layer.position, layer.dimensions)
    image = source(layer, ctx, path, box)
    region = crop_region(layer, image, box)
    fitted = image.resize((box.width, box.height), Image.Resampling.LANCZOS, box=region, reducing_gap=3.0)
    corners = layer.corners()
    return Tile(box, image=fitted if shapes.is_plain(corners) else shapes.clip(fitted, corners))
