"""One module per layer kind; ``tile_of`` dispatches on the normalised ``type``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from renderer.layers import image, solid, text
from renderer.layers.base import Context, Tile
from renderer.model import Layer

_TILES: dict[str, Callable[[Any, Context, str], Tile | None]] = {
    "solid-color": solid.tile,
    "text": text.tile,
    "image": image.tile,
}


def tile_of(layer: Layer, ctx: Context, path: str) -> Tile | None:
    """The layer's pixels and box, before opacity and rotation (None when it draws nothing)."""
    return _TILES[layer.type](layer, ctx, path)
