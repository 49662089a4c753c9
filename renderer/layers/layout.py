"""``layout``: children in a row (``horizontal``) or a column (``vertical``), placed by the layout.

Sizes (``measure``, no pixels):
- a child's size is its ``dimensions``; a text child's ``"auto"`` side is the size of its laid-out text, its width
  at most the room the layout has left along a row (or its whole width in a column), so long text wraps there;
- a nested layout without ``dimensions`` is measured the same way, inside the room of its parent;
- a layout without ``dimensions`` is its content plus its padding, at most the room it has (the canvas from its
  position on, or its parent's content box): content beyond that is clipped, as in a fixed box;
- fixed ``dimensions`` include the padding; content larger than the box is clipped at it, smaller content is placed
  by the alignments and the rest is left transparent (or background).

Places (``arrange``, no pixels): along the main axis the children follow in ``index`` order, ``gap`` apart, the run
at the start, centre or end of the content box (``horizontal_alignment`` for a row, ``vertical_alignment`` for a
column); across it each child is placed by the other alignment. A child's own ``position`` is not used; its
rotation turns it about its centre after it is placed (the flow keeps its unturned box), and its opacity applies.

Pixels (``draw``): ``background_layers`` drawn as on a canvas the size of the layout (omitted dimensions cover it),
else ``background_color``; then the children; the radii clip background and children alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from PIL import Image

from renderer import shapes
from renderer.compose import composite
from renderer.geometry import Box
from renderer.layers.base import Context, Tile
from renderer.layers.text import natural_size
from renderer.model import FlowLayer, FlowTextLayer, LayerBase, LayoutLayer, Point, Size

DrawLayer = Callable[[Any, Context, str], Tile | None]
Align = Literal["start", "center", "end"]


@dataclass(frozen=True)
class Placed:
    """A child, its path in the request and its box inside the layout; ``plan`` for a nested layout."""

    layer: FlowLayer
    path: str
    box: Box
    plan: Plan | None = None


@dataclass(frozen=True)
class Plan:
    """A measured layout: its size and its children's places."""

    layer: LayoutLayer
    path: str
    width: int
    height: int
    children: tuple[Placed, ...]


# --- arithmetic --------------------------------------------------------------------------------------------------


def _share(spare: float, align: Align) -> float:
    return {"start": 0.0, "center": spare / 2, "end": spare}[align]


def offsets(sizes: Sequence[int], gap: float, room: float, align: Align) -> list[float]:
    """Where each item starts along the main axis: one after another, ``gap`` apart, the run aligned in ``room``."""
    run = sum(sizes) + gap * max(0, len(sizes) - 1)
    start = _share(room - run, align)
    out = []
    for size in sizes:
        out.append(start)
        start += size + gap
    return out


def arrange(layer: LayoutLayer, sizes: Sequence[tuple[int, int]], content: Box) -> list[Box]:
    """Each child's box inside the layout, for children of ``sizes`` (in flow order) in the ``content`` box."""
    row = layer.direction == "horizontal"
    main_align, cross_align = (
        (layer.horizontal_alignment, layer.vertical_alignment)
        if row
        else (layer.vertical_alignment, layer.horizontal_alignment)
    )
    mains = [width if row else height for width, height in sizes]
    starts = offsets(mains, layer.gap, content.width if row else content.height, main_align)
    boxes = []
    for (width, height), start in zip(sizes, starts, strict=True):
        if row:
            x, y = start, _share(content.height - height, cross_align)
        else:
            x, y = _share(content.width - width, cross_align), start
        boxes.append(Box.of(content.left + x, content.top + y, width, height))
    return boxes


def _content_box(layer: LayoutLayer, width: int, height: int) -> Box:
    top, right, bottom, left = (round(side) for side in layer.paddings())
    return Box(left, top, max(left, width - right), max(top, height - bottom))


# --- measuring ---------------------------------------------------------------------------------------------------


def _text_size(child: FlowTextLayer, ctx: Context, path: str, max_width: int) -> tuple[int, int]:
    """A text child's size: its fixed sides, its ``"auto"`` ones shrink-wrapped (height at most the canvas's)."""
    width, height = child.dimensions.width_in_px, child.dimensions.height_in_px
    if width != "auto" and height != "auto":
        return width, height
    natural_w, natural_h = natural_size(child, ctx, path, max_width if width == "auto" else width)
    resolved_w = min(natural_w, max_width) if width == "auto" else width
    resolved_h = min(natural_h, ctx.height) if height == "auto" else height
    return resolved_w, resolved_h


def _on_its_own(child: FlowLayer, ctx: Context, path: str, inner: tuple[int, int]) -> Placed | None:
    """A child sized without regard to its siblings (at the origin), or None for a text of ``"auto"`` width."""
    if isinstance(child, LayoutLayer):
        plan = measure(child, ctx, path, inner)
        return Placed(child, path, Box(0, 0, plan.width, plan.height), plan)
    if isinstance(child, FlowTextLayer):
        if child.dimensions.width_in_px == "auto":
            return None
        return Placed(child, path, Box(0, 0, *_text_size(child, ctx, path, inner[0])))
    return Placed(child, path, Box(0, 0, child.dimensions.width_in_px, child.dimensions.height_in_px))


