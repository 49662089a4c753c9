"""Fuzzing the request model and render(): arbitrary JSON, near-valid requests in both dialects with random
mutations, and any unicode text. Whatever comes in, render() returns an image of the request's size or raises a
RenderError; never anything else. What the fuzzing found is kept at the end as plain examples: regressions for what
is fixed (each was found here and fixed in the renderer), and ``_excluded`` keeps slow sizes out of the
properties."""

from __future__ import annotations

import base64
import json
import math
import re
import struct
import textwrap
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFont
from probes import run_python

from renderer import (
    EncodeError,
    FontLoadError,
    ImageLoadError,
    InvalidRequest,
    RenderedImage,
    RenderError,
    RenderRequest,
    parse_request,
    render,
)
from renderer.encode import MIME_TYPES
from renderer.fonts import bundled

ROOT = Path(__file__).resolve().parents[2]

# --- the property ------------------------------------------------------------------------------------------------

_ASSET_FIELD = re.compile(r"(layers\[\d+\]\.file|fonts\[\d+\](\.file)?)")


def assert_well_formed(error: InvalidRequest) -> None:
    assert error.problems, "an InvalidRequest without problems"
    for problem in error.problems:
        assert isinstance(problem.path, str)
        assert problem.message.strip(), f"empty message at {problem.path!r}"
    assert str(error)


def parsed(candidate: Any) -> RenderRequest | InvalidRequest:
    try:
        return parse_request(candidate)
    except InvalidRequest as error:
        return error


def attempt(candidate: Any) -> RenderedImage | RenderError:
    """``render(candidate)``, its RenderError returned rather than raised (any other exception propagates)."""
    try:
        return render(candidate)
    except RenderError as error:
        return error


def render_or_refuse(candidate: Any) -> RenderedImage | None:
    """The property: ``render(candidate)`` gives an image of the request's own size, in its format, or raises a
    RenderError (an InvalidRequest with well-formed problems, or an asset or encoding error naming its field).
    Anything else propagates and fails the test."""
    expected = parsed(candidate)
    if isinstance(expected, InvalidRequest):
        event("refused by validation")
        assert_well_formed(expected)
        again = attempt(candidate)
        assert isinstance(again, InvalidRequest)
        assert again.problems == expected.problems
        return None
    assume(not _excluded(expected))
    outcome = attempt(candidate)
    if isinstance(outcome, InvalidRequest):  # the limits (canvas, boxes, text, fonts) are checked after validation
        event("refused by a limit")
        assert_well_formed(outcome)
        return None
    if isinstance(outcome, ImageLoadError | FontLoadError):
        event(f"refused: {type(outcome).__name__}")
        assert outcome.message
        assert outcome.field is not None
        assert _ASSET_FIELD.fullmatch(outcome.field), outcome.field
        return None
    if isinstance(outcome, EncodeError):
        event("refused: EncodeError")
        assert outcome.field == "output_format"
        return None
    assert isinstance(outcome, RenderedImage), f"unexpected {type(outcome).__name__}: {outcome}"
    event("rendered")
    size = (expected.dimensions.width_in_px, expected.dimensions.height_in_px)
    assert (outcome.width, outcome.height) == size
    assert outcome.mime_type == MIME_TYPES[expected.output_format]
    with Image.open(BytesIO(outcome.data)) as decoded:
        assert decoded.size == size
    return outcome


# --- what the properties leave out: slow sizes -------------------------------------------------------------------

FAST_SIDE = 1024  # canvas sides and layer boxes the properties render (larger ones are slow, not wrong)


def _excluded(request: RenderRequest) -> bool:
    sides = [request.dimensions.width_in_px, request.dimensions.height_in_px]
    for layer in request.layers:
        if layer.dimensions is not None:
            sides += [layer.dimensions.width_in_px, layer.dimensions.height_in_px]
    return max(sides) > FAST_SIDE


# --- arbitrary JSON ----------------------------------------------------------------------------------------------

