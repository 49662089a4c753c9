"""Text layout: wrapping, breaking long words, paragraphs, runs of several fonts in visual order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textkit import TITLE, text_of, wrap_spans

from renderer.markdown import Span, parse_emphasis


def test_the_article_title_wraps_into_three_lines_within_the_box() -> None:
    lines = wrap_spans([Span(TITLE, True, False)], 48, 740)
    assert text_of(lines) == [
        "How We Reduced Our",
        "Database Query Latency by",
        "80% with Connection Pooling",
    ]
    assert all(line.width <= 740 for line in lines)


def test_no_wrap_keeps_one_line() -> None:
    lines = wrap_spans([Span(TITLE, False, False)], 20, None)
    assert len(lines) == 1
    assert lines[0].width > 740


def test_a_word_longer_than_the_line_is_broken() -> None:
    url = "https://example.com/" + "a-very-long-path-segment/" * 6
    lines = wrap_spans([Span(url, False, False)], 32, 300)
    assert len(lines) > 2
    assert "".join(text_of(lines)) == url
    assert all(line.width <= 300 for line in lines)


def test_styles_share_a_line_and_are_measured_with_their_own_fonts() -> None:
    lines = wrap_spans(parse_emphasis("plain **bold** *italic*"), 40, 2000)
    assert len(lines) == 1
    pieces = lines[0].pieces
    assert [p.text for p in pieces] == ["plain ", "bold", " ", "italic"]
    assert pieces[1].face.font is not pieces[0].face.font
    assert pieces[3].face.font is not pieces[0].face.font
    assert pieces[1].x == pytest.approx(pieces[0].face.length("plain "))
    assert pieces[1].x < pieces[2].x < pieces[3].x


@settings(max_examples=40, deadline=None)
@given(
    words=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzWM", min_size=1, max_size=18), min_size=1, max_size=25),
    width=st.integers(min_value=40, max_value=900),
)
def test_wrapped_lines_never_exceed_the_width(words: list[str], width: int) -> None:
    lines = wrap_spans([Span(" ".join(words), False, False)], 24, width)
    assert all(line.width <= width + 1e-6 for line in lines)
    assert " ".join(text_of(lines)).replace(" ", "") == "".join(words)


def test_spaces_between_runs_of_two_directions_follow_the_paragraph() -> None:
    lines = wrap_spans([Span("مرحبا بالعالم world שלום", False, False)], 40, None)
    visual = [piece.text for piece in lines[0].pieces]
    assert visual == ["שלום", " ", "world", " ", "مرحبا بالعالم"]
    assert "".join(f.text for f in lines[0].frags) == "مرحبا بالعالم world שלום"
