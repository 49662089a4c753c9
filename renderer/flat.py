"""An opaque canvas of few colours, held as palette indices while every layer drawn on it is a flat colour.

A text card is a background fill, a few rectangles and text drawn in ``COVERAGE_LEVELS`` steps of coverage: well
under 256 colours. Held as one byte per pixel, each layer is drawn by mapping indices (a fill is one index; text or a
translucent fill maps each (colour below, coverage) pair to the index of its blend), and the PNG is written from the
indices as they stand: no RGBA canvas, no colour count, no lookup of pixels in a palette. Every blend is computed by
Pillow itself, by the very call the RGBA compositor makes, on one pixel per pair, so the pixels are exactly those of
``renderer.compose``. A layer this cannot draw (an image, a turned tile, more than 256 colours) is reported back, and
the caller carries on with ``rgba()``.
"""

from __future__ import annotations

from PIL import Image

from renderer.compose import scaled_mask
from renderer.encode import encode
from renderer.geometry import Box
from renderer.layers.base import Tile
from renderer.png import palette_png

RGB = tuple[int, int, int]
MAX_COLOURS = 256


class FlatCanvas:
    """``width`` x ``height`` pixels, all of ``colour`` to begin with."""

    def __init__(self, width: int, height: int, colour: RGB) -> None:
        self.indices = Image.new("L", (width, height), 0)
        self.colours: list[RGB] = [colour]
        self._index: dict[RGB, int] = {colour: 0}

    def draw(self, tile: Tile, opacity: float = 100, degrees: float = 0) -> bool:
        """Draw ``tile`` as ``renderer.compose.composite`` would over an opaque canvas; False (and the canvas left
        as it was) when it is not a flat colour, is turned, or would take the canvas past 256 colours."""
        if tile.fill is None or degrees % 360:
            return False
        visible = tile.box.intersect(Box(0, 0, *self.indices.size))
        if visible is None or opacity <= 0:
            return True
        if tile.mask is None:
            return self._fill(visible, tile.fill, opacity)
        mask = scaled_mask(tile.mask, opacity)
        source = visible.shifted(-tile.box.left, -tile.box.top)
        if source != (0, 0, *mask.size):
            mask = mask.crop(source)
        return self._through(visible, tile.fill[:3], mask)

    def _fill(self, box: Box, fill: tuple[int, int, int, int], opacity: float) -> bool:
        r, g, b, a = fill
        alpha = round(a * opacity / 100)
        if alpha <= 0:
            return True
        if alpha >= 255:
            found = self._with([(r, g, b)])
            if found is None:
                return False
            self.indices.paste(found[0], box)
            return True
        region = self.indices.crop(box)
        below = _present(region)
        blended = self._row(below)
        blended.alpha_composite(Image.new("RGBA", blended.size, (r, g, b, alpha)))
        found = self._with(_colours_of(blended))
        if found is None:
            return False
        lut = list(range(256))
        for i, index in zip(below, found, strict=True):
            lut[i] = index
        self.indices.paste(region.point(lut), box[:2])
        return True

    def _through(self, box: Box, colour: RGB, mask: Image.Image) -> bool:
        """``colour`` through the coverage ``mask`` (the size of ``box``), as a masked paste onto opaque pixels."""
        region = self.indices.crop(box)
        below = _present(region)
        pairs: list[tuple[int, int]] = []  # (index below, coverage) for every coverage > 0 over that colour
        selections: list[Image.Image | None] = []
        for i in below:
            selection = None if len(below) == 1 else region.point([255 if v == i else 0 for v in range(256)])
            selections.append(selection)
            counts = mask.histogram(mask=selection)
            pairs.extend((i, level) for level in range(1, 256) if counts[level])
        if not pairs:
            return True
        blended = self._row([i for i, _ in pairs])
        coverage = Image.new("L", (len(pairs), 1))
        coverage.putdata([level for _, level in pairs])
        blended.paste((*colour, 255), (0, 0), coverage)
        found = self._with(_colours_of(blended))
        if found is None:
            return False
        luts: dict[int, list[int]] = {i: [i] * 256 for i in below}
        for (i, level), index in zip(pairs, found, strict=True):
            luts[i][level] = index
        for i, selection in zip(below, selections, strict=True):
            drawn = mask.point(luts[i])
            self.indices.paste(drawn, box[:2], selection)
        return True

    def _row(self, indices: list[int]) -> Image.Image:
        """The colours of ``indices`` as one opaque RGBA row, for Pillow to blend over."""
        row = Image.new("RGBA", (len(indices), 1))
        row.putdata([(*self.colours[i], 255) for i in indices])
        return row

    def _with(self, colours: list[RGB]) -> list[int] | None:
        """The index of each colour, new ones added; None (nothing added) when there would be more than 256."""
        new = {c for c in colours if c not in self._index}
        if len(self.colours) + len(new) > MAX_COLOURS:
            return None
        for c in sorted(new):
            self._index[c] = len(self.colours)
            self.colours.append(c)
        return [self._index[c] for c in colours]

    def rgba(self) -> Image.Image:
        """The canvas as an RGBA image, for the compositor to carry on with."""
        image = Image.frombytes("P", self.indices.size, self.indices.tobytes())
        image.putpalette([channel for colour in self.colours for channel in colour])
        return image.convert("RGBA")

    def encode(self, fmt: str) -> bytes:
        """The canvas written as ``fmt``: a PNG straight from the indices."""
        if fmt == "png":
            return palette_png(self.indices, self.colours)
        return encode(self.rgba(), fmt, opaque=True)


def _present(indices: Image.Image) -> list[int]:
    """The indices that occur in ``indices``."""
    return [i for i, n in enumerate(indices.histogram()) if n]


def _colours_of(pixels: Image.Image) -> list[RGB]:
    """The colours of an RGBA image, pixel by pixel."""
    data = pixels.tobytes()
    return [(data[i], data[i + 1], data[i + 2]) for i in range(0, len(data), 4)]
