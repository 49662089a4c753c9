"""Fitting text into a box: paragraphs, truncation with an ellipsis, auto-scaling, line boxes, balance."""

from __future__ import annotations

import pytest
from textkit import INTER, TITLE, frame, text_of

from renderer.markdown import Span
from renderer.textfit import ELLIPSIS, LINE_HEIGHT, fit, min_auto_size

inter = INTER


def test_newlines_start_paragraphs_and_spacing_applies_between_them() -> None:
    block = fit([Span("one\ntwo\n\nfour", False, False)], inter, frame(size=20, paragraph_spacing=10))
    assert text_of(block) == ["one", "two", "", "four"]
    assert [line.paragraph for line in block.lines] == [0, 1, 2, 3]
    assert block.height == pytest.approx(4 * 24 + 3 * 10)
    assert block.baseline(1) - block.baseline(0) == pytest.approx(24 + 10)


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


def test_truncated_text_ends_in_an_ellipsis_that_fits() -> None:
    block = fit([Span(TITLE, True, False)], inter, frame(height=120))
    last = text_of(block)[-1]
    assert last.endswith(ELLIPSIS)
    assert not last[:-1].endswith(" ")
    assert block.lines[-1].width <= 740


def test_max_lines_clamps_and_fits_within_it() -> None:
    block = fit([Span(TITLE, False, False)], inter, frame(max_lines=2))
    assert len(block.lines) == 2
    assert block.truncated
    assert text_of(block)[-1].endswith(ELLIPSIS)
    scaled = fit([Span(TITLE, False, False)], inter, frame(max_lines=2, auto_scale=True))
    assert len(scaled.lines) <= 2
    assert not scaled.truncated
    assert scaled.size < 48


def test_an_unwrapped_line_wider_than_the_box_is_cut_with_an_ellipsis() -> None:
    block = fit([Span(TITLE, False, False)], inter, frame(wrap=False, width=400))
    assert len(block.lines) == 1
    assert block.truncated
    assert text_of(block)[0].endswith(ELLIPSIS)
    assert block.lines[0].width <= 400


def test_a_very_long_line_is_cut_quickly() -> None:
    block = fit([Span("word " * 4000, False, False)], inter, frame(wrap=False, width=300))
    assert text_of(block)[0].endswith(ELLIPSIS)


def test_balance_keeps_the_line_count_and_evens_the_lines() -> None:
    text = "The complete guide to building fast social preview cards for every page"
    greedy = fit([Span(text, True, False)], inter, frame(width=1000))
    balanced = fit([Span(text, True, False)], inter, frame(width=1000, balance=True))
    assert len(balanced.lines) == len(greedy.lines) == 2
    widths = [line.width for line in balanced.lines]
    greedy_widths = [line.width for line in greedy.lines]
    assert max(widths) - min(widths) < max(greedy_widths) - min(greedy_widths)
    assert max(widths) <= 1000
    assert " ".join(text_of(balanced)) == text


def test_letter_spacing_widens_lines_by_one_step_per_character() -> None:
    plain = fit([Span("Spacing", False, False)], inter, frame())
    spaced = fit([Span("Spacing", False, False)], inter, frame(letter_spacing=4))
    assert spaced.lines[0].width == pytest.approx(plain.lines[0].width + 7 * 4)


def test_line_height_is_a_multiple_of_the_size() -> None:
    block = fit([Span("one\ntwo", False, False)], inter, frame(size=20, line_height=1.5))
    assert block.line_height == 30
    assert block.baseline(1) - block.baseline(0) == pytest.approx(30)


def test_the_fonts_drawn_are_reported() -> None:
    block = fit([Span("Hi مرحبا \U0001f680", False, False)], inter, frame())
    assert block.faces() == ("Inter Regular", "NotoSansArabic Regular", "NotoColorEmoji Regular")
