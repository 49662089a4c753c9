"""``barcode``: the modules of ``renderer.symbols.barcode`` drawn crisply: every module the same whole number of
pixels (the largest that fits the box's width with the quiet zones), bars the full height of the box, the symbol
centred and the rest of the box in the background colour. No human-readable text is drawn under the bars."""

from __future__ import annotations

import numpy as np

from renderer import symbols
from renderer.errors import FieldProblem, InvalidRequest
from renderer.layers.base import Context, Tile
from renderer.layers.qr import paint
from renderer.model import BarcodeLayer


def tile(layer: BarcodeLayer, ctx: Context, path: str) -> Tile:
    box = ctx.box(layer.position, layer.dimensions)
    symbol = symbols.barcode(layer.format, layer.value)
    module = box.width // symbol.width
    if module < 1:
        problem = (
            f"this {layer.format} barcode is {symbol.width} modules wide with its quiet zones: "
            f"the box needs at least {symbol.width} px of width"
        )
        raise InvalidRequest([FieldProblem(f"{path}.dimensions", problem)])
    bars = np.array([c == "1" for c in symbol.modules], dtype=bool)
    row = np.pad(bars, (symbol.quiet_left, symbol.quiet_right))[None, :]
    image = paint(row, layer.foreground_hex_color, layer.background_hex_color, box, (module, box.height))
    return Tile(box, image=image)
