"""Symbol encoding, no pixels: check digits, module counts, code set choice, value rules."""

from __future__ import annotations

import pytest

from renderer import symbols


@pytest.mark.parametrize(("body", "digit"), [("400638133393", 1), ("590123412345", 7), ("9638507", 4), ("0000000", 0)])
def test_ean_check_digits(body: str, digit: int) -> None:
    assert symbols.ean_check_digit(body) == digit


@pytest.mark.parametrize(
    ("fmt", "value", "modules"),
    [
        ("ean13", "400638133393", 95),
        ("ean8", "9638507", 67),
        ("code39", "AB", 4 * 15 + 3),  # start, 2 characters, stop: 15 modules each (3 wide of 3), gaps between
        ("itf", "1234", 4 + 2 * 18 + 5),
        ("codabar", "A1B", 13 + 11 + 13 + 2),  # 7 elements each: A and B have 3 wide ones, digits 2; gaps between
    ],
)
def test_module_counts(fmt: symbols.BarcodeFormat, value: str, modules: int) -> None:
    symbol = symbols.barcode(fmt, value)
    assert len(symbol.modules) == modules
    assert symbol.modules[0] == "1"
    assert symbol.modules[-1] == "1"


def test_code128_packs_digit_runs_in_code_set_c() -> None:
    digits = symbols.barcode("code128", "1234567890")  # start C, 5 pairs, check, stop
    letters = symbols.barcode("code128", "ABCDEFGHIJ")  # start B, 10 characters, check, stop
    assert len(digits.modules) == 11 * 7 + 13
    assert len(letters.modules) == 11 * 12 + 13


def test_every_code128_pattern_is_eleven_modules() -> None:
    widths = symbols._CODE128
    assert len(widths) == 107
    assert all(sum(int(w) for w in pattern) == 11 for pattern in widths[:106])
    assert sum(int(w) for w in widths[106]) == 13


@pytest.mark.parametrize(
    ("given", "name"), [("EAN-13", "ean13"), ("Code 128", "code128"), ("ean_8", "ean8"), ("ITF", "itf"), ("upc", "upc")]
)
def test_format_names(given: str, name: str) -> None:
    assert symbols.parse_format(given) == name


def test_a_value_too_long_for_any_qr_code() -> None:
    with pytest.raises(ValueError, match="too long for a QR code"):
        symbols.qr_matrix("x" * 2332)
