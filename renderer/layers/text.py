"""``text``: a laid-out block (``renderer.text``, ``renderer.textfit``) drawn as a coverage mask tinted with the text
colour, with colour emoji pasted over it. Faces the family lacks are synthesised: bold by stroking, italic by
shearing about the baseline."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from PIL import Image, ImageChops, ImageDraw

from renderer.errors import FontLoadError
from renderer.fonts import EMOJI_FAMILY, Face, FaceId, FontBook, drawable, family_key
from renderer.geometry import Box
from renderer.itemize import cjk_preference
from renderer.layers.base import Context, Tile
from renderer.markdown import parse_emphasis
from renderer.model import WEIGHTS, TextLayer
from renderer.report import TextFit
from renderer.text import FontFor, Frag, Piece, clusters, graphemes
from renderer.textfit import LINE_HEIGHT, Block, Frame, fit

OVERHANG = 0.5  # glyphs may reach this many ems outside the box (italics, accents) before they are clipped


def bolder(weight: str) -> str:
    """The face ``**bold**`` picks: bold, or black when the text is already semibold or heavier."""
    return "bold" if WEIGHTS[weight] < 600 else "black"


@dataclass
class LayerFaces:
    """The chain of faces of one text layer (its family, the fallbacks, the emoji font) for each style."""

    book: FontBook
    family: str
    weight: str
    italic: bool
    fallbacks: list[str]
    _chains: dict[tuple[bool, bool], list[FaceId]] = field(default_factory=dict)

    @property
    def slots(self) -> int:
        return len(self.fallbacks) + 2

    def style(self, bold: bool, italic: bool) -> tuple[str, bool]:
        return (bolder(self.weight) if bold else self.weight), italic or self.italic

    def chain(self, bold: bool, italic: bool) -> list[FaceId]:
        key = (bold, italic)
        if key not in self._chains:
            weight, slanted = self.style(bold, italic)
            families = [self.family, *self.fallbacks, EMOJI_FAMILY]
            self._chains[key] = [self.book.face(family, weight, slanted) for family in families]
        return self._chains[key]

    def covers(self, bold: bool, italic: bool, slot: int, codepoints: list[int]) -> bool:
        return self.book.covers(self.chain(bold, italic)[slot], codepoints)

    def at(self, size: float) -> FontFor:
        def font_for(bold: bool, italic: bool, slot: int) -> Face:
            weight, slanted = self.style(bold, italic)
            return drawable(self.chain(bold, italic)[slot], size, self.book, WEIGHTS[weight], slanted)

        return font_for


def faces_of(layer: TextLayer, ctx: Context) -> LayerFaces:
    fallbacks = ctx.fonts.fallbacks(cjk_preference(layer.text))
    return LayerFaces(ctx.fonts, layer.font_name, layer.font_weight, layer.font_style == "italic", fallbacks)


def frame_of(layer: TextLayer, width: float, height: float) -> Frame:
    return Frame(
        width=width,
        height=height,
        size=layer.font_size_in_px,
        wrap=layer.is_splitting_lines,
        auto_scale=layer.should_auto_scale,
        paragraph_spacing=layer.paragraph_spacing_in_px,
        line_height=layer.line_height or LINE_HEIGHT,
        max_lines=layer.max_lines,
        letter_spacing=layer.letter_spacing_in_px,
        balance=layer.text_wrap == "balance",
    )


def _offsets(layer: TextLayer, box: Box, block: Block) -> tuple[float, list[float]]:
    """The block's top and each line's start. A line wider than the box starts at the box's start (as in CSS)."""
    spare = box.height - block.height
    top = {"top": 0.0, "center": spare / 2, "bottom": spare}[layer.vertical_align]
    share = {"left": 0.0, "center": 0.5, "right": 1.0}[layer.text_align]
    return top, [max(0.0, box.width - line.width) * share for line in block.lines]


