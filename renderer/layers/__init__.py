"""One module per layer kind; ``tile_of`` dispatches on the normalised ``type``.

A kind's module is imported the first time a layer of that kind is drawn, so a text card never loads the QR, barcode,
gradient or SVG code (a shorter cold start)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from renderer.layers.base import Context, Tile
from renderer.model import FlowLayer, Layer

TileFunction = Callable[[Any, Context, str], Tile | None]
_MODULES = {
    "solid-color": "solid",
    "text": "text",
    "image": "image",
    "gradient": "gradient",
    "qr-code": "qr",
    "barcode": "barcode",
    "layout": "layout",
}


def tile_of(layer: Layer | FlowLayer, ctx: Context, path: str) -> Tile | None:
    """The layer's pixels and box, before opacity and rotation (None when it draws nothing)."""
    return _tile_function(layer.type)(layer, ctx, path)


@cache
def _tile_function(kind: str) -> TileFunction:
    module = importlib.import_module(f"renderer.layers.{_MODULES[kind]}")
    if kind == "layout":
        return partial(module.tile, draw_layer=tile_of)  # a layout draws its children through this table
    function: TileFunction = module.tile
    return function
