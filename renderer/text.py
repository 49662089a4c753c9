"""Text layout apart from drawing: styled spans -> runs of one font -> wrapped lines in visual order.

Spans are cut into runs by the font that has their characters (``renderer.itemize``), then into units where a line
may break: white space, and around CJK characters. Lines are filled greedily; a word wider than the line is broken
between grapheme clusters. Each line's runs are put in visual order (``renderer.bidi``). Fitting lines into a box
(line height, truncation with an ellipsis, auto-scaling, balanced wrapping) is in ``renderer.textfit``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple, Protocol

from renderer import bidi
from renderer.fonts import Face
from renderer.itemize import break_chunks, grapheme_clusters, itemize
from renderer.markdown import Span

FontFor = Callable[[bool, bool, int], Face]  # (bold, italic, slot) -> the face at the current size


class Typeset(Protocol):
    """The faces of one text layer: a chain of ``slots`` per style, and what each covers."""

    @property
    def slots(self) -> int: ...

    def covers(self, bold: bool, italic: bool, slot: int, codepoints: list[int]) -> bool: ...

    def at(self, size: float) -> FontFor: ...


class Piece(NamedTuple):
    """Text drawn with one face, starting ``x`` px from the line's start (in visual order)."""

    text: str
    face: Face
    x: float
    rtl: bool
    spacing: float  # letter spacing drawn after each cluster


class Frag(NamedTuple):
    text: str
    bold: bool
    italic: bool
    slot: int


class Line(NamedTuple):
    pieces: tuple[Piece, ...]
    width: float
    paragraph: int
    frags: tuple[Frag, ...]  # the line's text in logical order


class Unit(NamedTuple):
    """A word (maybe of several styles and fonts) and the white space after it: where a line may break."""

    word: tuple[Frag, ...]
    space: tuple[Frag, ...]


class Paragraph(NamedTuple):
    units: tuple[Unit, ...]
    level: int  # 1 when the paragraph reads right to left


_SPACE = re.compile(r"([^\S\n]+)")
# Paragraph separators other than \n (CR, CRLF, the C0 separators, NEL, U+2028/2029): read as \n. Left in, they
# make HarfBuzz/FriBiDi layout fail.
_NEWLINES = re.compile("\r\n|[\r\x1c\x1d\x1e\x85\u2028\u2029]")


def paragraphs(spans: list[Span], typeset: Typeset) -> list[Paragraph]:
    """The text as paragraphs of breakable units, each fragment assigned its font slot."""
    out: list[list[Unit]] = [[]]
    texts: list[list[str]] = [[]]
    word: list[Frag] = []
    space: list[Frag] = []
    previous: int | None = None

    def close() -> None:
        nonlocal word, space
        if word or space:
            out[-1].append(Unit(tuple(word), tuple(space)))
        word, space = [], []

    def frags(text: str, span: Span) -> list[Frag]:
        nonlocal previous
        covers = lambda slot, cps: typeset.covers(span.bold, span.italic, slot, cps)  # noqa: E731
        runs = itemize(text, typeset.slots, covers, previous)
        if runs:
            previous = runs[-1][1]
        return [Frag(run, span.bold, span.italic, slot) for run, slot in runs]

    for span in spans:
        for k, line in enumerate(_NEWLINES.sub("\n", span.text).split("\n")):
            if k:
                close()
                out.append([])
                texts.append([])
            texts[-1].append(line)
            for part in _SPACE.split(line):
                if not part:
                    continue
                if part.isspace():
                    space.extend(frags(part, span))
                    continue
                if space:
                    close()
                for i, chunk in enumerate(break_chunks(part)):
                    if i:
                        close()
                    word.extend(frags(chunk, span))
    close()
    return [
        Paragraph(tuple(units), bidi.paragraph_level("".join(text))) for units, text in zip(out, texts, strict=True)
    ]


def clusters(text: str) -> int:
    return len(text) if text.isascii() else len(grapheme_clusters(text))