KEYS = [
    "dimensions", "layers", "fonts", "output_format", "webhook_url", "type", "index", "width", "height",
    "width_in_px", "height_in_px", "x", "y", "x_in_px", "y_in_px", "position", "hex_color", "text", "text_color",
    "font_size_in_px", "font_name", "font_weight", "file", "buffer", "base64", "url", "name", "weight", "style",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["solid-color", "text", "image", "rectangle", "static-image", "#fff", "png", "bold", "base64"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=24,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
@example({"dimensions": {"width": 3, "height": 2}, "layers": [{"type": "solid-color", "hex_color": "#abc"}]})
@example([{"dimensions": {}}])
@example({"dimensions": {"width_in_px": math.nan, "height_in_px": math.inf}, "layers": [None]})
def test_arbitrary_json_renders_or_is_refused(value: Any) -> None:
    render_or_refuse(value)


# --- near-valid requests -----------------------------------------------------------------------------------------

SIDES = st.integers(1, 300)
COORDS = st.floats(-50, 350, allow_nan=False) | st.integers(-50, 350)
HEX = "0123456789abcdefABCDEF"
valid_colours = st.one_of(
    st.builds(lambda h, n, p: p + h[:n], st.text(HEX, min_size=8, max_size=8), st.sampled_from([3, 4, 6, 8]),
              st.sampled_from(["#", "", " #"])),
    st.lists(st.integers(0, 255), min_size=4, max_size=4),
)  # fmt: skip
broken_colours = st.one_of(
    st.text(HEX + "#xg ", max_size=10),  # random hex strings, mostly of the wrong length
    st.lists(st.integers(0, 255) | st.floats(0, 255) | st.text(max_size=2), min_size=3, max_size=5),
)
valid_weights = st.one_of(
    st.sampled_from(
        ["thin", "extralight", "light", "regular", "medium", "semibold", "bold", "extrabold", "black", "Bold",
         "SemiBold", "semi-bold", "Extra Light", "heavy", "book", "normal", "hairline", "700", " 300 "]
    ),
    st.integers(1, 1000),
    st.floats(1, 1000),
)  # fmt: skip
broken_weights = st.one_of(
    st.sampled_from(["ultra", "", "bolder", "-700", "\uff17\uff10\uff10"]),
    st.integers(-100, 0) | st.integers(1001, 5000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
weird = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 400),
    st.sampled_from([0, -1, 10**6, 2**31, 2**63, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e-300, 1e300, 0.5, 0.49]),
    st.text(max_size=20),
    st.sampled_from(["oblique", "justify", "baseline", "middle", "centre", "ITALIC", "jpg", "bmp", "svg"]),
    valid_colours | broken_colours,
    valid_weights | broken_weights,
    st.lists(st.integers(-300, 300), max_size=5),
    json_values,
)
UNKNOWN_TYPES = ["gradient", "qr-code", "barcode", "layout", "circle", "", "TEXT", "Image", "solid_color", "svg"]


def _named(draw: st.DrawFn, current: dict[str, Any], older: dict[str, str]) -> dict[str, Any]:
    """``current`` with, in a random half of the cases, the older dialect's key names."""
    if draw(st.booleans()):
        return current
    return {older.get(key, key): value for key, value in current.items()}


def _point(draw: st.DrawFn) -> dict[str, Any]:
    return _named(draw, {"x_in_px": draw(COORDS), "y_in_px": draw(COORDS)}, {"x_in_px": "x", "y_in_px": "y"})


def _size(draw: st.DrawFn) -> dict[str, Any]:
    current = {"width_in_px": draw(SIDES), "height_in_px": draw(SIDES)}
    return _named(draw, current, {"width_in_px": "width", "height_in_px": "height"})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@cache
def _inter() -> bytes:
    return bundled().paths["bundled:inter/Inter-Regular.ttf"].read_bytes()


@st.composite
def small_images(draw: st.DrawFn) -> bytes:
    mode = draw(st.sampled_from(["RGB", "RGBA", "L", "LA", "P", "1", "CMYK"]))
    fmt = draw(st.sampled_from(["PNG", "JPEG", "GIF", "WEBP", "TIFF", "BMP"]))
    size = (draw(st.integers(1, 40)), draw(st.integers(1, 40)))
    channels = tuple(draw(st.integers(0, 255)) for _ in Image.new(mode, (1, 1)).getbands())
    image = Image.new(mode, size, channels[0] if len(channels) == 1 else channels)
    out = BytesIO()
    try:
        image.save(out, fmt)
    except (OSError, ValueError, KeyError):  # a mode the format cannot hold: send it as an RGB PNG
        out = BytesIO()
        image.convert("RGB").save(out, "PNG")
    return out.getvalue()


def _file(draw: st.DrawFn, good: bytes) -> dict[str, Any]:
    kind = draw(st.sampled_from(["good", "good", "garbage", "url"]))
    if kind == "url":
        return {"type": "url", "url": draw(st.sampled_from(["https://example.com/a.png", "http://x", "file:///etc"]))}
    data = good if kind == "good" else draw(st.binary(min_size=1, max_size=64))
    source: dict[str, Any] = {"type": "base64", "base64": _b64(data)}
    if draw(st.booleans()):
        source["name"] = draw(st.text(max_size=10))
    return source


@st.composite
def layers(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["solid", "text", "image"]))
    layer: dict[str, Any]
    if kind == "solid":
        layer = {"type": draw(st.sampled_from(["solid-color", "solid-color-background", "rectangle"])),
                 "hex_color": draw(valid_colours)}  # fmt: skip
        if draw(st.booleans()):
            layer["position"] = _point(draw)
        if draw(st.booleans()):
            layer["dimensions"] = _size(draw)
    elif kind == "text":
        layer = {
            "type": "text",
            "text": draw(st.text(max_size=60) | st.sampled_from(["**Bold** and *it*", "a\nb\n\nc", "x " * 30])),
            "font_name": draw(
                st.sampled_from(["Inter", "inter", "Open Sans", "Custom", "Nope"]) | st.text(min_size=1, max_size=8)
            ),
            "font_size_in_px": draw(st.floats(0.01, 120) | st.integers(1, 120)),
            "text_color": draw(valid_colours),
            "position": _point(draw),
            "dimensions": _size(draw),
        }
        optional = {
            "font_weight": valid_weights,
            "font_style": st.sampled_from(["normal", "italic", "Italic", " ITALIC "]),
            "text_align": st.sampled_from(["left", "center", "centre", "right", "Center"]),
            "vertical_align": st.sampled_from(["top", "center", "middle", "bottom", "Centre"]),
            "is_splitting_lines": st.booleans(),
            "paragraph_spacing_in_px": st.floats(0, 50),
            "should_auto_scale": st.booleans(),
        }
        for key, values in optional.items():
            if draw(st.booleans()):
                layer[key] = draw(values)
    else:
        layer = {"type": draw(st.sampled_from(["image", "static-image", "image-overlay"]))}
        source = _file(draw, draw(small_images()))
        if source["type"] == "base64" and "name" not in source and draw(st.booleans()):
            layer["buffer"] = source["base64"]  # the older dialect
        else:
            layer["file"] = source
        if draw(st.booleans()):
            layer["position"] = _point(draw)
        if draw(st.booleans()):
            layer["dimensions"] = _size(draw)
        if draw(st.booleans()):
            layer["focal_point"] = {"x_percent": draw(st.floats(0, 100)), "y_percent": draw(st.floats(0, 100))}
        if draw(st.booleans()):
            layer["should_use_smart_cropping"] = draw(st.booleans())
    if draw(st.booleans()):
        layer["index"] = draw(st.integers(0, 5))
    if draw(st.booleans()):
        layer["opacity"] = draw(st.floats(0, 100))
    if draw(st.booleans()):
        layer["rotation_in_degrees"] = draw(st.sampled_from([0, 90, 180, -45, 360, 720]) | st.floats(-400, 400))
    return layer


@st.composite
def fonts(draw: st.DrawFn) -> dict[str, Any]:
    font: dict[str, Any] = {
        "name": draw(st.sampled_from(["Custom", "Inter", "Open Sans"]) | st.text(min_size=1, max_size=8)),
        "weight": draw(valid_weights),
        "style": draw(st.sampled_from(["normal", "italic", "Italic"])),
    }
    source = _file(draw, _inter())
    if source["type"] == "base64" and draw(st.booleans()):
        font["buffer"] = source["base64"]
    else:
        font["file"] = source
    return font


@st.composite
def valid_skeletons(draw: st.DrawFn) -> dict[str, Any]:
    request: dict[str, Any] = {"dimensions": _size(draw), "layers": draw(st.lists(layers(), min_size=1, max_size=4))}
    if draw(st.booleans()):
        formats = ["png", "jpeg", "jpg", "webp", "gif", "tiff", "tif", "PNG", "avif"]
        request["output_format"] = draw(st.sampled_from(formats))
    if draw(st.booleans()):
        request["fonts"] = draw(st.lists(fonts(), max_size=2))
    return request


def _slots(value: Any) -> list[tuple[dict[str, Any] | list[Any], Any]]:
    """Every (container, key) in the tree: the places a mutation can hit."""
    out: list[tuple[dict[str, Any] | list[Any], Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.append((value, key))
            out += _slots(item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.append((value, i))
            out += _slots(item)
    return out


RENAMES = {
    "width": "width_in_px", "height": "height_in_px", "x": "x_in_px", "y": "y_in_px", "width_in_px": "width",
    "height_in_px": "height", "x_in_px": "x", "y_in_px": "y", "buffer": "file", "file": "buffer",
}  # fmt: skip


def _mutate(draw: st.DrawFn, request: dict[str, Any]) -> None:
    slots = _slots(request)
    if not slots:  # every key deleted already
        return
    container, key = draw(st.sampled_from(slots))
    action = draw(st.sampled_from(["replace", "replace", "delete", "extra", "rename", "type"]))
    if action == "replace":
        container[key] = draw(weird)
    elif action == "delete":
        del container[key]
    elif action == "extra":
        target = container if isinstance(container, dict) else request
        target[draw(st.sampled_from(KEYS) | st.text(max_size=8))] = draw(weird)
    elif action == "rename" and isinstance(container, dict):
        container[RENAMES.get(key, draw(st.text(max_size=8)))] = container.pop(key)
    elif action == "type":
        stack = request.get("layers")
        candidates = [layer for layer in stack if isinstance(layer, dict)] if isinstance(stack, list) else []
        if candidates:
            layer = draw(st.sampled_from(candidates))
            layer["type"] = draw(st.sampled_from(UNKNOWN_TYPES) | st.sampled_from(["text", "image", "rectangle"]))


@st.composite
def near_valid_requests(draw: st.DrawFn) -> dict[str, Any]:
    request = draw(valid_skeletons())
    for _ in range(draw(st.integers(0, 3))):
        _mutate(draw, request)
    return request


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid_requests())
def test_near_valid_requests_render_or_raise_a_render_error(request: dict[str, Any]) -> None:
    render_or_refuse(request)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_skeletons())
def test_unmutated_skeletons_validate_and_render(request: dict[str, Any]) -> None:
    """The skeletons the mutations start from are valid (they may still name files that are not images or fonts,
    or URLs without a fetcher: those are asset errors)."""
    parse_request(request)
    render_or_refuse(request)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(valid_skeletons() | near_valid_requests())
def test_parsing_is_idempotent(request: dict[str, Any]) -> None:
    first = parsed(request)
    assume(isinstance(first, RenderRequest))
    assert isinstance(first, RenderRequest)
    dumped = first.model_dump(mode="json")
    assert parse_request(dumped) == first
    assert parse_request(json.loads(json.dumps(dumped, allow_nan=False))) == first  # and it is plain JSON


# --- any text ----------------------------------------------------------------------------------------------------

EDGE_TEXTS = [
    "", " ", "      ", "\n", "\n" * 40, "\t\t\v\f", "\r\n\r\n", " \n \n ", "\x00", "\x00\x01\x07\x1b[31mred",
    "\x7f\x85\x9f\xa0", "\x1c\x1d\x1e\x1f", "\u200b", "\u200d", "\ufeff", "\u2028\u2029", "e" + "\u0301" * 120,
    "\u0301 starts with a mark",
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",  # Arabic
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",  # Hebrew
    "\u202eevil\u202c text", "abc \u05d0\u05d1\u05d2 def",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f1fa\U0001f1f3\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f642" * 60, "W" * 300, "a" * 200 + " b", "**", "***", "*", "\\*", "**bold", "***x***", "**a *b* c**",
    "\U0010ffff\ufffe\uffff", "\U000e0001\U000e0041", "\ue000\uf8ff", "\ufdfd" * 8, "\U0001242b" * 10,
    "\u00c5\u212b" * 20, "a\ud800b", "\udfff",
]  # fmt: skip

texts = st.one_of(
    st.sampled_from(EDGE_TEXTS),
    st.text(max_size=200),
    st.text(st.characters(codec="utf-8"), max_size=120),
    st.text(st.characters(categories=["Mn", "Me", "Cc", "Cf", "Zs", "Zl", "Zp", "Co", "So"]), max_size=80),
    st.lists(st.sampled_from(EDGE_TEXTS) | st.text(max_size=10), max_size=6).map("".join),
)


@st.composite
def text_layers(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "type": "text",
        "text": draw(texts),
        "font_name": draw(st.sampled_from(["Inter", "Unknown Family"])),
        "font_size_in_px": draw(st.floats(0.01, 200) | st.sampled_from([0.01, 0.4, 0.5, 1, 8, 64, 200])),
        "font_weight": draw(st.sampled_from(["thin", "regular", "semibold", "bold", "black"])),
        "font_style": draw(st.sampled_from(["normal", "italic"])),
        "text_color": draw(st.sampled_from(["#ffffff", "#ff000080", "#000"])),
        "position": {"x_in_px": draw(st.integers(-20, 100)), "y_in_px": draw(st.integers(-20, 100))},
        "dimensions": {"width_in_px": draw(SIDES), "height_in_px": draw(SIDES)},
        "text_align": draw(st.sampled_from(["left", "center", "right"])),
        "vertical_align": draw(st.sampled_from(["top", "center", "bottom"])),
        "is_splitting_lines": draw(st.booleans()),
        "should_auto_scale": draw(st.booleans()),
        "paragraph_spacing_in_px": draw(st.sampled_from([0, 4, 40])),
        "rotation_in_degrees": draw(st.sampled_from([0, 0, 7, -90])),
    }


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_layers(), st.integers(1, 300), st.integers(1, 300))
@example(
    {"type": "text", "text": "tiny", "font_size_in_px": 0.01, "text_color": "#fff",
     "position": {"x_in_px": 0, "y_in_px": 0}, "dimensions": {"width_in_px": 50, "height_in_px": 20}},
    50, 20,
)  # fmt: skip
def test_any_text_renders(layer: dict[str, Any], width: int, height: int) -> None:
    request = {
        "dimensions": {"width_in_px": width, "height_in_px": height},
        "layers": [{"type": "solid-color", "hex_color": "#202040"}, layer],
    }
    image = render_or_refuse(request)
    if image is None:  # only lone surrogates (which JSON can carry) are not text
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in layer["text"]), layer["text"]


