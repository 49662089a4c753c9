from __future__ import annotations

from io import BytesIO

import pytest

from renderer.fonts import CJK_FAMILIES, FontBook, bundled, check_layout_engine, drawable, family_key, font

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


def test_a_font_signature_with_garbage_behind_it_is_refused() -> None:
    with pytest.raises(ValueError, match="not a readable font"):
        FontBook().add_custom("Broken", "regular", False, b"OTTO" + b"\x00garbage" * 20)


def test_parsed_fonts_are_cached() -> None:
    book = FontBook()
    face = book.face("Inter", "regular", False)
    assert font(face, 31.5, book) is font(face, 31.5, book)


@pytest.mark.parametrize("size", [1e-6, 0.01, 0.4])
def test_sizes_below_a_pixel_are_drawn_at_one_pixel(size: float) -> None:
    book = FontBook()
    assert font(book.face("Inter", "regular", False), size, book).size == 1.0


FAMILIES = [
    "Inter",
    "Roboto",
    "OpenSans",
    "Montserrat",
    "Poppins",
    "Lato",
    "NotoSans",
    "NotoSerif",
    "PlayfairDisplay",
    "Merriweather",
    "Raleway",
    "Oswald",
    "SourceSans3",
    "Nunito",
    "WorkSans",
    "DMSans",
    "SpaceGrotesk",
    "Lora",
    "Rubik",
    "RobotoMono",
]


@pytest.mark.parametrize("family", FAMILIES)
def test_the_twenty_title_families_are_bundled_with_regular_and_bold(family: str) -> None:
    faces = bundled().faces[family_key(family)]
    weights = {face.weight for face in faces if not face.italic}
    assert {400, 700} <= weights
    face = FontBook().face(family, "bold", False)
    assert (face.family, face.weight) == (family, 700)


def test_families_are_found_by_their_display_names() -> None:
    assert FontBook().face("Open Sans", "regular", False).family == "OpenSans"
    assert FontBook().face("Source Sans 3", "regular", True).italic


def test_fallbacks_put_the_cjk_family_the_text_suggests_first() -> None:
    chain = FontBook().fallbacks("notosansjp")
    assert chain[0] == "notosans"
    cjk = [key for key in chain if key in CJK_FAMILIES]
    assert cjk[0] == "notosansjp"
    assert set(cjk) == set(CJK_FAMILIES)


def test_coverage_agrees_with_the_font_files() -> None:
    from fontTools.ttLib import TTFont

    book = FontBook()
    for family in ("Inter", "NotoSansArabic", "NotoColorEmoji"):
        face = book.face(family, "regular", False)
        with TTFont(bundled().paths[face.source], lazy=True) as parsed:
            cmap = set(parsed.getBestCmap())
        sample = sorted(cmap)[:: max(1, len(cmap) // 200)]
        assert book.covers(face, sample)
        missing = next(cp for cp in range(0x20, 0x30000) if cp not in cmap)
        assert not book.covers(face, [missing])


@pytest.mark.parametrize("flavor", ["woff", "woff2"])
def test_woff_and_woff2_fonts_are_unpacked_for_freetype(flavor: str) -> None:
    from fontTools.ttLib import TTFont

    with TTFont(bundled().paths["bundled:inter/Inter-Bold.ttf"]) as parsed:
        parsed.flavor = flavor
        packed = BytesIO()
        parsed.save(packed)
    book = FontBook()
    face = book.add_custom("Packed", "bold", False, packed.getvalue())
    assert book.covers(face, [ord("A"), ord("é")])
    assert font(face, 30, book).getlength("Hello") == pytest.approx(
        font(book.face("Inter", "bold", False), 30, book).getlength("Hello")
    )


def test_a_missing_bold_or_italic_face_is_synthesised() -> None:
    book = FontBook()
    oswald = book.face("Oswald", "bold", True)  # Oswald has no italics
    assert not oswald.italic
    face = drawable(oswald, 40, book, 700, True)
    assert face.slant > 0
    assert face.embolden == 0
    assert "synthetic italic" in face.name
    jp = book.face("NotoSansJP", "bold", False)  # one weight bundled
    assert jp.weight == 400
    bold = drawable(jp, 40, book, 700, False)
    assert bold.embolden > 0
    assert not drawable(book.face("Inter", "bold", True), 40, book, 700, True).slant


def test_colour_emoji_are_drawn_at_their_strike_and_scaled() -> None:
    book = FontBook()
    face = drawable(book.face("NotoColorEmoji", "regular", False), 54.5, book, 400, False)
    assert face.color
    assert face.scale == pytest.approx(54.5 / 109)
    assert face.length("\U0001f680") == pytest.approx(face.font.getlength("\U0001f680") * face.scale)


def test_the_layout_engine_has_fribidi_and_harfbuzz() -> None:
    check_layout_engine()  # raises when FriBiDi is missing: right-to-left text would be wrong
