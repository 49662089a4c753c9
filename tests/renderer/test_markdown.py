from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderer.markdown import Span, parse_emphasis


@pytest.mark.parametrize(
    ("source", "spans"),
    [
        ("plain", [Span("plain", False, False)]),
        ("a **b** c", [Span("a ", False, False), Span("b", True, False), Span(" c", False, False)]),
        ("*i*", [Span("i", False, True)]),
        ("***both***", [Span("both", True, True)]),
        ("**bold *and italic***", [Span("bold ", True, False), Span("and italic", True, True)]),
        ("5 * 3 * 2", [Span("5 * 3 * 2", False, False)]),
        ("an **unclosed one", [Span("an **unclosed one", False, False)]),
        (r"\*literal\*", [Span("*literal*", False, False)]),
        ("**a**b", [Span("a", True, False), Span("b", False, False)]),
        ("", []),
    ],
)
def test_emphasis(source: str, spans: list[Span]) -> None:
    assert parse_emphasis(source) == spans


@given(st.text(alphabet="ab *\\\n", max_size=40))
def test_no_text_is_lost(source: str) -> None:
    """Whatever the delimiters, the visible text is the source less the delimiters that were matched."""
    spans = parse_emphasis(source)
    visible = "".join(span.text for span in spans)
    assert visible.replace("*", "") == source.replace("\\*", "*").replace("*", "")
    assert all(span.text for span in spans)


@given(st.text(alphabet="xy *", max_size=30))
def test_adjacent_spans_differ_in_style(source: str) -> None:
    spans = parse_emphasis(source)
    for left, right in itertools.pairwise(spans):
        assert (left.bold, left.italic) != (right.bold, right.italic)
