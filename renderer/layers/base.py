"""What every layer kind shares: the context it renders in, and the tile it hands to the compositor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from renderer.errors import AssetError
from renderer.fonts import FontBook
from renderer.geometry import Box
from renderer.limits import Budget
from renderer.model import RGBA, Base64File, Point, Size, UrlFile
from renderer.report import TextFit

Fetch = Callable[[str], bytes]
"""Injected I/O: URL -> bytes. Raise anything on failure; the renderer reports it against the field."""


@dataclass
class Context:
    """Per-render state shared by the layers: canvas size, fonts, the fetcher, limits and collected warnings."""

    width: int
    height: int
    fonts: FontBook
    fetch: Fetch | None
    max_source_pixels: int
    warnings: list[str] = field(default_factory=list)
    fits: list[TextFit] = field(default_factory=list)
    budget: Budget = field(default_factory=lambda: Budget(None, 0.0, 0.0))

    def box(self, position: Point | None, dimensions: Size | None) -> Box:
        """A layer's box: omitted dimensions reach from the position (kept on the canvas) to the canvas edges."""
        x = position.x_in_px if position else 0.0
        y = position.y_in_px if position else 0.0
        if dimensions is None:
            left = min(max(round(x), 0), self.width - 1)
            top = min(max(round(y), 0), self.height - 1)
            return Box(left, top, self.width, self.height)
        return Box.of(x, y, dimensions.width_in_px, dimensions.height_in_px)

    def load(self, source: Base64File | UrlFile, field_path: str, error: type[AssetError]) -> bytes:
        """The bytes of a file source: decoded base64, or fetched through the injected fetcher."""
        if isinstance(source, Base64File):
            return source.base64
        if self.fetch is None:
            raise error(f"cannot fetch {source.url!r}: no fetcher was given to the renderer", field_path)
        try:
            return self.fetch(source.url)
        except Exception as exc:  # the fetcher is foreign code; any failure is the asset's
            raise error(f"cannot fetch {source.url!r}: {exc}", field_path) from exc


@dataclass(frozen=True)
class Tile:
    """A layer's pixels before opacity and rotation: an RGBA image the size of ``box``, or a uniform ``fill`` (through
    a ``mask`` when given: the colour's alpha is already in the mask)."""

    box: Box
    image: Image.Image | None = None
    fill: RGBA | None = None
    mask: Image.Image | None = None  # with ``fill``: the colour drawn through this coverage (text)

    def materialise(self) -> Image.Image:
        if self.image is not None:
            return self.image
        assert self.fill is not None
        if self.mask is None:
            return Image.new("RGBA", (self.box.width, self.box.height), self.fill)
        image = Image.new("RGBA", self.mask.size, (*self.fill[:3], 0))
        image.putalpha(self.mask)
        return image
