"""Fitting laid-out text into a box: line boxes, truncation with an ellipsis, auto-scaling, balanced wrapping.

Line boxes follow CSS: each line is ``line_height`` times the size tall with the font's ascent + descent centred in it
(half leading), and paragraphs are ``paragraph_spacing`` apart. Lines past the box's height or ``max_lines`` are
dropped and the last one kept ends in an ellipsis; so does an unwrapped line wider than the box. With auto-scaling,
the largest half-pixel size that fits is used, never below ``min_auto_size``. ``balance`` narrows the wrap width as
far as it can without adding a line, so that lines are of near-equal width (CSS ``text-wrap: balance``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from renderer.markdown import Span
from renderer.text import Frag, Line, Measure, Paragraph, Typeset, graphemes, paragraphs, wrap

LINE_HEIGHT = 1.2
ELLIPSIS = "\u2026"
BALANCE_MAX_LINES = 10


@dataclass(frozen=True)
class Frame:
    """What a text block must fit: the box, the size asked for, and how lines behave."""

    width: float
    height: float
    size: float
    wrap: bool
    auto_scale: bool
    paragraph_spacing: float
    line_height: float = LINE_HEIGHT  # a multiple of the size
    max_lines: int | None = None
    letter_spacing: float = 0.0
    balance: bool = False


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

    @property
    def width(self) -> float:
        return max((line.width for line in self.lines), default=0.0)

    def baseline(self, i: int) -> float:
        """The baseline of line ``i`` below the block's top."""
        gaps = self.lines[i].paragraph - self.lines[0].paragraph
        half_leading = (self.line_height - (self.ascent + self.descent)) / 2
        return i * self.line_height + gaps * self.paragraph_spacing + half_leading + self.ascent

    def faces(self) -> tuple[str, ...]:
        """The names of the faces drawn, in order of first use."""
        names = [piece.face.name for line in self.lines for piece in line.pieces if piece.text.strip()]
        return tuple(dict.fromkeys(names))


def _height(lines: tuple[Line, ...] | list[Line], line_height: float, spacing: float) -> float:
    if not lines:
        return 0.0
    return len(lines) * line_height + (lines[-1].paragraph - lines[0].paragraph) * spacing


def ellipsize(
    line: Line, measure: Measure, max_width: float, level: int, covers_ellipsis: Callable[[Frag], int]
) -> Line:
    """``line`` cut to the longest start that fits ``max_width`` with an ellipsis after it (binary search: a
    logarithmic number of measurements however long the line)."""
    chars = graphemes(line.frags)

    def candidate(kept: int) -> Line:
        head = chars[:kept]
        while head and not head[-1].text.strip():
            head.pop()
        last = head[-1] if head else (chars[0] if chars else Frag("", False, False, 0))
        mark = Frag(ELLIPSIS, last.bold, last.italic, 0)
        mark = mark._replace(slot=covers_ellipsis(mark._replace(slot=last.slot)))
        return measure.line([*head, mark], line.paragraph, level)

    lo, hi = 0, len(chars)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if candidate(mid).width <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return candidate(lo)


class _Fitter:
    """The layout of one text at any size: paragraphs are built once, lines once per size."""

    def __init__(self, spans: list[Span], typeset: Typeset, frame: Frame) -> None:
        self.typeset = typeset
        self.frame = frame
        self.paragraphs: list[Paragraph] = paragraphs(spans, typeset)

    def _slot_for_ellipsis(self, frag: Frag) -> int:
        for slot in (frag.slot, *range(self.typeset.slots)):
            if self.typeset.covers(frag.bold, frag.italic, slot, [ord(ELLIPSIS)]):
                return int(slot)
        return 0

    def _wrapped(self, measure: Measure) -> list[Line]:
        frame = self.frame
        if not frame.wrap:
            return wrap(self.paragraphs, measure, None)
        lines = wrap(self.paragraphs, measure, frame.width)
        if not frame.balance or not 1 < len(lines) <= BALANCE_MAX_LINES:
            return lines
        lo, hi = max(line.width for line in lines) * 0.5, frame.width
        best = lines
        while hi - lo > 1.0:  # the narrowest width that keeps the number of lines
            mid = (lo + hi) / 2
            narrower = wrap(self.paragraphs, measure, mid)
            if len(narrower) <= len(lines):
                hi, best = mid, narrower
            else:
                lo = mid
        return best

    def layout(self, size: float) -> Block:
        frame = self.frame
        measure = Measure(self.typeset.at(size), frame.letter_spacing)
        lines = self._wrapped(measure)
        line_height = size * frame.line_height
        kept = min(len(lines), frame.max_lines or len(lines))
        while kept > 1 and _height(lines[:kept], line_height, frame.paragraph_spacing) > frame.height + 0.5:
            kept -= 1
        out = lines[:kept]
        truncated = kept < len(lines)
        for i, line in enumerate(out):
            if (truncated and i == kept - 1) or line.width > frame.width + 0.5:
                level = self.paragraphs[line.paragraph].level
                out[i] = ellipsize(line, measure, frame.width, level, self._slot_for_ellipsis)
                truncated = True
        ascent, descent = measure.font_for(False, False, 0).font.getmetrics()
        return Block(tuple(out), size, line_height, frame.paragraph_spacing, ascent, descent, truncated)


def _fits(block: Block, frame: Frame) -> bool:
    return not block.truncated and block.height <= frame.height + 0.5


def min_auto_size(size: float) -> float:
    """The floor ``should_auto_scale`` never shrinks below: a quarter of the size asked for, and at least 8 px."""
    return min(size, max(8.0, size / 4))


def fit(spans: list[Span], typeset: Typeset, frame: Frame, tick: Callable[[], None] = lambda: None) -> Block:
    """Lay the text out at the size asked for or, with auto-scaling, the largest half-pixel size that fits.
    ``tick`` is called before each layout (the render's time budget check)."""
    tick()
    fitter = _Fitter(spans, typeset, frame)
    block = fitter.layout(frame.size)
    if not frame.auto_scale or _fits(block, frame):
        return block
    lo, hi = math.ceil(min_auto_size(frame.size) * 2), math.floor(frame.size * 2) - 1
    best = fitter.layout(lo / 2)
    while lo < hi:
        tick()
        mid = (lo + hi + 1) // 2
        candidate = fitter.layout(mid / 2)
        if _fits(candidate, frame):
            lo, best = mid, candidate
        else:
            hi = mid - 1
    return best
