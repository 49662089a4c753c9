"""Text layout apart from drawing: styled spans -> wrapped lines of same-font pieces -> a block that fits a box.

Line boxes follow CSS: each line is ``line_height`` tall with the font's ascent + descent centred in it (half
leading), and ``\\n`` starts a new paragraph, separated by ``paragraph_spacing``. A word wider than the line is broken
between characters. Lines that do not fit the box are dropped (at least one line is always kept).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from PIL import ImageFont

from renderer.markdown import Span

LINE_HEIGHT = 1.2
Font = ImageFont.FreeTypeFont
FontFor = Callable[[bool, bool], Font]  # (bold, italic) -> font at the current size


class Piece(NamedTuple):
    """Text drawn with one font, starting ``x`` px from the line's start."""

    text: str
    font: Font
    x: float


class Line(NamedTuple):
    pieces: tuple[Piece, ...]
    width: float
    paragraph: int


@dataclass(frozen=True)
class Block:
    lines: tuple[Line, ...]
    size: float
    line_height: float
    paragraph_spacing: float
    ascent: float
    descent: float
    truncated: bool

    @property
    def height(self) -> float:
        return _height(self.lines, self.line_height, self.paragraph_spacing)

    def baseline(self, i: int) -> float:
        """The baseline of line ``i`` below the block's top."""
        gaps = self.lines[i].paragraph - self.lines[0].paragraph
        half_leading = (self.line_height - (self.ascent + self.descent)) / 2
        return i * self.line_height + gaps * self.paragraph_spacing + half_leading + self.ascent


def _height(lines: tuple[Line, ...] | list[Line], line_height: float, spacing: float) -> float:
    if not lines:
        return 0.0
    return len(lines) * line_height + (lines[-1].paragraph - lines[0].paragraph) * spacing


class _Frag(NamedTuple):
    text: str
    bold: bool
    italic: bool


class _Unit(NamedTuple):
    """A word (maybe of several styles) and the white space after it: where a line may break."""

    word: tuple[_Frag, ...]
    space: tuple[_Frag, ...]


_SPACE = re.compile(r"([^\S\n]+)")
# Paragraph separators other than \n (CR, CRLF, the C0 separators, NEL, U+2028/2029): read as \n. Left in, they
# make HarfBuzz/FriBiDi layout fail.
_NEWLINES = re.compile("\r\n|[\r\x1c\x1d\x1e\x85\u2028\u2029]")


def _paragraphs(spans: list[Span]) -> list[list[_Unit]]:
    paragraphs: list[list[_Unit]] = [[]]
    word: list[_Frag] = []
    space: list[_Frag] = []

    def close() -> None:
        nonlocal word, space
        if word or space:
            paragraphs[-1].append(_Unit(tuple(word), tuple(space)))
        word, space = [], []

    for span in spans:
        for k, line in enumerate(_NEWLINES.sub("\n", span.text).split("\n")):
            if k:
                close()
                paragraphs.append([])
            for part in _SPACE.split(line):
                if not part:
                    continue
                if part.isspace():
                    space.append(_Frag(part, span.bold, span.italic))
                    continue
                if space:
                    close()
                word.append(_Frag(part, span.bold, span.italic))
    close()
    return paragraphs


class _Measure:
    """Widths of text per style at one size, memoised for the layout of one block."""

    def __init__(self, font_for: FontFor) -> None:
        self.font_for = font_for
        self._widths: dict[tuple[str, bool, bool], float] = {}

    def width(self, frag: _Frag) -> float:
        key = (frag.text, frag.bold, frag.italic)
        if key not in self._widths:
            self._widths[key] = self.font_for(frag.bold, frag.italic).getlength(frag.text)
        return self._widths[key]

    def sum(self, frags: tuple[_Frag, ...] | list[_Frag]) -> float:
        return sum(self.width(frag) for frag in frags)

    def overflows(self, units: list[_Unit], estimate: float, limit: float) -> bool:
        """Whether ``units`` on one line are wider than ``limit``: the summed ``estimate`` decides, except near the
        limit, where the line is measured as it will be drawn (kerning; pieces of a broken word that meet again)."""
        if estimate > limit:
            return True
        return estimate > limit * 0.97 and self.pieces(_line_frags(units))[1] > limit

    def pieces(self, frags: list[_Frag]) -> tuple[tuple[Piece, ...], float]:
        merged: list[_Frag] = []
        for frag in frags:
            if merged and (merged[-1].bold, merged[-1].italic) == (frag.bold, frag.italic):
                merged[-1] = _Frag(merged[-1].text + frag.text, frag.bold, frag.italic)
            else:
                merged.append(frag)
        out: list[Piece] = []
        x = 0.0
        for frag in merged:
            out.append(Piece(frag.text, self.font_for(frag.bold, frag.italic), x))
            x += self.width(frag)
        return tuple(out), x


def _line_frags(units: list[_Unit]) -> list[_Frag]:
    frags: list[_Frag] = []
    for k, unit in enumerate(units):
        frags.extend(unit.word)
        if k < len(units) - 1:
            frags.extend(unit.space)
    return frags


