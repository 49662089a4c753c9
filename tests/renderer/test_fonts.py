from __future__ import annotations

import pytest

from renderer.fonts import FontBook, bundled, family_key, font

INTER = bundled().names["inter"]


def test_inter_is_bundled_in_nine_weights_upright_and_italic() -> None:
    faces = bundled().faces["inter"]
    assert sorted({f.weight for f in faces}) == [100, 200, 300, 400, 500, 600, 700, 800, 900]
    assert len(faces) == 18
    assert {f.italic for f in faces} == {False, True}


@pytest.mark.parametrize(
    ("family", "weight", "italic", "want"),
    [
        ("Inter", "bold", False, (700, False)),
        ("inter", "thin", True, (100, True)),
        ("Definitely Not A Font", "regular", False, (400, False)),
        ("Definitely Not A Font", "black", True, (900, True)),
    ],
)
def test_face_choice(family: str, weight: str, italic: bool, want: tuple[int, bool]) -> None:
    face = FontBook().face(family, weight, italic)
    assert face.family == INTER
    assert (face.weight, face.italic) == want


def test_family_names_compare_loosely() -> None:
    assert family_key("Open Sans") == family_key("open-sans") == family_key("OpenSans")


def test_custom_font_wins_for_its_weight_and_bundled_fills_the_rest() -> None:
    book = FontBook()
    data = bundled().paths["bundled:inter/Inter-Black.ttf"].read_bytes()
    custom = book.add_custom("Inter", "bold", False, data)
    assert book.face("Inter", "bold", False) == custom
    assert book.face("Inter", "regular", False).source.startswith("bundled:")


def test_a_custom_family_without_the_weight_uses_its_nearest_face() -> None:
    book = FontBook()
    data = bundled().paths["bundled:inter/Inter-Light.ttf"].read_bytes()
    custom = book.add_custom("Acme Sans", "light", False, data)
    assert book.face("acme sans", "bold", False) == custom


def test_something_that_is_not_a_font_is_refused_before_freetype_sees_it() -> None:
    with pytest.raises(ValueError, match="not a font file"):
        FontBook().add_custom("Broken", "regular", False, b"definitely not a font file")


def test_a_font_signature_with_garbage_behind_it_is_refused_by_freetype() -> None:
    with pytest.raises(OSError):  # noqa: PT011 - FreeType only says "unknown file format"
        FontBook().add_custom("Broken", "regular", False, b"OTTO" + b"\x00garbage" * 20)


def test_parsed_fonts_are_cached() -> None:
    book = FontBook()
    face = book.face("Inter", "regular", False)
    assert font(face, 31.5, book) is font(face, 31.5, book)


@pytest.mark.parametrize("size", [1e-6, 0.01, 0.4])
def test_sizes_below_a_pixel_are_drawn_at_one_pixel(size: float) -> None:
    book = FontBook()
    assert font(book.face("Inter", "regular", False), size, book).size == 1.0