# --- found by fuzzing ---------------------------------------------------------------------------------------


def _solid(colour: Any) -> dict[str, Any]:
    return {
        "dimensions": {"width_in_px": 50, "height_in_px": 40},
        "layers": [{"type": "solid-color", "hex_color": colour}],
    }


def _text(**extra: Any) -> dict[str, Any]:
    layer = {
        "type": "text", "text": "Hello", "font_size_in_px": 30, "text_color": "#fff",
        "position": {"x_in_px": 0, "y_in_px": 0}, "dimensions": {"width_in_px": 300, "height_in_px": 300}, **extra,
    }  # fmt: skip
    return {"dimensions": {"width_in_px": 300, "height_in_px": 300}, "layers": [layer]}


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(_solid([10**30, 0, 0, 255]), id="huge-component"),
        pytest.param(_solid([300, -1, 0, 0]), id="out-of-range"),
        pytest.param(_text(text_color=[255, 0, 0, 300]), id="text-alpha-300"),
    ],
)
def test_a_colour_list_is_range_checked(request_: dict[str, Any]) -> None:
    """A list of 4 ints was taken as a colour without a range check: [10**30, 0, 0, 255] made render() raise
    OverflowError (compose.composite -> Image.paste), and [300, -1, 0, 0] rendered, dumping as '#12c-10000', which
    parse_request refused (parsing was not idempotent)."""
    with pytest.raises(InvalidRequest) as caught:
        render(request_)
    assert caught.value.problems[0].path in ("layers[0].hex_color", "layers[0].text_color")


