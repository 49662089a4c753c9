"""``solid-color`` (and the older ``solid-color-background`` / ``rectangle``): a fill, shaped by corner radii and
angled edges where given (see ``renderer.shapes``)."""

from __future__ import annotations

from renderer.layers.base import Context, Tile
from renderer.model import SolidColorLayer


def tile(layer: SolidColorLayer, ctx: Context, path: str) -> Tile:
    box = ctx.box(layer.position, layer.dimensions)
    corners = layer.corners()
    if not any(corners) and not any(cut.angle_in_degrees for cut in layer.angled_edges):
        return Tile(box, fill=layer.hex_color)  # a plain rectangle: numpy and the shape masks are not loaded
    from renderer import shapes  # noqa: PLC0415

    return Tile(box, image=shapes.filled(box.width, box.height, layer.hex_color, corners, layer.angled_edges))
