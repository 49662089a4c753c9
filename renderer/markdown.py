"""Markdown emphasis in titles: ``**bold**``, ``*italic*``, ``***both***``; everything else is literal text.

Delimiters follow CommonMark's flanking idea: an opener is followed by a non-space, a closer preceded by one, so
``5 * 3 * 2`` stays as written. An unmatched delimiter is literal; ``\\*`` is a literal asterisk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple


class Span(NamedTuple):
    text: str
    bold: bool
    italic: bool


_TOKEN = re.compile(r"\\\*|\*+")


@dataclass
class _Run:
    """A run of asterisks: how many are left unmatched, and the emphasis it opens and closes (1 = *, 2 = **)."""

    count: int
    can_open: bool
    can_close: bool
    opens: list[int] = field(default_factory=list)
    closes: list[int] = field(default_factory=list)


def _tokens(source: str) -> list[str | _Run]:
    out: list[str | _Run] = []
    last = 0
    for match in _TOKEN.finditer(source):
        before = source[match.start() - 1] if match.start() else " "
        after = source[match.end()] if match.end() < len(source) else " "
        if match.start() > last:
            out.append(source[last : match.start()])
        token = match.group()
        if token == "\\*":  # noqa: S105 - an escaped asterisk, not a secret
            out.append("*")
        else:
            out.append(_Run(len(token), can_open=not after.isspace(), can_close=not before.isspace()))
        last = match.end()
    if last < len(source):
        out.append(source[last:])
    return out


def _match(runs: list[_Run]) -> None:
    """Pair closers with the nearest openers, two asterisks at a time where both sides have two."""
    openers: list[_Run] = []
    for run in runs:
        while run.can_close and run.count and openers:
            opener = openers[-1]
            use = 2 if opener.count >= 2 and run.count >= 2 else 1
            opener.count -= use
            run.count -= use
            opener.opens.append(use)
            run.closes.append(use)
            if not opener.count:
                openers.pop()
        if run.can_open and run.count:
            openers.append(run)


def parse_emphasis(source: str) -> list[Span]:
    """Split ``source`` into runs of text with their bold and italic flags, adjacent equal runs merged."""
    tokens = _tokens(source)
    _match([t for t in tokens if isinstance(t, _Run)])
    depth = {1: 0, 2: 0}
    spans: list[Span] = []

    def emit(text: str) -> None:
        flags = (depth[2] > 0, depth[1] > 0)
        if spans and (spans[-1].bold, spans[-1].italic) == flags:
            spans[-1] = Span(spans[-1].text + text, *flags)
        elif text:
            spans.append(Span(text, *flags))

    for token in tokens:
        if isinstance(token, str):
            emit(token)
            continue
        for use in token.closes:
            depth[use] -= 1
        emit("*" * token.count)
        for use in token.opens:
            depth[use] += 1
    return spans