@pytest.mark.parametrize(
    "text",
    ["Line one\r\nLine two", "Line one\rLine two", "Line one\x1cLine two", "Line one\x1dLine two",
     "Line one\x1eLine two", "Line one\x85Line two", "Line one\u2029Line two"],
    ids=["crlf", "cr", "fs", "gs", "rs", "nel", "ps"],
)  # fmt: skip
def test_paragraph_separators_other_than_newline(text: str) -> None:
    """Bidi class B characters other than "\n" (Windows line endings are enough) made raqm_layout() fail with a
    RuntimeError out of render(); they start a paragraph, as "\n" does."""
    image = render(_text(text=text))
    assert (image.width, image.height) == (300, 300)
    assert image.data == render(_text(text="Line one\nLine two")).data


def _glyph_font(table: bytes, fill: bytes) -> bytes:
    """Inter with one sfnt table overwritten by a repeated byte pattern (the table directory is left intact)."""
    font = _inter()
    (count,) = struct.unpack(">H", font[4:6])
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", font[12 + 16 * i : 28 + 16 * i])
        offset, length = int(offset), int(length)
        if tag == table:
            return font[:offset] + (fill * length)[:length] + font[offset + length :]
    raise AssertionError(f"no {table!r} table")


@pytest.mark.parametrize(
    ("table", "fill"),
    [(b"glyf", b"\xff"), (b"glyf", b"\x7f\x01"), (b"hmtx", b"\x7f\x01"), (b"maxp", b"\x00")],
    ids=["glyf-ff", "glyf-7f01", "hmtx-7f01", "maxp-zeros"],
)
def test_a_font_with_broken_glyphs_is_a_font_error(table: bytes, fill: bytes) -> None:
    """FreeType opens these fonts (FontBook.add_custom parses them at 16 px), but drawing their glyphs raised
    OSError ('invalid composite glyph', 'invalid outline', 'raster overflow', 'invalid argument') out of render()."""
    request = _text(font_name="Custom")
    request["fonts"] = [{"name": "Custom", "file": {"type": "base64", "base64": _b64(_glyph_font(table, fill))}}]
    outcome = attempt(request)
    if not isinstance(outcome, RenderedImage):
        assert isinstance(outcome, FontLoadError), outcome
        assert outcome.field in ("fonts[0]", "layers[0].text")


