"""Putting a layer's tile on the canvas: opacity, rotation about the tile's centre, clipping, "over" blending."""

from __future__ import annotations

from PIL import Image

from renderer.geometry import Box
from renderer.layers.base import Tile


def with_opacity(image: Image.Image, opacity: float) -> Image.Image:
    """The RGBA ``image`` with its alpha scaled by ``opacity`` percent."""
    if opacity >= 100:
        return image
    factor = opacity / 100
    alpha = image.getchannel("A").point([round(v * factor) for v in range(256)])
    out = image.copy()
    out.putalpha(alpha)
    return out


def rotated(tile: Tile, degrees: float) -> tuple[Image.Image, Box]:
    """The tile turned clockwise by ``degrees`` about its centre, antialiased, in premultiplied alpha so that edges
    do not darken; and its new box, centred where the old one was."""
    image = tile.materialise().convert("RGBa")
    turned = image.rotate(-degrees, resample=Image.Resampling.BICUBIC, expand=True).convert("RGBA")
    cx2 = tile.box.left * 2 + tile.box.width
    cy2 = tile.box.top * 2 + tile.box.height
    left = (cx2 - turned.width) // 2
    top = (cy2 - turned.height) // 2
    return turned, Box(left, top, left + turned.width, top + turned.height)


def composite(canvas: Image.Image, tile: Tile, opacity: float = 100, degrees: float = 0) -> None:
    """Draw ``tile`` over ``canvas`` (RGBA, changed in place)."""
    canvas_box = Box(0, 0, canvas.width, canvas.height)
    if degrees % 360:
        image, box = rotated(tile, degrees)
        tile = Tile(box, image=image)
    visible = tile.box.intersect(canvas_box)
    if visible is None or opacity <= 0:
        return
    if tile.fill is not None:
        r, g, b, a = tile.fill
        alpha = round(a * opacity / 100)
        if alpha >= 255:
            canvas.paste((r, g, b, 255), visible)
        elif alpha > 0:
            size = (visible.width, visible.height)
            canvas.alpha_composite(Image.new("RGBA", size, (r, g, b, alpha)), (visible.left, visible.top))
        return
    image = tile.materialise()
    source = visible.shifted(-tile.box.left, -tile.box.top)
    if image.mode == "RGB" and opacity >= 100:  # opaque pixels replace what is below
        clipped = image if source == (0, 0, image.width, image.height) else image.crop(source)
        canvas.paste(clipped, (visible.left, visible.top))
        return
    image = with_opacity(image.convert("RGBA"), opacity)
    canvas.alpha_composite(image, (visible.left, visible.top), source)