def _graphemes(frags: tuple[_Frag, ...]) -> list[_Frag]:
    """One fragment per character, combining marks kept with their base."""
    out: list[_Frag] = []
    for frag in frags:
        for char in frag.text:
            if out and unicodedata.combining(char):
                out[-1] = _Frag(out[-1].text + char, frag.bold, frag.italic)
            else:
                out.append(_Frag(char, frag.bold, frag.italic))
    return out


def _break_word(unit: _Unit, measure: _Measure, max_width: float) -> list[_Unit]:
    """A word wider than the line, cut into pieces that each fit (at least one character each). Each character is
    measured once (in linear time however long the word), then each piece is checked as it will be drawn."""
    chars = _graphemes(unit.word)
    widths = [measure.width(char) for char in chars]
    chunks: list[list[_Frag]] = [[]]
    used = 0.0
    for char, width in zip(chars, widths, strict=True):
        if chunks[-1] and used + width > max_width:
            chunks.append([])
            used = 0.0
        chunks[-1].append(char)
        used += width
    i = 0
    while i < len(chunks):  # shaping (kerning) may make a piece a little wider than its characters
        while len(chunks[i]) > 1 and measure.pieces(chunks[i])[1] > max_width:
            if i + 1 == len(chunks):
                chunks.append([])
            chunks[i + 1].insert(0, chunks[i].pop())
        i += 1
    pieces = [_Unit(tuple(chunk), ()) for chunk in chunks if chunk]
    pieces[-1] = _Unit(pieces[-1].word, unit.space)
    return pieces


def wrap(spans: list[Span], font_for: FontFor, max_width: float | None) -> list[Line]:
    """Greedy line breaking at white space; ``max_width=None`` breaks only at ``\\n``. Words are measured once
    each and summed (near the limit a line is measured as drawn); each finished line is measured again as drawn,
    for exact piece positions."""
    measure = _Measure(font_for)
    lines: list[Line] = []

    def flush(units: list[_Unit], paragraph: int) -> None:
        pieces, width = measure.pieces(_line_frags(units))
        lines.append(Line(pieces, width, paragraph))

    for paragraph, units in enumerate(_paragraphs(spans)):
        current: list[_Unit] = []
        used = space = 0.0
        queue = list(reversed(units))
        while queue:
            unit = queue.pop()
            word = measure.sum(unit.word)
            if max_width is not None and word > max_width:
                parts = _break_word(unit, measure, max_width)
                if len(parts) > 1:  # a single grapheme, or a word that fits once shaped, stays whole
                    queue.extend(reversed(parts))
                    continue
            if (
                current
                and max_width is not None
                and measure.overflows([*current, unit], used + space + word, max_width)
            ):
                flush(current, paragraph)
                current, used, space = [], 0.0, 0.0
            used += space + word if current else word
            space = measure.sum(unit.space)
            current.append(unit)
        flush(current, paragraph)
    return lines


@dataclass(frozen=True)
class Frame:
    """What a text block must fit: the box, the size asked for, and how lines behave."""

    width: float
    height: float
    size: float
    wrap: bool
    auto_scale: bool
    paragraph_spacing: float


def _layout(spans: list[Span], fonts: Callable[[float], FontFor], frame: Frame, size: float) -> Block:
    font_for = fonts(size)
    lines = wrap(spans, font_for, frame.width if frame.wrap else None)
    line_height = size * LINE_HEIGHT
    kept = len(lines)
    while kept > 1 and _height(lines[:kept], line_height, frame.paragraph_spacing) > frame.height + 0.5:
        kept -= 1
    ascent, descent = font_for(False, False).getmetrics()
    return Block(tuple(lines[:kept]), size, line_height, frame.paragraph_spacing, ascent, descent, kept < len(lines))


def _fits(block: Block, frame: Frame) -> bool:
    wide = any(line.width > frame.width + 0.5 for line in block.lines)
    return not block.truncated and not wide and block.height <= frame.height + 0.5


def min_auto_size(size: float) -> float:
    """The floor ``should_auto_scale`` never shrinks below: a quarter of the size asked for, and at least 8 px."""
    return min(size, max(8.0, size / 4))


def fit(
    spans: list[Span], fonts: Callable[[float], FontFor], frame: Frame, tick: Callable[[], None] = lambda: None
) -> Block:
    """Lay the text out at the size asked for or, with auto-scaling, the largest half-pixel size that fits.
    ``tick`` is called before each layout (the render's time budget check)."""
    tick()
    block = _layout(spans, fonts, frame, frame.size)
    if not frame.auto_scale or _fits(block, frame):
        return block
    lo, hi = math.ceil(min_auto_size(frame.size) * 2), math.floor(frame.size * 2) - 1
    best = _layout(spans, fonts, frame, lo / 2)
    while lo < hi:
        tick()
        mid = (lo + hi + 1) // 2
        candidate = _layout(spans, fonts, frame, mid / 2)
        if _fits(candidate, frame):
            lo, best = mid, candidate
        else:
            hi = mid - 1
    return best
