"""Font runs: every cluster to the first face that has it, emoji sequences whole, neutrals kept with their run."""

from __future__ import annotations

import pytest
import regex

from renderer import itemize as itemizer
from renderer.fonts import FontBook
from renderer.itemize import break_chunks, cjk_preference, grapheme_clusters, is_emoji, itemize
from renderer.layers.text import LayerFaces

BOOK = FontBook()


def chain(text: str, family: str = "Inter") -> LayerFaces:
    return LayerFaces(BOOK, family, "regular", False, BOOK.fallbacks(cjk_preference(text)))


def runs(text: str, family: str = "Inter") -> list[tuple[str, str]]:
    faces = chain(text, family)
    found = itemize(text, faces.slots, lambda slot, cps: faces.covers(False, False, slot, cps))
    return [(run, faces.chain(False, False)[slot].family) for run, slot in found]


def test_latin_stays_in_the_chosen_family_in_one_run() -> None:
    assert runs("Hello, world! 80% faster") == [("Hello, world! 80% faster", "Inter")]


def test_each_script_goes_to_a_font_that_has_it() -> None:
    assert runs("Hello مرحبا") == [("Hello ", "Inter"), ("مرحبا", "NotoSansArabic")]
    assert runs("Shalom שלום") == [("Shalom ", "Inter"), ("שלום", "NotoSansHebrew")]
    assert runs("สวัสดี") == [("สวัสดี", "NotoSansThai")]
    assert runs("東京") == [("東京", "NotoSansSC")]
    assert runs("東京のカフェ")[0][1] == "NotoSansJP"
    assert runs("서울")[0][1] == "NotoSansKR"


def test_spaces_and_punctuation_stay_with_the_run_before_them() -> None:
    assert runs("مرحبا بالعالم!") == [("مرحبا بالعالم!", "NotoSansArabic")]


@pytest.mark.parametrize(
    "emoji",
    [
        "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # family, a ZWJ sequence
        "\U0001f1e9\U0001f1ea",  # a flag
        "\U0001f44d\U0001f3fd",  # a skin tone
        "1\ufe0f\u20e3",  # a keycap
        "\u2764\ufe0f",  # a text character in emoji presentation
        "\U0001f680",
    ],
)
def test_an_emoji_sequence_is_one_cluster_in_the_emoji_font(emoji: str) -> None:
    assert runs(f"Go {emoji} now") == [("Go ", "Inter"), (emoji, "NotoColorEmoji"), (" now", "Inter")]
    assert is_emoji([ord(c) for c in emoji])


def test_text_presentation_stays_text() -> None:
    assert not is_emoji([ord("\u2764"), 0xFE0E])
    assert not is_emoji([ord("#")])
    assert runs("\u00a9 2026") == [("\u00a9 2026", "Inter")]


def test_cjk_preference_follows_the_text() -> None:
    assert cjk_preference("日本語のテキスト") == "notosansjp"
    assert cjk_preference("한국어 제목") == "notosanskr"
    assert cjk_preference("中文标题") == "notosanssc"
    assert cjk_preference("plain") is None


def test_cjk_text_may_break_between_characters_but_not_before_closing_punctuation() -> None:
    assert break_chunks("日本語。") == ["日", "本", "語。"]
    assert break_chunks("「東京」へ") == ["「東", "京」", "へ"]
    assert break_chunks("React入門") == ["React", "入", "門"]
    assert break_chunks("plain-word") == ["plain-word"]


def test_spaces_and_digits_inside_arabic_stay_in_the_arabic_run() -> None:
    faces = chain("x")
    covers = lambda slot, cps: faces.covers(False, False, slot, cps)  # noqa: E731
    arabic = faces.chain(False, False).index(BOOK.face("NotoSansArabic", "regular", False))
    assert itemize(" 80 ", faces.slots, covers, previous=arabic) == [(" 80 ", arabic)]
    assert itemize(" 80 ", faces.slots, covers, previous=0) == [(" 80 ", 0)]


def test_characters_taken_as_standing_alone_do_stand_alone() -> None:
    """The fast path of ``grapheme_clusters`` (no ``regex``) agrees with UAX #29 for every character it accepts,
    beside letters, accented letters and itself."""
    alone = [chr(c) for c in range(0x110000) if itemizer._ALONE.fullmatch(chr(c))]
    assert 800 < len(alone) < 1000
    for char in alone:
        for text in ("a" + char + "b", char + char, "\u00e9" + char + "-"):
            assert regex.findall(r"\X", text) == list(text), hex(ord(char))


@pytest.mark.parametrize(
    "text",
    [
        "Why Postgres \u2014 the \u201cboring\u201d choice\u2026 \u20ac5",
        "line\r\nbreak",
        "cafe\u0301",
        "\U0001f44b\U0001f3fd hi",
        "\ud55c\uad6d\uc5b4",
        "",
        "soft\u00adhyphen",
        "zero\u200bwidth",
    ],
)
def test_grapheme_clusters_are_those_of_regex(text: str) -> None:
    assert grapheme_clusters(text) == regex.findall(r"\X", text)


def test_no_character_below_the_thresholds_is_cjk() -> None:
    """``cjk_preference`` and ``break_chunks`` skip ``regex`` for text below U+1100 and U+2E80."""
    below_hangul = "".join(map(chr, range(0x1100)))
    assert cjk_preference(below_hangul) is None
    for pattern in (itemizer._KANA, itemizer._HANGUL, itemizer._HAN):
        assert not regex.search(pattern, below_hangul)
    assert not regex.search(itemizer._CJK_CHAR, "".join(map(chr, range(0x2E80))))
    assert cjk_preference("\u2e80") == "notosanssc"
    assert break_chunks("a\u2e80b") == ["a", "\u2e80", "b"]
