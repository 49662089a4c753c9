"""render(): validate -> fonts -> canvas -> layers back to front -> encode. The one pure entry point."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from renderer.compose import composite, covers_opaquely
from renderer.encode import MIME_TYPES, encode
from renderer.errors import FontLoadError
from renderer.flat import FlatCanvas
from renderer.fonts import FontBook
from renderer.layers import tile_of
from renderer.layers.base import Context, Fetch
from renderer.limits import Budget, Limits
from renderer.limits import check as check_limits
from renderer.model import RenderRequest, parse_request
from renderer.report import TextFit, in_request_order


@dataclass(frozen=True)
class RenderOptions:
    """Limits and the time budget the caller sets (the edge reads them from its settings and passes its clock; the
    renderer reads no environment and no clock of its own)."""

    limits: Limits = field(default_factory=Limits)
    time_budget_s: float = 20.0
    clock: Callable[[], float] | None = None  # None: no time budget

    @property
    def max_source_pixels(self) -> int:
        return self.limits.max_source_pixels


@dataclass(frozen=True)
class RenderedImage:
    data: bytes
    mime_type: str
    width: int
    height: int
    warnings: tuple[str, ...] = ()
    fits: tuple[TextFit, ...] = ()  # one per text layer drawn, in request order


def _font_book(request: RenderRequest, ctx: Context) -> FontBook:
    """Load the request's own fonts. One given by a URL that cannot be fetched is skipped with a warning, so the
    bundled family of that name (or Inter) is used; one that is fetched but is not a font is an error."""
    book = ctx.fonts
    for i, spec in enumerate(request.fonts):
        path = f"fonts[{i}]"
        try:
            data = ctx.load(spec.file, f"{path}.file", FontLoadError)
        except FontLoadError as exc:
            face = book.face(spec.name, spec.weight, spec.style == "italic")
            ctx.warnings.append(f"{exc}; using the bundled {face.family} for {spec.name} {spec.weight} {spec.style}")
            continue
        try:
            book.add_custom(spec.name, spec.weight, spec.style == "italic", data)
        except (OSError, ValueError) as exc:
            message = f"{spec.name!r} could not be read as a font (TTF, OTF, WOFF, WOFF2): {exc}"
            raise FontLoadError(message, path) from None
    return book


def render(
    request: RenderRequest | Mapping[str, Any],
    fetch: Fetch | None = None,
    options: RenderOptions = RenderOptions(),
) -> RenderedImage:
    """Render a layer request (either dialect, or an already validated model) to encoded image bytes."""
    req = parse_request(request)
    check_limits(req, options.limits)
    budget = Budget.start(options.clock, options.time_budget_s)
    width, height = req.dimensions.width_in_px, req.dimensions.height_in_px
    ctx = Context(width, height, FontBook(), fetch, options.max_source_pixels, budget=budget)
    _font_book(req, ctx)
    canvas: Image.Image | None = None  # RGBA, made when a layer needs it
    opaque = False  # every pixel of ``canvas`` is opaque: text is drawn by masked pastes
    flat: FlatCanvas | None = None  # palette indices, while an opaque fill covers the canvas and all is flat colour
    positions = {id(layer): i for i, layer in enumerate(req.layers)}
    for layer in req.drawing_order():
        path = f"layers[{positions[id(layer)]}]"
        budget.check(path)
        tile = tile_of(layer, ctx, path)
        if tile is None:
            continue
        if covers_opaquely((width, height), tile, layer.opacity, layer.rotation_in_degrees):
            assert tile.fill is not None
            flat, canvas = FlatCanvas(width, height, tile.fill[:3]), None  # everything below is hidden
            continue
        if flat is not None:
            if flat.draw(tile, layer.opacity, layer.rotation_in_degrees):
                continue
            canvas, flat, opaque = flat.rgba(), None, True
        if canvas is None:
            canvas = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        composite(canvas, tile, layer.opacity, layer.rotation_in_degrees, opaque)
    budget.check("encoding")
    if flat is not None:
        data = flat.encode(req.output_format)
    elif canvas is None:  # nothing was drawn
        data = encode(Image.new("RGBA", (width, height), (0, 0, 0, 0)), req.output_format, False)
    else:
        data = encode(canvas, req.output_format, opaque or None)
    return RenderedImage(
        data, MIME_TYPES[req.output_format], width, height, tuple(ctx.warnings), in_request_order(ctx.fits)
    )
