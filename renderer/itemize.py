"""Which font draws each part of a text: grapheme clusters -> runs of one font slot, and where CJK text may break.

A layer has a chain of faces per style: slot 0 is the family it asks for, then the bundled fallbacks (Noto Sans for
extended Latin, Greek and Cyrillic, then Arabic, Hebrew, Devanagari, Thai and the CJK families), and last the colour
emoji font. Each extended grapheme cluster (an emoji ZWJ sequence, a flag, a keycap, a letter with its marks) goes to
the first face that has all its code points; emoji clusters go to the emoji font first. Neutral clusters (spaces,
punctuation, digits) stay with the run before them when its face has them, so runs are as long as they can be.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

Covers = Callable[[int, list[int]], bool]  # (slot, code points) -> whether that slot's face has them all
_IGNORABLE = frozenset(
    {0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x206A)}
)
_VARIATION = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0))
# Emoji_Presentation=Yes in the Basic Multilingual Plane (the rest of the emoji are above U+1F000).
_BMP_EMOJI = frozenset(
    {
        *range(0x231A, 0x231C),
        *range(0x23E9, 0x23ED),
        0x23F0,
        0x23F3,
        *range(0x25FD, 0x25FF),
        *range(0x2614, 0x2616),
        *range(0x2648, 0x2654),
        0x267F,
        0x2693,
        0x26A1,
        *range(0x26AA, 0x26AC),
        *range(0x26BD, 0x26BF),
        *range(0x26C4, 0x26C6),
        0x26CE,
        0x26D4,
        0x26EA,
        *range(0x26F2, 0x26F4),
        0x26F5,
        0x26FA,
        0x26FD,
        0x2705,
        *range(0x270A, 0x270C),
        0x2728,
        0x274C,
        0x274E,
        *range(0x2753, 0x2756),
        0x2757,
        *range(0x2795, 0x2798),
        0x27B0,
        0x27BF,
        *range(0x2B1B, 0x2B1D),
        0x2B50,
        0x2B55,
    }
)
_KANA = r"[\p{Hiragana}\p{Katakana}]"
_HANGUL = r"\p{Hangul}"
_HAN = r"\p{Han}"
_CJK_CHAR = r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef]"
# Kinsoku: no line starts with these, and none ends with the opening brackets.
_NO_BREAK_BEFORE = frozenset(
    "、。，．：；！？）」』】〕〉》〙〗ー々ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ・…‥!?,.:;)]}%"  # noqa: RUF001
)
_NO_BREAK_AFTER = frozenset("（「『【〔〈《〘〖([{")  # noqa: RUF001


@cache
def _pattern(source: str) -> regex.Pattern[str]:
    """``source`` compiled by ``regex`` (Unicode scripts and grapheme clusters), loaded by the first text that is
    not plain ASCII."""
    import regex  # noqa: PLC0415

    return regex.compile(source)


# Characters that never join a neighbour in a grapheme cluster (UAX #29: Grapheme_Cluster_Break Other or Control):
# Latin-1 and Latin Extended up to the combining marks at U+0300, and the dashes, quotes, ellipsis, primes and
# currency signs of General Punctuation and Currency Symbols (not the zero-width and bidi formats among them).
_ALONE = re.compile("[\x00-\x0c\x0e-\u02ff\u2010-\u2027\u2030-\u205e\u20a0-\u20cf]*")


def grapheme_clusters(text: str) -> list[str]:
    """The extended grapheme clusters of ``text``. Text of characters that stand alone (English with typographic
    punctuation) is one cluster per character, without loading ``regex`` and its Unicode tables."""
    if _ALONE.fullmatch(text):
        return list(text)
    return _pattern(r"\X").findall(text)


def is_ignorable(cp: int) -> bool:
    """Format characters that draw nothing and need no glyph of their own (joiners, variation selectors, marks)."""
    return cp in _IGNORABLE or any(cp in block for block in _VARIATION)


def is_emoji(codepoints: list[int]) -> bool:
    """Whether a cluster is shown as an emoji: emoji presentation, a flag, a keycap, a skin tone, a tag sequence."""
    if 0xFE0E in codepoints:
        return False
    for cp in codepoints:
        if cp in (0xFE0F, 0x20E3) or 0x1F3FB <= cp <= 0x1F3FF or 0x1F1E6 <= cp <= 0x1F1FF or 0xE0020 <= cp <= 0xE007F:
            return True
    first = codepoints[0]
    return first >= 0x1F000 or first in _BMP_EMOJI


def _is_neutral(codepoints: list[int]) -> bool:
    return all(unicodedata.category(chr(cp))[0] in "ZPNSC" for cp in codepoints)


def cjk_preference(text: str) -> str | None:
    """Which CJK family to try first: Japanese with kana, Korean with Hangul, Simplified Chinese with other Han."""
    if not text or max(text) < "\u1100":  # Hangul Jamo, the first of these scripts, start at U+1100
        return None
    if _pattern(_KANA).search(text):
        return "notosansjp"
    if _pattern(_HANGUL).search(text):
        return "notosanskr"
    if _pattern(_HAN).search(text):
        return "notosanssc"
    return None


def _slot(cluster: str, slots: int, covers: Covers, previous: int | None) -> int:
    emoji = slots - 1
    everything = [ord(char) for char in cluster]
    needed = [cp for cp in everything if not is_ignorable(cp)]
    if not needed:
        return previous if previous is not None else 0
    if is_emoji(everything) and covers(emoji, needed):
        return emoji
    if previous is not None and previous != emoji and _is_neutral(needed) and covers(previous, needed):
        return previous
    for slot in range(slots):
        if covers(slot, needed):
            return slot
    for slot in range(slots):  # no face has all of it: the first with the base character
        if covers(slot, needed[:1]):
            return slot
    return 0


def itemize(text: str, slots: int, covers: Covers, previous: int | None = None) -> list[tuple[str, int]]:
    """``text`` as runs of (text, slot). ``previous`` is the slot of the text just before (neutral clusters may
    stay with it)."""
    if previous in (None, 0) and text.isascii() and covers(0, sorted({ord(char) for char in text})):
        return [(text, 0)] if text else []
    runs: list[tuple[str, int]] = []
    for cluster in grapheme_clusters(text):
        slot = _slot(cluster, slots, covers, previous)
        if runs and runs[-1][1] == slot:
            runs[-1] = (runs[-1][0] + cluster, slot)
        else:
            runs.append((cluster, slot))
        previous = slot
    return runs


def break_chunks(word: str) -> list[str]:
    """A word cut where CJK text may break a line: around each CJK character, keeping closing punctuation and
    small kana with what they follow and opening brackets with what follows them."""
    if not word or max(word) < "\u2e80" or not _pattern(_CJK_CHAR).search(word):  # CJK radicals, at U+2E80, first
        return [word]
    cjk = _pattern(_CJK_CHAR)
    chunks: list[str] = []
    current = ""
    for char in word:
        cjk_edge = bool(cjk.match(char)) or bool(current and cjk.match(current[-1]))
        joins = unicodedata.combining(char) or is_ignorable(ord(char))
        if current and cjk_edge and not joins and char not in _NO_BREAK_BEFORE and current[-1] not in _NO_BREAK_AFTER:
            chunks.append(current)
            current = ""
        current += char
    chunks.append(current)
    return chunks
