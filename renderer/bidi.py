"""The visual order of a line's runs, after the Unicode bidirectional algorithm (rules P2-P3, a run-level W/N
resolution, and L2 reordering).

Each run is shaped by raqm, which applies the full algorithm inside it (an Arabic run with digits comes out right);
what raqm cannot see is the order of runs drawn with different fonts, e.g. an English word before an Arabic one in
a right-to-left paragraph. This module orders those runs: each gets a level from its first strong character (or, for
runs of only neutral characters, from its neighbours), then runs are reversed from the highest level down.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
_RTL = frozenset({"R", "AL"})


def strong(text: str) -> str | None:
    """ "L" or "R" for the first strong character of ``text``, None when it has none."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "L"
        if kind in _RTL:
            return "R"
    return None


def paragraph_level(text: str) -> int:
    """0 (left to right) unless the first strong character is right-to-left (P2-P3)."""
    return 1 if strong(text) == "R" else 0


def levels(texts: Sequence[str], base: int) -> list[int]:
    """An embedding level per run: R runs odd, L runs even, neutral runs between two runs of one direction take it,
    other neutral runs the paragraph's."""
    kinds = [strong(text) for text in texts]
    out: list[int] = []
    paragraph = "R" if base else "L"
    for i, found in enumerate(kinds):
        kind = found
        if kind is None:
            before = next((k for k in reversed(kinds[:i]) if k is not None), paragraph)
            after = next((k for k in kinds[i + 1 :] if k is not None), paragraph)
            kind = before if before == after else paragraph
        if kind == "R":
            out.append(base + 1 if base % 2 == 0 else base)
        else:
            out.append(base if base % 2 == 0 else base + 1)
    return out


def visual_order(runs: Sequence[T], run_levels: Sequence[int]) -> list[T]:
    """L2: from the highest level down to the lowest odd level, reverse every maximal sequence at or above it."""
    order = list(range(len(runs)))
    if not run_levels:
        return []
    lowest_odd = min((level for level in run_levels if level % 2), default=None)
    if lowest_odd is None:
        return list(runs)
    current = list(run_levels)
    for level in range(max(current), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if current[i] < level:
                i += 1
                continue
            j = i
            while j < len(order) and current[j] >= level:
                j += 1
            order[i:j] = order[i:j][::-1]
            current[i:j] = current[i:j][::-1]
            i = j
    return [runs[k] for k in order]