def _sizes(layer: LayoutLayer, ctx: Context, paths: list[str], inner: tuple[int, int]) -> list[Placed]:
    """The children (in flow order) with their sizes: fixed ones and nested layouts first, then the texts of
    ``"auto"`` width, each given what is left of the row (or the column's whole width)."""
    children = layer.flow()
    placed = [_on_its_own(child, ctx, path, inner) for child, path in zip(children, paths, strict=True)]
    taken = sum(p.box.width for p in placed if p is not None) + round(layer.gap * max(0, len(children) - 1))
    left = inner[0] - taken
    for k, child in enumerate(children):
        if placed[k] is None and isinstance(child, FlowTextLayer):
            room = max(1, left) if layer.direction == "horizontal" else inner[0]
            sized = Placed(child, paths[k], Box(0, 0, *_text_size(child, ctx, paths[k], room)))
            placed[k] = sized
            left -= sized.box.width
    return [p for p in placed if p is not None]


def _fitted(layer: LayoutLayer, children: list[Placed], most: tuple[int, int]) -> tuple[int, int]:
    """The size of a layout without dimensions: its content and padding, at most ``most``."""
    top, right, bottom, left = layer.paddings()
    row = layer.direction == "horizontal"
    mains = [p.box.width if row else p.box.height for p in children]
    crosses = [p.box.height if row else p.box.width for p in children]
    run, across = sum(mains) + layer.gap * (len(mains) - 1), max(crosses)
    width, height = (run, across) if row else (across, run)
    return max(1, min(most[0], round(width + left + right))), max(1, min(most[1], round(height + top + bottom)))


def measure(layer: LayoutLayer, ctx: Context, path: str, room: tuple[int, int]) -> Plan:
    """The layout's size and its children's boxes, given the ``room`` it may take when it has no dimensions."""
    top, right, bottom, left = layer.paddings()
    if layer.dimensions is not None:
        outer = (layer.dimensions.width_in_px, layer.dimensions.height_in_px)
    else:
        outer = (min(room[0], ctx.width), min(room[1], ctx.height))
    inner = (max(1, round(outer[0] - left - right)), max(1, round(outer[1] - top - bottom)))
    indexes = {id(child): i for i, child in enumerate(layer.layers)}
    paths = [f"{path}.layers[{indexes[id(child)]}]" for child in layer.flow()]
    children = _sizes(layer, ctx, paths, inner)
    if layer.dimensions is None:
        outer = _fitted(layer, children, outer)
    boxes = arrange(layer, [(p.box.width, p.box.height) for p in children], _content_box(layer, *outer))
    placed = tuple(replace(p, box=box) for p, box in zip(children, boxes, strict=True))
    return Plan(layer, path, outer[0], outer[1], placed)


# --- drawing -----------------------------------------------------------------------------------------------------


def _put(surface: Image.Image, tile: Tile | None, layer: LayerBase) -> None:
    if tile is not None:
        composite(surface, tile, layer.opacity, layer.rotation_in_degrees)


def _positioned(placed: Placed) -> Any:
    """The child as a positioned layer at its place (for the layer kinds' own drawing)."""
    box = placed.box
    where = {"position": Point(x_in_px=box.left, y_in_px=box.top)}
    return placed.layer.model_copy(update={**where, "dimensions": Size(width_in_px=box.width, height_in_px=box.height)})


def draw(plan: Plan, ctx: Context, draw_layer: DrawLayer) -> Image.Image:
    """The layout's pixels: background, children, radii."""
    layer = plan.layer
    plain = layer.background_color if layer.background_color and not layer.background_layers else (0, 0, 0, 0)
    surface = Image.new("RGBA", (plan.width, plan.height), plain)
    inside = replace(ctx, width=plan.width, height=plan.height)
    for i, background in sorted(enumerate(layer.background_layers), key=lambda pair: pair[1].index):
        _put(surface, draw_layer(background, inside, f"{plan.path}.background_layers[{i}]"), background)
    for placed in plan.children:
        ctx.budget.check(placed.path)
        if placed.plan is not None:
            tile: Tile | None = Tile(placed.box, image=draw(placed.plan, ctx, draw_layer))
        else:
            tile = draw_layer(_positioned(placed), ctx, placed.path)
        _put(surface, tile, placed.layer)
    corners = layer.corners()
    return surface if shapes.is_plain(corners) else shapes.clip(surface, corners)


def tile(layer: LayoutLayer, ctx: Context, path: str, draw_layer: DrawLayer) -> Tile:
    x = layer.position.x_in_px if layer.position else 0.0
    y = layer.position.y_in_px if layer.position else 0.0
    room = (max(1, ctx.width - max(0, round(x))), max(1, ctx.height - max(0, round(y))))
    plan = measure(layer, ctx, path, room)
    return Tile(Box.of(x, y, plan.width, plan.height), image=draw(plan, ctx, draw_layer))
