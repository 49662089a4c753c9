"""Shared helpers for the text layout tests: Inter's chain of faces, wrapping spans, frames."""

from __future__ import annotations

from collections.abc import Sequence

from renderer.fonts import FontBook
from renderer.layers.text import LayerFaces
from renderer.markdown import Span
from renderer.text import Line, Measure, paragraphs, wrap
from renderer.textfit import Block, Frame

INTER = LayerFaces(FontBook(), "Inter", "regular", False, FontBook().fallbacks())


def wrap_spans(spans: list[Span], size: float, width: float | None, faces: LayerFaces = INTER) -> list[Line]:
    return wrap(paragraphs(spans, faces), Measure(faces.at(size)), width)


def text_of(block_or_lines: Block | Sequence[Line]) -> list[str]:
    """Each line's text in logical order."""
    lines = block_or_lines.lines if isinstance(block_or_lines, Block) else block_or_lines
    return ["".join(f.text for f in line.frags) for line in lines]


def frame(width: float = 740, height: float = 300, size: float = 48, **kw: object) -> Frame:
    options: dict[str, object] = {"wrap": True, "auto_scale": False, "paragraph_spacing": 0.0, **kw}
    return Frame(width=width, height=height, size=size, **options)  # type: ignore[arg-type]


TITLE = "How We Reduced Our Database Query Latency by 80% with Connection Pooling"
