"""The fit report: what became of each text layer (final size, lines, truncation, the fonts drawn with)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TextFit:
    layer: str  # the layer's path in the request, e.g. "layers[2]"
    font_size_in_px: float
    lines: int
    truncated: bool
    fonts: tuple[str, ...]  # the faces drawn with, e.g. "Inter Bold", then any fallback faces

    def to_json(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "font_size_in_px": self.font_size_in_px,
            "lines": self.lines,
            "truncated": self.truncated,
            "fonts": list(self.fonts),
        }


def in_request_order(fits: list[TextFit]) -> tuple[TextFit, ...]:
    """Fits sorted by their layer paths' indices ("layers[2].layers[10]" after "layers[2].layers[9]")."""
    return tuple(sorted(fits, key=lambda fit: [int(i) for i in re.findall(r"\[(\d+)\]", fit.layer)]))
