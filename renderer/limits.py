"""Hard limits on what one request may ask for, checked before any work, each naming the field it concerns; and
the render time budget, checked as the work goes (the clock is injected: the renderer reads none of its own)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from renderer.errors import FieldProblem, InvalidRequest, RenderError
from renderer.model import Base64File, LayoutLayer, RenderRequest, TextLayer


class RenderTimeout(RenderError):
    """The render ran past its time budget and was stopped."""

    code = "render_timeout"


@dataclass(frozen=True)
class Limits:
    max_source_pixels: int = 40_000_000  # a decoded source image (checked from its header)
    max_canvas_pixels: int = 4096 * 4096
    max_canvas_side: int = 8192
    max_layers: int = 100  # in all, those inside layouts included
    max_text_length: int = 5_000  # characters per text layer
    max_fonts: int = 10
    max_font_bytes: int = 10 * 1024 * 1024
    max_layout_depth: int = 8  # layouts inside layouts, the outermost counting 1


def _size_problems(path: str, width: int, height: int, limits: Limits) -> list[FieldProblem]:
    if max(width, height) > limits.max_canvas_side:
        return [FieldProblem(path, f"{width}x{height}: a side may be at most {limits.max_canvas_side} px")]
    if width * height > limits.max_canvas_pixels:
        return [FieldProblem(path, f"{width}x{height}: at most {limits.max_canvas_pixels} pixels")]
    return []


def _walk(layers: Iterable[Any], prefix: str, depth: int) -> Iterator[tuple[str, Any, int]]:
    """Every layer with its path and how many layouts deep it is (a layout counts itself), children and background
    layers of layouts included."""
    for i, layer in enumerate(layers):
        path = f"{prefix}[{i}]"
        if isinstance(layer, LayoutLayer):
            yield path, layer, depth + 1
            yield from _walk(layer.layers, f"{path}.layers", depth + 1)
            yield from _walk(layer.background_layers, f"{path}.background_layers", depth + 1)
        else:
            yield path, layer, depth


def _layer_problems(path: str, layer: Any, depth: int, limits: Limits) -> list[FieldProblem]:
    problems = []
    box = getattr(layer, "dimensions", None)
    if box is not None and isinstance(box.width_in_px, int) and isinstance(box.height_in_px, int):
        problems += _size_problems(f"{path}.dimensions", box.width_in_px, box.height_in_px, limits)
    if isinstance(layer, TextLayer) and len(layer.text) > limits.max_text_length:
        problems.append(FieldProblem(f"{path}.text", f"at most {limits.max_text_length} characters"))
    if isinstance(layer, LayoutLayer) and depth == limits.max_layout_depth + 1:
        problems.append(FieldProblem(path, f"layouts may be nested at most {limits.max_layout_depth} deep"))
    return problems


def check(request: RenderRequest, limits: Limits) -> None:
    """Raise ``InvalidRequest`` naming every limit the request is over."""
    size = request.dimensions
    problems = _size_problems("dimensions", size.width_in_px, size.height_in_px, limits)
    every = list(_walk(request.layers, "layers", 0))
    if len(every) > limits.max_layers:
        counted = " (counting those inside layouts)" if len(every) > len(request.layers) else ""
        problems.append(FieldProblem("layers", f"at most {limits.max_layers} layers{counted}, not {len(every)}"))
    for path, layer, depth in every:
        problems += _layer_problems(path, layer, depth, limits)
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
