"""The order of runs on a line: levels from strong characters, neutrals between runs, L2 reversal."""

from __future__ import annotations

import pytest

from renderer.bidi import levels, paragraph_level, strong, visual_order


@pytest.mark.parametrize(
    ("text", "want"),
    [("Hello", "L"), ("مرحبا", "R"), ("שלום", "R"), ("123 — ", None), ("«مرحبا» hi", "R"), ("", None)],
)
def test_the_first_strong_character_decides(text: str, want: str | None) -> None:
    assert strong(text) == want


def test_a_paragraph_reads_right_to_left_when_it_starts_with_arabic_or_hebrew() -> None:
    assert paragraph_level("مرحبا world") == 1
    assert paragraph_level("123 שלום") == 1
    assert paragraph_level("Hello مرحبا") == 0


def test_in_a_left_to_right_paragraph_rtl_runs_keep_their_place() -> None:
    runs = ["Ship it with ", "مرحبا يا عالم", " today"]
    assert levels(runs, 0) == [0, 1, 0]
    assert visual_order(runs, levels(runs, 0)) == runs


def test_adjacent_rtl_runs_are_reversed_as_a_whole() -> None:
    runs = ["See ", "מלון", " ", "גדול", " now"]  # the neutral space between two RTL runs is RTL
    run_levels = levels(runs, 0)
    assert run_levels == [0, 1, 1, 1, 0]
    assert visual_order(runs, run_levels) == ["See ", "גדול", " ", "מלון", " now"]


def test_in_a_right_to_left_paragraph_the_first_run_is_drawn_rightmost() -> None:
    runs = ["مرحبا ", "React", " بالعالم"]
    run_levels = levels(runs, 1)
    assert run_levels == [1, 2, 1]
    assert visual_order(runs, run_levels) == [" بالعالم", "React", "مرحبا "]


def test_neutrals_between_different_directions_take_the_paragraph_direction() -> None:
    assert levels(["abc", " - ", "אבג"], 0) == [0, 0, 1]
    assert levels(["abc", " - ", "אבג"], 1) == [2, 1, 1]


def test_nothing_to_order() -> None:
    assert visual_order([], []) == []
