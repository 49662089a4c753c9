"""Machine-readable symbols: QR codes (encoded by segno) and the linear barcodes of the reference (code128, ean13,
ean8, code39, itf, codabar), as module patterns. The value rules live here too, so that the request model refuses a
bad value with the rule it breaks. Pure tables and arithmetic: no pixels (``renderer.layers.qr`` and
``renderer.layers.barcode`` draw them).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, NamedTuple


def _words(text: str) -> list[str]:
    """A table written as words separated by spaces."""
    return text.split()


BarcodeFormat = Literal["code128", "ean13", "ean8", "code39", "itf", "codabar"]
BARCODE_FORMATS: tuple[BarcodeFormat, ...] = ("code128", "ean13", "ean8", "code39", "itf", "codabar")
QR_QUIET_ZONE = 4  # modules of background around a QR code (ISO/IEC 18004)


# --- QR codes ----------------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def qr_matrix(value: str) -> tuple[bytes, ...]:
    """The modules of ``value`` as a QR code (1 = dark), without the quiet zone: error correction M at least (raised
    when the version has room to spare), the smallest version that holds it. Raises ``ValueError`` when it is too long.
    """
    import segno  # noqa: PLC0415 - only requests with a QR code pay for importing it

    try:
        code = segno.make_qr(value, error="m", boost_error=True)
    except segno.DataOverflowError:
        raise ValueError("is too long for a QR code (at most 2,331 bytes of text at error correction M)") from None
    return tuple(bytes(row) for row in code.matrix)


# --- linear barcodes ---------------------------------------------------------------------------------------------


class Symbol(NamedTuple):
    """A linear barcode: one character per module (``1`` bar, ``0`` space) and the quiet zones it needs, in modules."""

    modules: str
    quiet_left: int
    quiet_right: int

    @property
    def width(self) -> int:
        """Modules in all, quiet zones included."""
        return self.quiet_left + len(self.modules) + self.quiet_right


def _runs(widths: str, wide: int = 1) -> str:
    """Alternating bar/space widths (bar first) -> modules. ``wide`` replaces a width of ``w`` in patterns written
    as narrow (``n``) / wide (``w``)."""
    out = []
    for k, width in enumerate(widths):
        count = {"n": 1, "w": wide}.get(width) or int(width)
        out.append(("1" if k % 2 == 0 else "0") * count)
    return "".join(out)


# Code 128: the bar/space widths of the 107 symbol values (103-105 start A/B/C, 106 stop).
_CODE128 = _words(
    "212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 "
    "122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 "
    "322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 "
    "112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 "
    "331121 312113 312311 332111 314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 "
    "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212 "
    "124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 114311 411113 "
    "411311 113141 114131 311141 411131 211412 211214 211232 2331112"
)
_START = {"A": 103, "B": 104, "C": 105}
_SWITCH = {"A": 101, "B": 100, "C": 99}  # the value that switches to a code set (from any other set)

# Code 39: narrow/wide pattern of each character (5 bars, 4 spaces); '*' starts and stops.
_CODE39 = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. *$/+%",
        _words(
            "nnnwwnwnn wnnwnnnnw nnwwnnnnw wnwwnnnnn nnnwwnnnw wnnwwnnnn nnwwwnnnn nnnwnnwnw wnnwnnwnn nnwwnnwnn "
            "wnnnnwnnw nnwnnwnnw wnwnnwnnn nnnnwwnnw wnnnwwnnn nnwnwwnnn nnnnnwwnw wnnnnwwnn nnwnnwwnn nnnnwwwnn "
            "wnnnnnnww nnwnnnnww wnwnnnnwn nnnnwnnww wnnnwnnwn nnwnwnnwn nnnnnnwww wnnnnnwwn nnwnnnwwn nnnnwnwwn "
            "wwnnnnnnw nwwnnnnnw wwwnnnnnn nwnnwnnnw wwnnwnnnn nwwnwnnnn nwnnnnwnw wwnnnnwnn nwwnnnwnn nwnnwnwnn "
            "nwnwnwnnn nwnwnnnwn nwnnnwnwn nnnwnwnwn"
        ),
        strict=True,
    )
)

# Codabar: narrow/wide pattern of each character (4 bars, 3 spaces); A-D start and stop.
_CODABAR = dict(
    zip(
        "0123456789-$:/.+ABCD",
        _words(
            "nnnnnww nnnnwwn nnnwnnw wwnnnnn nnwnnwn wnnnnwn nwnnnnw nwnnwnn nwwnnnn wnnwnnn nnnwwnn nnwwnnn "
            "wnnnwnw wnwnnnw wnwnwnn nnwnwnw nnwwnwn nwnwnnw nnnwnww nnnwwwn"
        ),
        strict=True,
    )
)

# ITF: narrow/wide pattern of each digit (5 elements; the bars of one digit interleave with the spaces of the next).
_ITF = _words("nnwwn wnnnw nwnnw wwnnn nnwnw wnwnn nwwnn nnnww wnnwn nwnwn")

# EAN: the L (odd parity) codes of the digits; R codes are their complement, G codes the R codes reversed.
_EAN_L = _words("0001101 0011001 0010011 0111101 0100011 0110001 0101111 0111011 0110111 0001011")
_EAN_R = ["".join("1" if m == "0" else "0" for m in code) for code in _EAN_L]
_EAN_G = [code[::-1] for code in _EAN_R]
_EAN13_PARITY = _words("LLLLLL LLGLGG LLGGLG LLGGGL LGLLGG LGGLLG LGGGLL LGLGLG LGLGGL LGGLGL")

_CODE39_CHARS = frozenset(_CODE39) - {"*"}
_CODABAR_DATA = frozenset("0123456789-$:/.+")
_CODABAR_ENDS = frozenset("ABCD")
WIDE = 3  # a wide element is three narrow ones (code39, itf, codabar; the standards allow 2 to 3)


def ean_check_digit(digits: str) -> int:
    """The check digit of an EAN-13 or EAN-8 body: weights 3 and 1 alternating from the rightmost digit."""
    total = sum(int(d) * (3 if k % 2 == 0 else 1) for k, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def _check_ean(value: str, name: str, length: int) -> None:
    if not value.isascii() or not value.isdigit() or len(value) not in (length - 1, length):
        raise ValueError(f"{name} takes {length - 1} or {length} digits (the last one the check digit), not {value!r}")
    if len(value) == length:
        expected = ean_check_digit(value[:-1])
        if int(value[-1]) != expected:
            raise ValueError(f"the {name} check digit of {value[:-1]} is {expected}, not {value[-1]}")


def _check(fmt: BarcodeFormat, value: str) -> None:
    if fmt == "ean13":
        _check_ean(value, "ean13", 13)
    elif fmt == "ean8":
        _check_ean(value, "ean8", 8)
    elif fmt == "itf":
        if not value.isascii() or not value.isdigit() or len(value) % 2:
            raise ValueError(f"itf takes an even number of digits, not {value!r}")
    elif fmt == "codabar":
        upper = value.upper()
        if len(upper) < 2 or upper[0] not in _CODABAR_ENDS or upper[-1] not in _CODABAR_ENDS:
            raise ValueError(f"codabar starts and ends with A, B, C or D, not {value!r}")
        if bad := sorted(set(upper[1:-1]) - _CODABAR_DATA):
            raise ValueError(f"codabar encodes digits and - $ : / . + between its start and stop, not {bad}")
    elif fmt == "code39":
        if bad := sorted(set(value) - _CODE39_CHARS):
            raise ValueError(f"code39 encodes A-Z, 0-9, space and - . $ / + %, not {bad}")
    elif bad := sorted({c for c in value if ord(c) > 127}):
        raise ValueError(f"code128 encodes ASCII characters only, not {bad}")


def check_barcode(fmt: BarcodeFormat, value: str) -> str:
    """``value`` if ``fmt`` can encode it; else ``ValueError`` naming the rule it breaks."""
    _check(fmt, value)
    return value


def _code128_values(value: str) -> list[int]:
    """Symbol values (start, data, code set switches), greedily: code set C for runs of four digits or more, A for
    control characters, B otherwise."""

    def digit_run(at: int) -> int:
        end = at
        while end < len(value) and value[end].isdigit():
            end += 1
        return end - at

    def text_set(at: int) -> Literal["A", "B"]:
        for char in value[at:]:
            if ord(char) < 32:
                return "A"
            if ord(char) >= 96:
                return "B"
        return "B"

    run = digit_run(0)
    current: Literal["A", "B", "C"] = "C" if run >= 4 or (run == len(value) > 1 and run % 2 == 0) else text_set(0)
    values = [_START[current]]
    i = 0
    while i < len(value):
        run = digit_run(i)
        if current == "C" and run >= 2:
            values.append(int(value[i : i + 2]))
            i += 2
            continue
        if current != "C" and run >= 4 and run % 2 == 0:
            current = "C"
            values.append(_SWITCH["C"])
            continue
        code = ord(value[i])
        needed: Literal["A", "B"] | None = "A" if code < 32 else "B" if code >= 96 else None
        if current == "C" or (needed and needed != current):
            current = needed or text_set(i)
            values.append(_SWITCH[current])
        values.append(code + 64 if code < 32 else code - 32)
        i += 1
    return values


def _code128(value: str) -> Symbol:
    values = _code128_values(value)
    check = (values[0] + sum(k * v for k, v in enumerate(values[1:], start=1))) % 103
    modules = "".join(_runs(_CODE128[v]) for v in [*values, check, 106])
    return Symbol(modules, 10, 10)


def _ean(value: str, length: int) -> Symbol:
    digits = value if len(value) == length else value + str(ean_check_digit(value))
    if length == 13:
        parity = _EAN13_PARITY[int(digits[0])]
        left = "".join((_EAN_L if p == "L" else _EAN_G)[int(d)] for p, d in zip(parity, digits[1:7], strict=True))
        right = digits[7:]
    else:
        left = "".join(_EAN_L[int(d)] for d in digits[:4])
        right = digits[4:]
    modules = "101" + left + "01010" + "".join(_EAN_R[int(d)] for d in right) + "101"
    return Symbol(modules, 11 if length == 13 else 7, 7)


def _code39(value: str) -> Symbol:
    chars = [_runs(_CODE39[c], WIDE) for c in f"*{value}*"]
    return Symbol("0".join(chars), 10, 10)


def _itf(value: str) -> Symbol:
    body = []
    for k in range(0, len(value), 2):
        bars, spaces = _ITF[int(value[k])], _ITF[int(value[k + 1])]
        body.append(_runs("".join(b + s for b, s in zip(bars, spaces, strict=True)), WIDE))
    return Symbol("1010" + "".join(body) + _runs("wnn", WIDE), 10, 10)


def _codabar(value: str) -> Symbol:
    chars = [_runs(_CODABAR[c], WIDE) for c in value.upper()]
    return Symbol("0".join(chars), 10, 10)


def barcode(fmt: BarcodeFormat, value: str) -> Symbol:
    """The modules of ``value`` in ``fmt`` (EAN check digits added when left out). ``ValueError`` on a bad value."""
    _check(fmt, value)
    if fmt == "code128":
        return _code128(value)
    if fmt in ("ean13", "ean8"):
        return _ean(value, 13 if fmt == "ean13" else 8)
    if fmt == "code39":
        return _code39(value)
    if fmt == "itf":
        return _itf(value)
    return _codabar(value)


def parse_format(value: object) -> object:
    """``"EAN-13"``, ``"ean_13"``, ``"Code 128"`` -> the reference's lower-case name (anything else is left to fail)."""
    if not isinstance(value, str):
        return value
    return re.sub(r"[\s_-]", "", value.strip().lower())
