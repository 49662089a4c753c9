"""Text layout units: wrapping, breaking long words, paragraphs, truncation, auto-scaling, baselines."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ImageFont

from renderer.fonts import FontBook, font
from renderer.markdown import Span, parse_emphasis
from renderer.text import LINE_HEIGHT, Block, FontFor, Frame, Line, fit, min_auto_size, wrap

BOOK = FontBook()


def inter(size: float) -> FontFor:
    def font_for(bold: bool, italic: bool) -> ImageFont.FreeTypeFont:
        face = BOOK.face("Inter", "bold" if bold else "regular", italic)
        return font(face, size, BOOK)

    return font_for


def text_of(block_or_lines: Block | Sequence[Line]) -> list[str]:
    lines = block_or_lines.lines if isinstance(block_or_lines, Block) else block_or_lines
    return ["".join(p.text for p in line.pieces) for line in lines]


def frame(width: float = 740, height: float = 300, size: float = 48, **kw: object) -> Frame:
    options: dict[str, object] = {"wrap": True, "auto_scale": False, "paragraph_spacing": 0.0, **kw}
    return Frame(width=width, height=height, size=size, **options)  # type: ignore[arg-type]


TITLE = "How We Reduced Our Database Query Latency by 80% with Connection Pooling"


def test_the_article_title_wraps_into_three_lines_within_the_box() -> None:
    lines = wrap([Span(TITLE, True, False)], inter(48), 740)
    assert text_of(lines) == [
        "How We Reduced Our",
        "Database Query Latency by",
        "80% with Connection Pooling",
    ]
    assert all(line.width <= 740 for line in lines)


def test_no_wrap_keeps_one_line() -> None:
    lines = wrap([Span(TITLE, False, False)], inter(20), None)
    assert len(lines) == 1
    assert lines[0].width > 740


def test_a_word_longer_than_the_line_is_broken() -> None:
    url = "https://example.com/" + "a-very-long-path-segment/" * 6
    lines = wrap([Span(url, False, False)], inter(32), 300)
    assert len(lines) > 2
    assert "".join(text_of(lines)) == url
    assert all(line.width <= 300 for line in lines)


def test_newlines_start_paragraphs_and_spacing_applies_between_them() -> None:
    block = fit([Span("one\ntwo\n\nfour", False, False)], inter, frame(size=20, paragraph_spacing=10))
    assert text_of(block) == ["one", "two", "", "four"]
    assert [line.paragraph for line in block.lines] == [0, 1, 2, 3]
    assert block.height == pytest.approx(4 * 24 + 3 * 10)
    assert block.baseline(1) - block.baseline(0) == pytest.approx(24 + 10)


def test_styles_share_a_line_and_are_measured_with_their_own_fonts() -> None:
    lines = wrap(parse_emphasis("plain **bold** *italic*"), inter(40), 2000)
    assert len(lines) == 1
    pieces = lines[0].pieces
    assert [p.text for p in pieces] == ["plain ", "bold", " ", "italic"]
    assert pieces[1].font is not pieces[0].font
    assert pieces[3].font is not pieces[0].font
    assert pieces[1].x == pytest.approx(pieces[0].font.getlength("plain "))
    assert pieces[1].x < pieces[2].x < pieces[3].x


def test_lines_that_do_not_fit_are_dropped_but_one_is_kept() -> None:
    block = fit([Span(TITLE, True, False)], inter, frame(height=120))
    assert len(block.lines) == 2
    assert block.truncated
    tiny = fit([Span(TITLE, True, False)], inter, frame(height=10))
    assert len(tiny.lines) == 1
    assert tiny.truncated


def test_auto_scale_shrinks_until_it_fits() -> None:
    block = fit([Span(TITLE * 2, True, False)], inter, frame(height=200, auto_scale=True))
    assert block.size < 48
    assert not block.truncated
    assert block.height <= 200.5
    bigger = fit([Span(TITLE * 2, True, False)], inter, frame(height=200, auto_scale=True, size=block.size + 0.5))
    assert bigger.size == block.size  # the largest half-pixel size that fits was found


def test_auto_scale_leaves_fitting_text_alone() -> None:
    assert fit([Span("short", False, False)], inter, frame(auto_scale=True)).size == 48


def test_auto_scale_stops_at_the_floor() -> None:
    block = fit([Span(TITLE * 20, False, False)], inter, frame(height=30, auto_scale=True))
    assert block.size == min_auto_size(48) == 12
    assert block.truncated


def test_line_boxes_centre_the_glyphs() -> None:
    block = fit([Span("Hg", False, False)], inter, frame(size=50))
    assert block.line_height == 50 * LINE_HEIGHT
    half_leading = (block.line_height - (block.ascent + block.descent)) / 2
    assert block.baseline(0) == pytest.approx(half_leading + block.ascent)


@settings(max_examples=40, deadline=None)
@given(
    words=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzWM", min_size=1, max_size=18), min_size=1, max_size=25),
    width=st.integers(min_value=40, max_value=900),
)
def test_wrapped_lines_never_exceed_the_width(words: list[str], width: int) -> None:
    lines = wrap([Span(" ".join(words), False, False)], inter(24), width)
    assert all(line.width <= width + 1e-6 for line in lines)
    assert " ".join(text_of(lines)).replace(" ", "") == "".join(words)
