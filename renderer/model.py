"""The layer request: pydantic v2 models that accept both dialects of the reference and normalise to one form.

Older dialect (blog posts, recipes) -> current:
``solid-color-background`` / ``rectangle`` -> ``solid-color``; ``static-image`` / ``image-overlay`` -> ``image``;
``{x, y}`` / ``{width, height}`` -> ``*_in_px``; ``"Bold"`` -> ``"bold"``; ``buffer`` on a font or an image layer ->
``file: {type: "base64", ...}``. After validation only the current form exists, so both dialects give equal models
and the same cache key.
"""

from __future__ import annotations

import binascii
import re
from base64 import b64decode, b64encode
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from renderer import symbols
from renderer.errors import FieldProblem, InvalidRequest

# --- value types -------------------------------------------------------------------------------------------------

RGBA = tuple[int, int, int, int]
_HEX = re.compile(r"[0-9a-fA-F]+")


def parse_hex_color(value: object) -> RGBA:
    """``#RGB``, ``#RGBA``, ``#RRGGBB`` or ``#RRGGBBAA`` (the ``#`` may be left out) -> (r, g, b, a)."""
    if isinstance(value, tuple | list) and len(value) == 4 and all(isinstance(c, int) for c in value):
        if not all(0 <= c <= 255 for c in value):
            raise ValueError("colour components must be from 0 to 255")
        r, g, b, a = value
        return (r, g, b, a)
    if not isinstance(value, str):
        raise ValueError("must be a hex colour string such as '#1a1a2e'")
    digits = value.strip().removeprefix("#")
    if len(digits) in (3, 4):
        digits = "".join(c * 2 for c in digits)
    if len(digits) == 6:
        digits += "ff"
    if len(digits) != 8 or not _HEX.fullmatch(digits):
        raise ValueError(f"{value!r} is not a hex colour (use #RRGGBB, #RGB or #RRGGBBAA)")
    r, g, b, a = (int(digits[i : i + 2], 16) for i in range(0, 8, 2))
    return (r, g, b, a)


def _hex_of(color: RGBA) -> str:
    return "#" + "".join(f"{c:02x}" for c in color)


Color = Annotated[
    RGBA,
    BeforeValidator(parse_hex_color),
    PlainSerializer(_hex_of, return_type=str),
    WithJsonSchema({"type": "string", "pattern": "^#?([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$"}),
]


def decode_base64(value: object) -> bytes:
    """Standard or URL-safe base64, with or without padding or a ``data:...;base64,`` prefix."""
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise ValueError("must be a base64 string")
    text = value.strip()
    if text.startswith("data:"):
        text = text.partition(",")[2]
    text = "".join(text.split()).replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        data = b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not valid base64") from None
    if not data:
        raise ValueError("is empty")
    return data


def _b64_of(data: bytes) -> str:
    return b64encode(data).decode("ascii")


Base64Data = Annotated[
    bytes,
    BeforeValidator(decode_base64),
    PlainSerializer(_b64_of, return_type=str),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]

WEIGHTS: dict[str, int] = {
    "thin": 100,
    "extralight": 200,
    "light": 300,
    "regular": 400,
    "medium": 500,
    "semibold": 600,
    "bold": 700,
    "extrabold": 800,
    "black": 900,
}
_WEIGHT_ALIASES = {
    "hairline": "thin",
    "ultralight": "extralight",
    "normal": "regular",
    "book": "regular",
    "demibold": "semibold",
    "ultrabold": "extrabold",
    "heavy": "black",
}


def parse_weight(value: object) -> str:
    """``"Bold"``, ``"bold"``, ``"semi-bold"``, ``700`` or ``"700"`` -> the reference's lower-case name."""
    if isinstance(value, bool):
        raise ValueError("must be a weight name or a number from 100 to 900")
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if not 1 <= number <= 1000:
            raise ValueError("must be a weight name or a number from 100 to 900")
        return min(WEIGHTS, key=lambda name: (abs(WEIGHTS[name] - number), WEIGHTS[name]))
    if isinstance(value, str):
        key = re.sub(r"[\s_-]", "", value).lower()
        key = _WEIGHT_ALIASES.get(key, key)
        if key in WEIGHTS:
            return key
    raise ValueError(f"{value!r} is not a font weight (one of {', '.join(WEIGHTS)})")


