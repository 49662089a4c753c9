"""Hard limits on what one request may ask for, checked before any work, each naming the field it concerns; and
the render time budget, checked as the work goes (the clock is injected: the renderer reads none of its own)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from renderer.errors import FieldProblem, InvalidRequest, RenderError
from renderer.model import Base64File, RenderRequest, TextLayer


class RenderTimeout(RenderError):
    """The render ran past its time budget and was stopped."""

    code = "render_timeout"


@dataclass(frozen=True)
class Limits:
    max_source_pixels: int = 40_000_000  # a decoded source image (checked from its header)
    max_canvas_pixels: int = 4096 * 4096
    max_canvas_side: int = 8192
    max_layers: int = 100
    max_text_length: int = 5_000  # characters per text layer
    max_fonts: int = 10
    max_font_bytes: int = 10 * 1024 * 1024
    max_layout_depth: int = 8  # nesting of layout layers (for when layouts are drawn)


def _size_problems(path: str, width: int, height: int, limits: Limits) -> list[FieldProblem]:
    if max(width, height) > limits.max_canvas_side:
        return [FieldProblem(path, f"{width}x{height}: a side may be at most {limits.max_canvas_side} px")]
    if width * height > limits.max_canvas_pixels:
        return [FieldProblem(path, f"{width}x{height}: at most {limits.max_canvas_pixels} pixels")]
    return []


def check(request: RenderRequest, limits: Limits) -> None:
    """Raise ``InvalidRequest`` naming every limit the request is over."""
    size = request.dimensions
    problems = _size_problems("dimensions", size.width_in_px, size.height_in_px, limits)
    if len(request.layers) > limits.max_layers:
        problems.append(FieldProblem("layers", f"at most {limits.max_layers} layers, not {len(request.layers)}"))
    for i, layer in enumerate(request.layers):
        box = getattr(layer, "dimensions", None)
        if box is not None:
            problems += _size_problems(f"layers[{i}].dimensions", box.width_in_px, box.height_in_px, limits)
        if isinstance(layer, TextLayer) and len(layer.text) > limits.max_text_length:
            problems.append(FieldProblem(f"layers[{i}].text", f"at most {limits.max_text_length} characters"))
    if len(request.fonts) > limits.max_fonts:
        problems.append(FieldProblem("fonts", f"at most {limits.max_fonts} fonts, not {len(request.fonts)}"))
    for i, font in enumerate(request.fonts):
        if isinstance(font.file, Base64File) and len(font.file.base64) > limits.max_font_bytes:
            problems.append(FieldProblem(f"fonts[{i}].file", f"a font may be at most {limits.max_font_bytes} bytes"))
    if problems:
        raise InvalidRequest(problems)


@dataclass(frozen=True)
class Budget:
    """``check()`` raises ``RenderTimeout`` once ``seconds`` have passed on ``clock`` since the budget was made."""

    clock: Callable[[], float] | None
    seconds: float
    started: float

    @classmethod
    def start(cls, clock: Callable[[], float] | None, seconds: float) -> Budget:
        return cls(clock, seconds, clock() if clock else 0.0)

    def check(self, during: str = "") -> None:
        if self.clock is not None and self.clock() - self.started > self.seconds:
            where = f" during {during}" if during else ""
            raise RenderTimeout(f"the render took longer than its budget of {self.seconds:g} s{where}")
