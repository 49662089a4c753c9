"""``gradient``: colours blended between stops, computed in floating point and dithered to 8 bits.

- Linear: along ``angle_in_degrees`` (0 = left to right, 90 = top to bottom, clockwise), over a line as long as the
  box's extent in that direction, so the first stop meets one corner and the last the opposite one (as CSS does).
- Radial: out from the box's centre over an ellipse of the box's proportions through its corners (CSS's default
  ``ellipse farthest-corner``).
- Stops at percentages of the way: before the first and after the last the colour holds; two stops at one place
  make a hard edge. Colours blend in premultiplied alpha, so a fade to transparent does not turn grey.
- Dithering: a deterministic interleaved-gradient-noise pattern of less than one level is added before rounding
  down, so a slow dark gradient has no visible bands, whole levels (opaque alpha) stay exact, and the same request
  gives the same bytes.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from PIL import Image

from renderer import shapes
from renderer.layers.base import Context, Tile
from renderer.model import ColorStop, GradientLayer

Floats = npt.NDArray[np.float32]


def progress(layer: GradientLayer, width: int, height: int) -> Floats:
    """Where each pixel's centre lies along the gradient, 0 at the first corner (or the centre) to 1 at the last."""
    xs = np.arange(width, dtype=np.float32)[None, :] + np.float32(0.5 - width / 2)
    ys = np.arange(height, dtype=np.float32)[:, None] + np.float32(0.5 - height / 2)
    if layer.gradient_type == "radial":
        rx, ry = width / math.sqrt(2), height / math.sqrt(2)
        return np.sqrt((xs / np.float32(rx)) ** 2 + (ys / np.float32(ry)) ** 2).astype(np.float32)
    theta = math.radians(layer.angle_in_degrees)
    dx, dy = math.cos(theta), math.sin(theta)
    length = abs(width * dx) + abs(height * dy)
    return (xs * np.float32(dx / length) + ys * np.float32(dy / length) + np.float32(0.5)).astype(np.float32)


def _stops(colors: tuple[ColorStop, ...]) -> tuple[list[float], Floats]:
    """Stop places (0-1, in order, never decreasing) and premultiplied RGBA values (0-255) at each."""
    ordered = sorted(colors, key=lambda stop: stop.position)  # stable: equal places keep their request order
    places = [stop.position / 100 for stop in ordered]
    values = np.array([[r * a / 255, g * a / 255, b * a / 255, a] for r, g, b, a in (s.hex_color for s in ordered)])
    return places, values.astype(np.float32)


def _interpolate(t: Floats, places: list[float], values: Floats) -> Floats:
    """Premultiplied RGBA (``h x w x 4``, 0-255) at each ``t``. ``np.interp`` takes the last stop at a repeated
    place on its right side and the first on its left, which makes equal places a hard edge."""
    flat = t.ravel()
    channels = [np.interp(flat, places, values[:, c]).astype(np.float32) for c in range(4)]
    return np.stack(channels, axis=-1).reshape(*t.shape, 4)


def dither_noise(width: int, height: int) -> Floats:
    """Interleaved gradient noise (Jimenez 2014) in [0, 1): spread evenly, no visible pattern, no state."""
    xs = np.arange(width, dtype=np.float64)[None, :]
    ys = np.arange(height, dtype=np.float64)[:, None]
    return np.modf(52.9829189 * np.modf(0.06711056 * xs + 0.00583715 * ys)[0])[0].astype(np.float32)


def pixels(layer: GradientLayer, width: int, height: int) -> Image.Image:
    """The gradient as an RGBA image, dithered to 8 bits."""
    places, values = _stops(layer.colors)
    premultiplied = _interpolate(progress(layer, width, height), places, values)
    alpha = premultiplied[..., 3:4]
    straight = np.where(alpha > 0, premultiplied[..., :3] * (255 / np.maximum(alpha, 1e-6)), 0)
    rgba = np.concatenate([straight, alpha], axis=-1)
    rgba += dither_noise(width, height)[..., None]  # floor(v + u), u in [0, 1): whole values stay exact
    quantised = np.clip(np.floor(rgba), 0, 255).astype(np.uint8)
    return Image.fromarray(quantised, "RGBA")


def tile(layer: GradientLayer, ctx: Context, path: str) -> Tile:
    box = ctx.box(layer.position, layer.dimensions)
    image = pixels(layer, box.width, box.height)
    return Tile(box, image=shapes.clip(image, layer.corners()))
