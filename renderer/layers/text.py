"""``text``: a laid-out block (see ``renderer.text``) drawn as a coverage mask and tinted with the text colour."""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

from renderer.errors import FontLoadError
from renderer.fonts import font
from renderer.geometry import Box
from renderer.layers.base import Context, Tile
from renderer.markdown import parse_emphasis
from renderer.model import WEIGHTS, TextLayer
from renderer.text import Block, FontFor, Frame, Piece, fit

OVERHANG = 0.5  # glyphs may reach this many ems outside the box (italics, accents) before they are clipped


def bolder(weight: str) -> str:
    """The face ``**bold**`` picks: bold, or black when the text is already semibold or heavier."""
    return "bold" if WEIGHTS[weight] < 600 else "black"


def _fonts(layer: TextLayer, ctx: Context) -> Callable[[float], FontFor]:
    def at(size: float) -> FontFor:
        def font_for(bold: bool, italic: bool) -> ImageFont.FreeTypeFont:
            weight = bolder(layer.font_weight) if bold else layer.font_weight
            face = ctx.fonts.face(layer.font_name, weight, italic or layer.font_style == "italic")
            return font(face, size, ctx.fonts)

        return font_for

    return at


def _offsets(layer: TextLayer, box: Box, block: Block) -> tuple[float, list[float]]:
    """The block's top and each line's start. A line wider than the box starts at the box's start (as in CSS)."""
    spare = box.height - block.height
    top = {"top": 0.0, "center": spare / 2, "bottom": spare}[layer.vertical_align]
    share = {"left": 0.0, "center": 0.5, "right": 1.0}[layer.text_align]
    return top, [max(0.0, box.width - line.width) * share for line in block.lines]


def _visible(piece: Piece, end: float, limit: float) -> str:
    """The part of ``piece`` (which ends at ``end``) drawn before ``limit``: text past the tile is never rasterised."""
    if end <= limit:
        return piece.text
    text = piece.text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that ends before the limit, plus one character
        mid = (lo + hi + 1) // 2
        if piece.x + piece.font.getlength(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[: lo + 1]


def draw_block(block: Block, layer: TextLayer, box: Box, margin: int) -> Image.Image:
    """The coverage mask (mode L) of the block, ``margin`` px wider than ``box`` on every side."""
    mask = Image.new("L", (box.width + 2 * margin, box.height + 2 * margin), 0)
    draw = ImageDraw.Draw(mask)
    top, lefts = _offsets(layer, box, block)
    limit = box.width + margin
    for i, line in enumerate(block.lines):
        y = margin + top + block.baseline(i)
        ends = [*(p.x for p in line.pieces[1:]), line.width][: len(line.pieces)]
        for piece, end in zip(line.pieces, ends, strict=True):
            if lefts[i] + piece.x > limit:
                break
            text = _visible(piece, end, limit - lefts[i])
            draw.text((margin + lefts[i] + piece.x, y), text, fill=255, font=piece.font, anchor="ls")
    return mask


def tile(layer: TextLayer, ctx: Context, path: str) -> Tile | None:
    box = ctx.box(layer.position, layer.dimensions)
    frame = Frame(
        width=box.width,
        height=box.height,
        size=layer.font_size_in_px,
        wrap=layer.is_splitting_lines,
        auto_scale=layer.should_auto_scale,
        paragraph_spacing=layer.paragraph_spacing_in_px,
    )
    try:
        block = fit(parse_emphasis(layer.text), _fonts(layer, ctx), frame, lambda: ctx.budget.check(f"{path}.text"))
        margin = math.ceil(block.size * OVERHANG)
        mask = draw_block(block, layer, box, margin)
    except (OSError, RuntimeError) as exc:  # FreeType (OSError) and raqm (RuntimeError): a broken font, or text
        raise FontLoadError(f"the text could not be laid out or drawn: {exc}", f"{path}.text") from None
    r, g, b, a = layer.text_color
    if a < 255:
        mask = mask.point([round(v * a / 255) for v in range(256)])
    image = Image.new("RGBA", mask.size, (r, g, b, 0))
    image.putalpha(mask)
    return Tile(Box(box.left - margin, box.top - margin, box.right + margin, box.bottom + margin), image=image)
