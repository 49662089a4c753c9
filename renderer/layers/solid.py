"""``solid-color`` (and the older ``solid-color-background`` / ``rectangle``): a uniform fill."""

from __future__ import annotations

from renderer.layers.base import Context, Tile
from renderer.model import SolidColorLayer


def tile(layer: SolidColorLayer, ctx: Context, path: str) -> Tile:
    return Tile(ctx.box(layer.position, layer.dimensions), fill=layer.hex_color)