@dataclass
class _Canvas:
    """Where a block is drawn: the coverage mask of the text and the colour glyphs to paste over it."""

    mask: Image.Image
    colour: list[tuple[int, int, Image.Image]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # clusters FreeType could not rasterise

    def draw(self, piece: Piece, x: float, y: float) -> None:
        try:
            self._draw(piece, x, y)
        except OSError:  # FreeType fails on a few glyphs at some sizes ("raster overflow"): draw around them
            self._around_failures(piece, x, y)

    def _around_failures(self, piece: Piece, x: float, y: float) -> None:
        """Draw the piece in stretches of clusters that FreeType can draw, at their places, leaving the rest out."""
        probe = Image.new("L", (4, 4))
        total = piece.face.length(piece.text)

        def flush(begin: int, end: int) -> None:
            text = piece.text[begin:end]
            if text:
                start = piece.face.length(piece.text[:begin])
                offset = total - start - piece.face.length(text) if piece.rtl else start
                self._draw(piece._replace(text=text), x + offset, y)

        begin = end = 0
        for frag in graphemes([Frag(piece.text, False, False, 0)]):
            try:
                self._draw_on(probe, piece._replace(text=frag.text))
            except OSError:
                flush(begin, end)
                self.dropped.append(frag.text)
                begin = end + len(frag.text)
            end += len(frag.text)
        flush(begin, end)

    def _draw_on(self, mask: Image.Image, piece: Piece) -> None:
        if piece.face.color:
            piece.face.font.getbbox(piece.text)
        else:
            _text(ImageDraw.Draw(mask), piece, 0, 2)

    def _draw(self, piece: Piece, x: float, y: float) -> None:
        face = piece.face
        if face.color:
            self._emoji(piece, x, y)
        elif face.slant:
            self._slanted(piece, x, y)
        else:
            _text(ImageDraw.Draw(self.mask), piece, x, y)

    def _emoji(self, piece: Piece, x: float, y: float) -> None:
        font = piece.face.font
        left, top, right, bottom = (
            math.floor(v) if k < 2 else math.ceil(v) for k, v in enumerate(font.getbbox(piece.text, anchor="ls"))
        )
        if right <= left or bottom <= top:
            return
        glyphs = Image.new("RGBA", (right - left, bottom - top))
        ImageDraw.Draw(glyphs).text((-left, -top), piece.text, font=font, anchor="ls", embedded_color=True)
        scale = piece.face.scale
        size = (max(1, round(glyphs.width * scale)), max(1, round(glyphs.height * scale)))
        glyphs = glyphs.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
        self.colour.append((round(x + left * scale), round(y + top * scale), glyphs))

    def _slanted(self, piece: Piece, x: float, y: float) -> None:
        """Drawn upright on its own, then sheared about the baseline so the tops lean right."""
        size = piece.face.font.size
        pad = math.ceil(size * 1.5)
        width = math.ceil(piece.face.length(piece.text) + piece.spacing * clusters(piece.text)) + 2 * pad
        layer = Image.new("L", (width, 3 * pad), 0)
        base = 2 * pad
        _text(ImageDraw.Draw(layer), piece._replace(x=0.0), pad, base)
        slant = piece.face.slant
        sheared = layer.transform(
            layer.size, Image.Transform.AFFINE, (1, slant, -slant * base, 0, 1, 0), Image.Resampling.BICUBIC
        )
        left, top = round(x) - pad, round(y) - base
        region = (left, top, left + sheared.width, top + sheared.height)
        self.mask.paste(ImageChops.lighter(self.mask.crop(region), sheared), region[:2])


_RUN_BYTES = 32 * 2**20  # rasterised runs kept across renders (a repeated site name or title costs nothing)
_runs: OrderedDict[tuple[str, float, str, float, tuple[float, float]], tuple[Any, tuple[int, int], int]] = OrderedDict()
_runs_bytes = 0
_runs_lock = threading.Lock()


def _bitmap(face: Face, text: str, start: tuple[float, float]) -> tuple[Any, tuple[int, int]]:
    """The coverage bitmap of ``text`` at the sub-pixel ``start`` and its offset from the baseline origin, as
    Pillow's ``ImageDraw.text`` would draw it, from a bounded LRU of rasterised runs."""
    global _runs_bytes  # noqa: PLW0603 - one cache per process
    key = (face.source, face.font.size, text, face.embolden, start)
    with _runs_lock:
        found = _runs.get(key)
        if found is not None:
            _runs.move_to_end(key)
            return found[0], found[1]
    bitmap, offset = face.font.getmask2(
        text, "L", stroke_width=face.embolden, anchor="ls", ink=255, start=start, stroke_filled=True
    )
    size = bitmap.size[0] * bitmap.size[1]
    with _runs_lock:
        if key not in _runs and size <= _RUN_BYTES // 8:
            _runs[key] = (bitmap, offset, size)
            _runs_bytes += size
            while _runs_bytes > _RUN_BYTES:
                _runs_bytes -= _runs.popitem(last=False)[1][2]
    return bitmap, offset


def _text(draw: ImageDraw.ImageDraw, piece: Piece, x: float, y: float) -> None:
    """Draw ``piece`` with its baseline origin at (x, y): the same pixels as ``draw.text(..., anchor="ls")``."""
    spots = [(piece.text, 0.0)] if not piece.spacing else _spaced(piece)
    for text, offset in spots:
        at_x, at_y = x + offset, y
        bitmap, (dx, dy) = _bitmap(piece.face, text, (math.modf(at_x)[0], math.modf(at_y)[0]))
        draw.draw.draw_bitmap((int(at_x) + dx, int(at_y) + dy), bitmap, 255)


def _spaced(piece: Piece) -> list[tuple[str, float]]:
    """Each cluster of a letter-spaced piece and where it starts (kerning kept: measured as a prefix)."""
    out: list[tuple[str, float]] = []
    prefix = ""
    for i, frag in enumerate(graphemes([Frag(piece.text, False, False, 0)])):
        out.append((frag.text, piece.face.length(prefix) + i * piece.spacing))
        prefix += frag.text
    return out


def _visible(piece: Piece, end: float, limit: float) -> str:
    """The part of a left-to-right ``piece`` (which ends at ``end``) drawn before ``limit``: text past the tile is
    never rasterised."""
    if end <= limit or piece.rtl or piece.spacing:
        return piece.text
    text = piece.text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that ends before the limit, plus one character
        mid = (lo + hi + 1) // 2
        if piece.x + piece.face.length(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[: lo + 1]


def draw_block(block: Block, layer: TextLayer, box: Box, margin: int) -> _Canvas:
    """The coverage mask (mode L) of the block, ``margin`` px wider than ``box`` on every side, and the colour
    glyphs to paste over it (positions in the mask's pixels)."""
    canvas = _Canvas(Image.new("L", (box.width + 2 * margin, box.height + 2 * margin), 0))
    top, lefts = _offsets(layer, box, block)
    limit = box.width + margin
    for i, line in enumerate(block.lines):
        y = margin + top + block.baseline(i)
        ends = [*(p.x for p in line.pieces[1:]), line.width][: len(line.pieces)]
        for piece, end in zip(line.pieces, ends, strict=True):
            if lefts[i] + piece.x > limit:
                break
            visible = piece._replace(text=_visible(piece, end, limit - lefts[i]))
            canvas.draw(visible, margin + lefts[i] + piece.x, y)
    return canvas


_BLOCKS = 256  # laid-out blocks kept across renders (a site name on every card is shaped once)
_blocks: OrderedDict[tuple[str, str, str, str, Frame], Block] = OrderedDict()
_blocks_lock = threading.Lock()


def laid_out(layer: TextLayer, ctx: Context, path: str, frame: Frame) -> Block:
    """The layer's text fitted into ``frame``; a font FreeType or raqm cannot take is a ``FontLoadError``. Blocks
    set in the bundled fonts are kept in a bounded LRU: the same text, faces and frame give the same block (one set
    in a request's own fonts is not kept: those fonts differ from request to request under the same name)."""
    key = (layer.text, family_key(layer.font_name), layer.font_weight, layer.font_style, frame)
    keep = not ctx.fonts.custom
    if keep:
        with _blocks_lock:
            found = _blocks.get(key)
            if found is not None:
                _blocks.move_to_end(key)
                return found
    try:
        block = fit(parse_emphasis(layer.text), faces_of(layer, ctx), frame, lambda: ctx.budget.check(f"{path}.text"))
    except (OSError, RuntimeError) as exc:  # FreeType (OSError) and raqm (RuntimeError)
        raise FontLoadError(f"the text could not be laid out: {exc}", f"{path}.text") from None
    if keep:
        with _blocks_lock:
            _blocks[key] = block
            while len(_blocks) > _BLOCKS:
                _blocks.popitem(last=False)
    return block


def tile(layer: TextLayer, ctx: Context, path: str) -> Tile | None:
    box = ctx.box(layer.position, layer.dimensions)
    block = laid_out(layer, ctx, path, frame_of(layer, box.width, box.height))
    margin = math.ceil(block.size * OVERHANG)
    try:
        drawn = draw_block(block, layer, box, margin)
    except (OSError, RuntimeError) as exc:  # FreeType (OSError) and raqm (RuntimeError): a broken font, or text
        raise FontLoadError(f"the text could not be drawn: {exc}", f"{path}.text") from None
    ctx.fits.append(TextFit(path, block.size, len(block.lines), block.truncated, block.faces()))
    if drawn.dropped:
        ctx.warnings.append(f"{path}.text: FreeType could not draw {''.join(sorted(set(drawn.dropped)))!r}; left out")
    r, g, b, a = layer.text_color
    mask = drawn.mask.point(_coverage_levels(a))
    tile_box = Box(box.left - margin, box.top - margin, box.right + margin, box.bottom + margin)
    if not drawn.colour and not layer.rotation_in_degrees % 360:  # a turn is about the box's centre: keep the box
        inked = mask.getbbox()  # only the rows and columns with ink are composited
        if inked is None:
            return None
        left, top, right, bottom = inked
        inked_box = Box(tile_box.left + left, tile_box.top + top, tile_box.left + right, tile_box.top + bottom)
        return Tile(inked_box, fill=(r, g, b, 255), mask=mask.crop(inked))
    if not drawn.colour:
        return Tile(tile_box, fill=(r, g, b, 255), mask=mask)
    image = Image.new("RGBA", mask.size, (r, g, b, 0))
    image.putalpha(mask)
    for x, y, glyphs in drawn.colour:
        _paste_clipped(image, glyphs, x, y)
    return Tile(tile_box, image=image)


COVERAGE_LEVELS = 64  # antialiasing steps of drawn text: invisible, and a text card keeps to a palette PNG


@cache
def _coverage_levels(alpha: int) -> list[int]:
    """Coverage 0-255 -> one of ``COVERAGE_LEVELS`` steps, scaled by the text colour's alpha."""
    steps = COVERAGE_LEVELS - 1
    return [round(round(v * steps / 255) * 255 / steps * alpha / 255) for v in range(256)]


def _paste_clipped(image: Image.Image, glyphs: Image.Image, x: int, y: int) -> None:
    """Colour glyphs over the tile, the part outside it cut off."""
    right, bottom = min(glyphs.width, image.width - x), min(glyphs.height, image.height - y)
    if right > max(0, -x) and bottom > max(0, -y):
        crop = glyphs.crop((max(0, -x), max(0, -y), right, bottom))
        image.alpha_composite(crop, (max(0, x), max(0, y)))


def natural_size(layer: TextLayer, ctx: Context, path: str, max_width: int | None) -> tuple[int, int]:
    """The shrink-wrapped size of the layer's text at its font size, in whole pixels: as wide as its widest line and
    as tall as its lines. Lines break at ``max_width`` (when given and the layer wraps; an unwrapped line wider than
    that is cut with an ellipsis), else only where the text breaks them. Used by layouts for ``"auto"`` sides."""
    wrapping = layer.is_splitting_lines and max_width is not None
    width = float(max_width) if max_width is not None else math.inf
    unscaled = layer.model_copy(update={"is_splitting_lines": wrapping, "should_auto_scale": False})
    block = laid_out(layer, ctx, path, frame_of(unscaled, width, math.inf))
    return max(1, math.ceil(block.width - 1e-6)), max(1, math.ceil(block.height - 1e-6))