Weight = Annotated[
    Literal["thin", "extralight", "light", "regular", "medium", "semibold", "bold", "extrabold", "black"],
    BeforeValidator(parse_weight),
]


def _lower(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


FontStyle = Annotated[Literal["normal", "italic"], BeforeValidator(_lower)]


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _renamed(data: Any, renames: Mapping[str, str]) -> Any:
    """The older dialect's keys under their current names (a current name, where given, wins)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for old, new in renames.items():
        if old in out and new not in out:
            out[new] = out.pop(old)
    return out


class Size(Model):
    width_in_px: int = Field(ge=1)
    height_in_px: int = Field(ge=1)

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: Any) -> Any:
        return _renamed(data, {"width": "width_in_px", "height": "height_in_px"})


class Point(Model):
    """Top-left corner. Negative values (a layer bleeding off the canvas) are accepted as an extension."""

    x_in_px: float = Field(ge=-100_000, le=100_000)
    y_in_px: float = Field(ge=-100_000, le=100_000)

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: Any) -> Any:
        return _renamed(data, {"x": "x_in_px", "y": "y_in_px"})


class FocalPoint(Model):
    """Where the subject is, in percent of the source image; overrides smart-crop detection (an extension)."""

    x_percent: float = Field(ge=0, le=100)
    y_percent: float = Field(ge=0, le=100)


class Base64File(Model):
    type: Literal["base64"]
    name: str | None = None
    base64: Base64Data


class UrlFile(Model):
    type: Literal["url"]
    name: str | None = None
    url: str = Field(min_length=1, max_length=8192)


FileSource = Annotated[Base64File | UrlFile, Field(discriminator="type")]


def _buffer_to_file(data: Any) -> Any:
    """An older ``buffer: "<base64>"`` beside the other fields -> ``file: {type: "base64", ...}``."""
    if isinstance(data, dict) and "buffer" in data and "file" not in data:
        out = dict(data)
        out["file"] = {"type": "base64", "base64": out.pop("buffer")}
        return out
    return data


class FontSpec(Model):
    """A custom font of the request, matched by name + weight + style."""

    name: str = Field(min_length=1, max_length=200)
    weight: Weight = "regular"
    style: FontStyle = "normal"
    file: FileSource

    @model_validator(mode="before")
    @classmethod
    def _older_forms(cls, data: Any) -> Any:
        return _buffer_to_file(data)


# --- layers ------------------------------------------------------------------------------------------------------


Radius = Annotated[float, Field(ge=0, le=100_000)]
Spacing = Annotated[float, Field(ge=0, le=10_000)]
Corners = tuple[float, float, float, float]
"""Corner radii in px: top-left, top-right, bottom-right, bottom-left."""


def _indexed(data: Any, *keys: str) -> Any:
    """Layers of the lists under ``keys`` without an ``index`` get their place in the list (the reference requires
    one at the top level; we are lenient there too)."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for key in keys:
        if isinstance(out.get(key), list):
            out[key] = [
                {**layer, "index": place} if isinstance(layer, dict) and "index" not in layer else layer
                for place, layer in enumerate(out[key])
            ]
    return out


class LayerBase(Model):
    index: int = Field(ge=0)
    opacity: float = Field(default=100, ge=0, le=100)
    rotation_in_degrees: float = Field(default=0, ge=-36_000, le=36_000)


class RoundedLayer(LayerBase):
    """Layers that take corner radii: ``border_radius`` for all four corners, or the corners one by one (not both).
    Radii too large for the box are scaled down together, as CSS does; half the side makes a circle."""

    border_radius: Radius | None = None
    border_top_left_radius: Radius | None = None
    border_top_right_radius: Radius | None = None
    border_bottom_left_radius: Radius | None = None
    border_bottom_right_radius: Radius | None = None

    @field_validator(
        "border_top_left_radius", "border_top_right_radius", "border_bottom_left_radius", "border_bottom_right_radius"
    )
    @classmethod
    def _radii_one_way(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and info.data.get("border_radius") is not None:
            raise ValueError("give border_radius or the corner radii, not both")
        return value

    def corners(self) -> Corners:
        """The four radii, 0 where none is given."""
        if self.border_radius is not None:
            r = self.border_radius
            return (r, r, r, r)
        return (
            self.border_top_left_radius or 0.0,
            self.border_top_right_radius or 0.0,
            self.border_bottom_right_radius or 0.0,
            self.border_bottom_left_radius or 0.0,
        )


class AngledEdge(Model):
    """A side of the box cut at an angle: see ``renderer.shapes.angled_edge``."""

    edge: Annotated[Literal["left", "right", "top", "bottom"], BeforeValidator(_lower)]
    angle_in_degrees: float = Field(ge=-45, le=45)


class SolidColorLayer(RoundedLayer):
    """A filled rectangle; without dimensions it covers the canvas from its position on."""

    type: Literal["solid-color"]
    hex_color: Color
    position: Point | None = None
    dimensions: Size | None = None
    angled_edges: tuple[AngledEdge, ...] = Field(default=(), max_length=4)

    @field_validator("angled_edges")
    @classmethod
    def _each_edge_once(cls, value: tuple[AngledEdge, ...]) -> tuple[AngledEdge, ...]:
        edges = [cut.edge for cut in value]
        if len(set(edges)) < len(edges):
            raise ValueError("each edge may be angled once")
        return value


def _align(aliases: Mapping[str, str]) -> Callable[[object], object]:
    def parse(value: object) -> object:
        value = _lower(value)
        return aliases.get(value, value) if isinstance(value, str) else value

    return parse


TextAlign = Annotated[Literal["left", "center", "right"], BeforeValidator(_align({"centre": "center"}))]
VerticalAlign = Annotated[
    Literal["top", "center", "bottom"], BeforeValidator(_align({"middle": "center", "centre": "center"}))
]


class TextLayer(LayerBase):
    type: Literal["text"]
    text: str = Field(max_length=20_000)
    font_name: str = Field(default="Inter", min_length=1, max_length=200)
    font_size_in_px: float = Field(gt=0, le=2000)
    font_weight: Weight = "regular"
    font_style: FontStyle = "normal"
    text_color: Color
    position: Point
    dimensions: Size
    text_align: TextAlign = "left"
    vertical_align: VerticalAlign = "top"
    is_splitting_lines: bool = True
    paragraph_spacing_in_px: float = Field(default=0, ge=0, le=10_000)
    should_auto_scale: bool = False
    # Extensions beyond the reference (README "Text"): lines at most, line height as a multiple of the size, extra
    # space after each character, and balanced wrapping (lines of near-equal width, as CSS text-wrap: balance).
    max_lines: int | None = Field(default=None, ge=1, le=1000)
    line_height: float | None = Field(default=None, ge=0.5, le=5)
    letter_spacing_in_px: float = Field(default=0, ge=-100, le=1000)
    text_wrap: Literal["wrap", "balance"] = "wrap"


class ImageLayer(RoundedLayer):
    """A picture (or an SVG drawing) cover-fitted into its box; without dimensions it covers the whole canvas.
    ``should_remove_background`` is accepted here and refused when drawn (422): ogedge has no segmentation model."""

    type: Literal["image"]
    file: FileSource
    position: Point | None = None
    dimensions: Size | None = None
    should_use_smart_cropping: bool = False
    focal_point: FocalPoint | None = None
    should_remove_background: bool = False

    @model_validator(mode="before")
    @classmethod
    def _older_forms(cls, data: Any) -> Any:
        return _buffer_to_file(data)


class ColorStop(Model):
    hex_color: Color
    position: float = Field(ge=0, le=100)  # percent of the way along the gradient


class GradientLayer(RoundedLayer):
    """Colours blended along a line (``linear``, at ``angle_in_degrees``: 0 = left to right, 90 = top to bottom) or
    out from the centre (``radial``), between stops at percentages of the way. See ``renderer.layers.gradient``."""

    type: Literal["gradient"]
    gradient_type: Annotated[Literal["linear", "radial"], BeforeValidator(_lower)]
    colors: tuple[ColorStop, ...] = Field(min_length=1, max_length=100)
    position: Point | None = None
    dimensions: Size
    angle_in_degrees: float = Field(default=0, ge=-36_000, le=36_000)


class CodeLayer(LayerBase):
    """What QR codes and barcodes share: two colours and a box (modules are whole pixels, centred in it)."""

    foreground_hex_color: Color
    background_hex_color: Color
    position: Point | None = None
    dimensions: Size


class QrCodeLayer(CodeLayer):
    """``value`` as a QR code with its quiet zone, whole pixels per module, centred in its box."""

    type: Literal["qr-code"]
    value: str = Field(min_length=1, max_length=7_089)

    @field_validator("value")
    @classmethod
    def _fits(cls, value: str) -> str:
        symbols.qr_matrix(value)
        return value


class BarcodeLayer(CodeLayer):
    """``value`` as a linear barcode with its quiet zones, whole pixels per module, centred in its box."""

    type: Literal["barcode"]
    format: Annotated[symbols.BarcodeFormat, BeforeValidator(symbols.parse_format)]
    value: str = Field(min_length=1, max_length=200)

    @field_validator("value")
    @classmethod
    def _encodable(cls, value: str, info: ValidationInfo) -> str:
        fmt = info.data.get("format")
        return value if fmt is None else symbols.check_barcode(fmt, value)


_ALIGNMENTS = {"centre": "center", "middle": "center", "left": "start", "top": "start", "right": "end", "bottom": "end"}
Alignment = Annotated[Literal["start", "center", "end"], BeforeValidator(_align(_ALIGNMENTS))]


class LayoutLayer(RoundedLayer):
    """Children in a row (``horizontal``) or a column (``vertical``), ``gap`` apart, aligned on both axes inside the
    padding; sized to fit them, or to fixed ``dimensions`` that clip or pad. See ``renderer.layers.layout``."""

    type: Literal["layout"]
    layers: tuple[FlowLayer, ...] = Field(min_length=1)
    direction: Annotated[Literal["horizontal", "vertical"], BeforeValidator(_lower)] = "horizontal"
    gap: Spacing = 0
    horizontal_alignment: Alignment = "start"
    vertical_alignment: Alignment = "start"
    position: Point | None = None
    dimensions: Size | None = None
    background_color: Color | None = None
    background_layers: tuple[Layer, ...] = ()
    padding: Spacing | None = None
    padding_top: Spacing | None = None
    padding_right: Spacing | None = None
    padding_bottom: Spacing | None = None
    padding_left: Spacing | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_indexes(cls, data: Any) -> Any:
        return _indexed(data, "layers", "background_layers")

    @field_validator("padding_top", "padding_right", "padding_bottom", "padding_left")
    @classmethod
    def _padding_one_way(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and info.data.get("padding") is not None:
            raise ValueError("give padding or the sides' paddings, not both")
        return value

    def paddings(self) -> tuple[float, float, float, float]:
        """Top, right, bottom, left."""
        if self.padding is not None:
            p = self.padding
            return (p, p, p, p)
        sides = (self.padding_top, self.padding_right, self.padding_bottom, self.padding_left)
        top, right, bottom, left = (side or 0.0 for side in sides)
        return (top, right, bottom, left)

    def flow(self) -> list[FlowLayer]:
        """The children along the main axis: ascending ``index``, list order among equals."""
        return sorted(self.layers, key=lambda layer: layer.index)


def _auto_or_pixels(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 1 and float(value).is_integer():
        return int(value)
    raise ValueError('must be a whole number of pixels (1 or more) or "auto"')


AutoSide = Annotated[
    int | Literal["auto"],
    BeforeValidator(_auto_or_pixels),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"const": "auto"}]}),
]