def test_an_unwrapped_line_is_not_a_bomb() -> None:
    """With is_splitting_lines false the whole line was rasterised before the box clipped it: 'W' * 300 at 2000 px
    asked Pillow for an 882-million-pixel mask, and DecompressionBombError escaped render()."""
    outcome = attempt(_text(text="W" * 300, font_size_in_px=2000, is_splitting_lines=False))
    if isinstance(outcome, RenderedImage):
        assert (outcome.width, outcome.height) == (300, 300)


def _measured_characters(monkeypatch: pytest.MonkeyPatch, word_length: int) -> int:
    """How many characters the layout hands to FreeType to measure for one unbreakable word in a 10 px box."""
    measured = 0
    getlength = ImageFont.FreeTypeFont.getlength

    def counting(self: ImageFont.FreeTypeFont, text: str | bytes, *args: Any, **kwargs: Any) -> float:
        nonlocal measured
        measured += len(text)
        return getlength(self, text, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(ImageFont.FreeTypeFont, "getlength", counting)
        render(_text(text="W" * word_length, font_size_in_px=40, dimensions={"width_in_px": 10, "height_in_px": 300}))
    return measured


def test_breaking_a_long_word_is_not_quadratic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-measuring prefixes of the rest of the word made breaking it quadratic: a 5,000-character word (the default
    max_text_length) took ~11 s in one layout, which the time budget cannot interrupt, and 2,000 characters with
    should_auto_scale ~25 s."""
    short, long = _measured_characters(monkeypatch, 500), _measured_characters(monkeypatch, 1000)
    assert long / short < 2.6, f"twice the word, {long / short:.1f} times the measuring"


# A fresh interpreter whose address space is capped 2 GB above what it has mapped, so that a missing bound on a
# layer's box fails fast with MemoryError instead of taking the test machine's memory.
_CAPPED = textwrap.dedent(
    """
    import json, re, resource, sys, time
    from renderer import RenderError, render

    with open("/proc/self/status") as status:
        mapped = int(re.search(r"VmSize:\\s+(\\d+) kB", status.read()).group(1)) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mapped + 2 * 1024**3, mapped + 2 * 1024**3))
    start = time.perf_counter()
    try:
        image = render(json.load(sys.stdin))
        outcome = {"type": "RenderedImage", "size": [image.width, image.height]}
    except RenderError as exc:
        outcome = {"type": "RenderError", "class": type(exc).__name__, "field": exc.field}
    except BaseException as exc:
        outcome = {"type": type(exc).__name__, "message": str(exc)[:200]}
    outcome["seconds"] = time.perf_counter() - start
    print(json.dumps(outcome))
    """
)


def _tiny_png() -> str:
    out = BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(out, "PNG")
    return _b64(out.getvalue())


def _far_up_left(layer: dict[str, Any]) -> dict[str, Any]:
    layer = {**layer, "position": {"x_in_px": -100_000, "y_in_px": -100_000}}
    return {"dimensions": {"width_in_px": 50, "height_in_px": 40}, "layers": [layer]}


@pytest.mark.slow
@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(_far_up_left({"type": "image", "file": {"type": "base64", "base64": _tiny_png()}}), id="image"),
        pytest.param(
            _far_up_left({"type": "solid-color", "hex_color": "#fff", "rotation_in_degrees": 1}), id="rotated-solid"
        ),
    ],
)
def test_layer_boxes_are_bounded(request_: dict[str, Any]) -> None:
    """A layer without dimensions reached from its position to the canvas edges, unchecked by the limits: an image
    at (-100000, -100000) on a 50x40 canvas was resized to 100050x100040 (40 GB), and a rotated solid-color was
    materialised at that size (at -20000: 1.6 GB and 9 s, 3.2 GB and 60 s)."""
    if not Path("/proc/self/status").exists():
        pytest.skip("the address-space cap is sized from /proc (Linux)")
    outcome = run_python(_CAPPED, request_)
    assert outcome["type"] in ("RenderedImage", "RenderError"), outcome
    assert outcome["seconds"] < 5.0
