"""One module per layer kind; ``tile_of`` dispatches on the normalised ``type``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from renderer.layers import barcode, gradient, image, layout, qr, solid, text
from renderer.layers.base import Context, Tile
from renderer.model import FlowLayer, Layer


def tile_of(layer: Layer | FlowLayer, ctx: Context, path: str) -> Tile | None:
    """The layer's pixels and box, before opacity and rotation (None when it draws nothing)."""
    return _TILES[layer.type](layer, ctx, path)


_TILES: dict[str, Callable[[Any, Context, str], Tile | None]] = {
    "solid-color": solid.tile,
    "text": text.tile,
    "image": image.tile,
    "gradient": gradient.tile,
    "qr-code": qr.tile,
    "barcode": barcode.tile,
    "layout": partial(layout.tile, draw_layer=tile_of),  # a layout draws its children through this table
}
