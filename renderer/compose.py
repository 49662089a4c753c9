"""Putting a layer's tile on the canvas: opacity, rotation about the tile's centre, clipping, "over" blending."""

from __future__ import annotations

import math

from PIL import Image

from renderer.geometry import Box
from renderer.layers.base import Tile


def scaled_mask(mask: Image.Image, opacity: float) -> Image.Image:
    """The coverage (or alpha) ``mask`` scaled by ``opacity`` percent."""
    return mask if opacity >= 100 else mask.point([round(v * opacity / 100) for v in range(256)])


def with_opacity(image: Image.Image, opacity: float) -> Image.Image:
    """The RGBA ``image`` with its alpha scaled by ``opacity`` percent."""
    if opacity >= 100:
        return image
    out = image.copy()
    out.putalpha(scaled_mask(image.getchannel("A"), opacity))
    return out


_QUARTER_TURNS = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
_FRINGE = 2  # transparent px around a tile before it is turned, for the bicubic filter's soft edge


def _with_parity(size: float, like: int) -> int:
    """The whole number of pixels at least ``size`` with the parity of ``like`` (so both share a centre exactly)."""
    whole = math.ceil(size - 1e-9)
    return whole + (whole - like) % 2


def _turn(image: Image.Image, degrees: float) -> Image.Image:
    """``image`` (premultiplied) turned clockwise about its centre into a canvas around the same centre."""
    # A transparent margin first: Pillow only samples inside the source, so without it the edges come out hard.
    padded = Image.new(image.mode, (image.width + 2 * _FRINGE, image.height + 2 * _FRINGE))
    padded.paste(image, (_FRINGE, _FRINGE))
    theta = math.radians(degrees)
    cos, sin = math.cos(theta), math.sin(theta)
    w, h = padded.size
    out_w = _with_parity(abs(w * cos) + abs(h * sin), w)
    out_h = _with_parity(abs(w * sin) + abs(h * cos), h)
    # output -> input: turn back by -degrees about the output's centre, land on the input's centre
    cx, cy, ox, oy = w / 2, h / 2, out_w / 2, out_h / 2
    matrix = (cos, sin, cx - cos * ox - sin * oy, -sin, cos, cy + sin * ox - cos * oy)
    return padded.transform((out_w, out_h), Image.Transform.AFFINE, matrix, resample=Image.Resampling.BICUBIC)


def rotated(tile: Tile, degrees: float) -> tuple[Image.Image, Box]:
    """The tile turned clockwise by ``degrees`` about its centre, and its new box around the same centre.
    Quarter turns are exact (pixels moved, not resampled; the box may sit half a pixel off when width and height
    differ in parity); other angles are antialiased by bicubic resampling in premultiplied alpha, so that edges do
    not darken, in a box of the old one's parity, so the centre stays exactly where it was."""
    turns = degrees % 360
    if turns in _QUARTER_TURNS:
        turned = tile.materialise().transpose(_QUARTER_TURNS[int(turns)])
    else:
        turned = _turn(tile.materialise().convert("RGBa"), turns).convert("RGBA")
    left = (tile.box.left * 2 + tile.box.width - turned.width) // 2
    top = (tile.box.top * 2 + tile.box.height - turned.height) // 2
    return turned, Box(left, top, left + turned.width, top + turned.height)


def covers_opaquely(size: tuple[int, int], tile: Tile, opacity: float, degrees: float) -> bool:
    """Whether drawing ``tile`` leaves every pixel of a canvas of ``size`` opaque (an opaque fill over all of it)."""
    whole = tile.box.left <= 0 and tile.box.top <= 0 and tile.box.right >= size[0]
    whole = whole and tile.box.bottom >= size[1]
    opaque_fill = tile.fill is not None and tile.fill[3] == 255 and tile.mask is None
    return whole and opaque_fill and opacity >= 100 and not degrees % 360


def composite(
    canvas: Image.Image, tile: Tile, opacity: float = 100, degrees: float = 0, opaque_below: bool = False
) -> None:
    """Draw ``tile`` over ``canvas`` (RGBA, changed in place). ``opaque_below``: every canvas pixel is opaque, so
    a colour through a mask is drawn by a masked paste (the same result as "over", without an RGBA tile)."""
    if opaque_below and tile.mask is not None and tile.fill is not None and not degrees % 360:
        canvas.paste((*tile.fill[:3], 255), (tile.box.left, tile.box.top), scaled_mask(tile.mask, opacity))
        return
    canvas_box = Box(0, 0, canvas.width, canvas.height)
    if degrees % 360:
        image, box = rotated(tile, degrees)
        tile = Tile(box, image=image)
    visible = tile.box.intersect(canvas_box)
    if visible is None or opacity <= 0:
        return
    if tile.fill is not None and tile.mask is None:
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