class FlowSize(Model):
    """The size of a text child of a layout: an ``"auto"`` side is the size of the laid-out text (shrink-wrap)."""

    width_in_px: AutoSide
    height_in_px: AutoSide

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: Any) -> Any:
        return _renamed(data, {"width": "width_in_px", "height": "height_in_px"})


class FlowTextLayer(TextLayer):
    """A text child of a layout: the layout places it (a position is not used) and may shrink-wrap it."""

    position: Point | None = None  # type: ignore[assignment]  # placed by the layout
    dimensions: FlowSize  # type: ignore[assignment]  # "auto" sides


class FlowSolidColorLayer(SolidColorLayer):
    """A solid-color child of a layout: placed by the layout, so its size is needed."""

    dimensions: Size


class FlowImageLayer(ImageLayer):
    """An image child of a layout: placed by the layout, so its size is needed."""

    dimensions: Size


LAYER_ALIASES = {
    "solid-color-background": "solid-color",
    "rectangle": "solid-color",
    "static-image": "image",
    "image-overlay": "image",
}
LAYER_TYPES = ("solid-color", "text", "image", "gradient", "qr-code", "barcode", "layout")


def _normalise_layer(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    kind = data.get("type")
    if isinstance(kind, str):
        kind = LAYER_ALIASES.get(kind, kind)
        if kind not in LAYER_TYPES:
            known = ", ".join([*LAYER_TYPES, *LAYER_ALIASES])
            raise ValueError(f"unknown layer type {kind!r} (known: {known})")
    return {**data, "type": kind}


Layer = Annotated[
    SolidColorLayer | TextLayer | ImageLayer | GradientLayer | QrCodeLayer | BarcodeLayer | LayoutLayer,
    Field(discriminator="type"),
    BeforeValidator(_normalise_layer),
]
FlowLayer = Annotated[
    FlowSolidColorLayer | FlowTextLayer | FlowImageLayer | GradientLayer | QrCodeLayer | BarcodeLayer | LayoutLayer,
    Field(discriminator="type"),
    BeforeValidator(_normalise_layer),
]
LayoutLayer.model_rebuild()

OUTPUT_FORMATS = ("png", "jpeg", "webp", "avif", "gif", "tiff")
OutputFormat = Annotated[
    Literal["png", "jpeg", "webp", "avif", "gif", "tiff"],
    BeforeValidator(_align({"jpg": "jpeg", "tif": "tiff"})),
]


class RenderRequest(Model):
    """A whole layer request, normalised. Layers keep their request order; ``index`` orders the drawing."""

    dimensions: Size
    output_format: OutputFormat = "png"
    fonts: tuple[FontSpec, ...] = ()
    layers: tuple[Layer, ...] = Field(min_length=1)
    webhook_url: str | None = Field(default=None, max_length=8192)

    @model_validator(mode="before")
    @classmethod
    def _default_indexes(cls, data: Any) -> Any:
        """A top-level layer without ``index`` is drawn in list order (the reference requires it; we are lenient)."""
        return _indexed(data, "layers")

    def drawing_order(self) -> list[Layer]:
        """Layers from back to front: ascending ``index``, request order among equals."""
        return sorted(self.layers, key=lambda layer: layer.index)


# --- parsing -----------------------------------------------------------------------------------------------------

_TAGS = frozenset({*LAYER_TYPES, "base64", "url"})


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('layers', 2, 'text', 'font_size_in_px')`` -> ``layers[2].font_size_in_px`` (union tags dropped)."""
    path = ""
    for k, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        after_choice = k > 0 and (isinstance(loc[k - 1], int) or loc[k - 1] == "file")
        if part in _TAGS and after_choice:
            continue
        path += f".{part}" if path else part
    return path


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "too_short":
        return f"must have at least {(error.get('ctx') or {}).get('min_length', 1)} item(s)"
    return str(error["msg"]).removeprefix("Value error, ")


def _is_echo(error: Mapping[str, Any]) -> bool:
    """A list-length error that only repeats that some items failed (the list itself was long enough)."""
    given = error.get("input")
    ctx = error.get("ctx") or {}
    return error["type"] == "too_short" and isinstance(given, list | tuple) and len(given) >= ctx.get("min_length", 0)


def problems_of(error: ValidationError) -> list[FieldProblem]:
    errors = [e for e in error.errors(include_url=False) if not _is_echo(e)]
    return [FieldProblem(field_path(tuple(e["loc"])), _message(e)) for e in errors]


def parse_request(data: RenderRequest | Mapping[str, Any]) -> RenderRequest:
    """Validate and normalise a request; every problem is reported with its field path."""
    if isinstance(data, RenderRequest):
        return data
    try:
        return RenderRequest.model_validate(data)
    except ValidationError as error:
        raise InvalidRequest(problems_of(error)) from None