class Measure:
    """Widths of fragments at one size, memoised for the layout of one block."""

    def __init__(self, font_for: FontFor, letter_spacing: float = 0.0) -> None:
        self.font_for = font_for
        self.letter_spacing = letter_spacing
        self._widths: dict[Frag, float] = {}

    def spacing(self, text: str) -> float:
        """The letter spacing a run gets: none for right-to-left runs, whose letters join."""
        return self.letter_spacing if self.letter_spacing and bidi.strong(text) != "R" else 0.0

    def width(self, frag: Frag) -> float:
        if frag not in self._widths:
            face = self.font_for(frag.bold, frag.italic, frag.slot)
            self._widths[frag] = face.length(frag.text) + self.spacing(frag.text) * clusters(frag.text)
        return self._widths[frag]

    def sum(self, frags: tuple[Frag, ...] | list[Frag]) -> float:
        return sum(self.width(frag) for frag in frags)

    def overflows(self, units: list[Unit], estimate: float, limit: float) -> bool:
        """Whether ``units`` on one line are wider than ``limit``: the summed ``estimate`` decides, except near the
        limit, where the line is measured as it will be drawn (kerning; pieces of a broken word that meet again)."""
        if estimate > limit:
            return True
        return estimate > limit * 0.97 and self.line(line_frags(units), 0, 0).width > limit

    def line(self, frags: list[Frag], paragraph: int, level: int) -> Line:
        """The line of ``frags``: runs of one face merged, measured as drawn, and put in visual order."""
        merged: list[Frag] = []
        for frag in frags:
            if merged and merged[-1][1:] == frag[1:]:
                merged[-1] = Frag(merged[-1].text + frag.text, frag.bold, frag.italic, frag.slot)
            else:
                merged.append(frag)
        if level or any(bidi.strong(frag.text) == "R" for frag in merged):
            merged = _edges_apart(merged)  # white space between runs of two directions takes the paragraph's
        texts = [frag.text for frag in merged]
        run_levels = bidi.levels(texts, level)
        order = bidi.visual_order(list(range(len(merged))), run_levels)
        pieces: list[Piece] = []
        x = 0.0
        for k in order:
            frag = merged[k]
            face = self.font_for(frag.bold, frag.italic, frag.slot)
            pieces.append(Piece(frag.text, face, x, run_levels[k] % 2 == 1, self.spacing(frag.text)))
            x += self.width(frag)
        return Line(tuple(pieces), x, paragraph, tuple(frags))


_EDGES = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)


def _edges_apart(frags: list[Frag]) -> list[Frag]:
    """Leading and trailing white space of each run as runs of their own (neutral, so the bidi levels decide)."""
    out: list[Frag] = []
    for frag in frags:
        match = _EDGES.match(frag.text)
        assert match is not None
        out.extend(frag._replace(text=part) for part in match.groups() if part)
    return out


def line_frags(units: list[Unit] | tuple[Unit, ...]) -> list[Frag]:
    frags: list[Frag] = []
    for k, unit in enumerate(units):
        frags.extend(unit.word)
        if k < len(units) - 1:
            frags.extend(unit.space)
    return frags


def graphemes(frags: tuple[Frag, ...] | list[Frag]) -> list[Frag]:
    """One fragment per grapheme cluster (a letter with its marks, an emoji sequence)."""
    return [Frag(cluster, f.bold, f.italic, f.slot) for f in frags for cluster in grapheme_clusters(f.text)]


def _break_word(unit: Unit, measure: Measure, max_width: float) -> list[Unit]:
    """A word wider than the line, cut into pieces that each fit (at least one cluster each). Each cluster is
    measured once (in linear time however long the word), then each piece is checked as it will be drawn."""
    chars = graphemes(unit.word)
    chunks: list[list[Frag]] = [[]]
    used = 0.0
    for char in chars:
        width = measure.width(char)
        if chunks[-1] and used + width > max_width:
            chunks.append([])
            used = 0.0
        chunks[-1].append(char)
        used += width
    i = 0
    while i < len(chunks):  # shaping (kerning) may make a piece a little wider than its characters
        while len(chunks[i]) > 1 and measure.line(chunks[i], 0, 0).width > max_width:
            if i + 1 == len(chunks):
                chunks.append([])
            chunks[i + 1].insert(0, chunks[i].pop())
        i += 1
    pieces = [Unit(tuple(chunk), ()) for chunk in chunks if chunk]
    pieces[-1] = Unit(pieces[-1].word, unit.space)
    return pieces


def wrap(paras: list[Paragraph], measure: Measure, max_width: float | None) -> list[Line]:
    """Greedy line breaking at break opportunities; ``max_width=None`` breaks only between paragraphs. Words are
    measured once each and summed (near the limit a line is measured as drawn); each finished line is measured
    again as drawn, for exact piece positions."""
    lines: list[Line] = []
    for number, paragraph in enumerate(paras):
        current: list[Unit] = []
        used = space = 0.0
        queue = list(reversed(paragraph.units))
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
                lines.append(measure.line(line_frags(current), number, paragraph.level))
                current, used, space = [], 0.0, 0.0
            used += space + word if current else word
            space = measure.sum(unit.space)
            current.append(unit)
        lines.append(measure.line(line_frags(current), number, paragraph.level))
    return lines
