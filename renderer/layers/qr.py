"""``qr-code``: the symbol of ``renderer.symbols.qr_matrix`` with a quiet zone of four modules, drawn crisply: each
module is the same whole number of pixels (the largest that fits the box), the symbol centred, and the rest of the
box in the background colour."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image

from renderer import symbols
from renderer.errors import FieldProblem, InvalidRequest
from renderer.geometry import Box
from renderer.layers.base import Context, Tile
from renderer.model import RGBA, QrCodeLayer

Grid = npt.NDArray[np.bool_]


def paint(dark: Grid, foreground: RGBA, background: RGBA, box: Box, scale: tuple[int, int]) -> Image.Image:
    """``dark`` (a boolean module grid) scaled by whole pixels (``scale`` = x, y per module) and centred in a
    box-sized image of ``background``: module edges on pixel edges, no resampling."""
    pixels = np.empty((box.height, box.width, 4), dtype=np.uint8)
    pixels[:] = background
    grid = dark.repeat(scale[1], axis=0).repeat(scale[0], axis=1)
    top, left = (box.height - grid.shape[0]) // 2, (box.width - grid.shape[1]) // 2
    pixels[top : top + grid.shape[0], left : left + grid.shape[1]][grid] = foreground
    return Image.fromarray(pixels, "RGBA")


def tile(layer: QrCodeLayer, ctx: Context, path: str) -> Tile:
    box = ctx.box(layer.position, layer.dimensions)
    matrix = np.array([list(row) for row in symbols.qr_matrix(layer.value)], dtype=bool)
    dark = np.pad(matrix, symbols.QR_QUIET_ZONE)
    module = min(box.width, box.height) // dark.shape[0]
    if module < 1:
        side = dark.shape[0]
        problem = f"this QR code is {side} modules wide with its quiet zone: the box needs at least {side} px a side"
        raise InvalidRequest([FieldProblem(f"{path}.dimensions", problem)])
    return Tile(box, image=paint(dark, layer.foreground_hex_color, layer.background_hex_color, box, (module, module)))
