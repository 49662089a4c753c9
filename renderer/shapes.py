"""Coverage masks of shaped boxes: rounded corners and angled edges, antialiased analytically.

Each pixel is covered by the share its centre's distance to the outline implies (half a pixel inside the outline is
fully covered, half a pixel outside not at all), which is exact for straight edges and close for curves. Radii too
large for their box shrink together by one factor, as CSS does, so a radius of half the side makes a circle.

Angled edges (``angled_edges: [{edge, angle_in_degrees}]``, -45 to 45): the side is turned by the angle, clockwise
when positive, and moved in until it touches the box at one corner; the triangle beyond it is cut away. So
``{"edge": "right", "angle_in_degrees": 15}`` keeps the top-right corner and moves the bottom-right one in by
``height * tan 15°`` (a "/" edge); -15 keeps the bottom-right corner instead (a "\\" edge).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageChops

from renderer.model import RGBA, AngledEdge, Corners

NO_CORNERS: Corners = (0.0, 0.0, 0.0, 0.0)


def fit_radii(width: float, height: float, corners: Corners) -> Corners:
    """The radii scaled down together where two on one side add up to more than that side (CSS backgrounds 3)."""
    tl, tr, br, bl = corners
    sums = ((tl + tr, width), (bl + br, width), (tl + bl, height), (tr + br, height))
    factor = min([1.0, *(side / total for total, side in sums if total > 0)])
    return (tl * factor, tr * factor, br * factor, bl * factor)


def _round_corners(mask: npt.NDArray[np.float32], corners: Corners) -> None:
    """Multiply the coverage of the four corners' arcs into ``mask`` (in place)."""
    height, width = mask.shape
    for k, radius in enumerate(fit_radii(width, height, corners)):
        if radius <= 0:
            continue
        n = min(math.ceil(radius), width, height)
        centres = np.arange(n, dtype=np.float32) + np.float32(0.5)  # pixel centres from the corner inwards
        dx = np.maximum(radius - centres, 0)[None, :]
        dy = np.maximum(radius - centres, 0)[:, None]
        arc = np.clip(radius - np.sqrt(dx * dx + dy * dy) + 0.5, 0, 1).astype(np.float32)
        arc[(dx == 0) | (dy == 0)] = 1.0  # outside the corner's square the straight sides decide
        rows = slice(0, n) if k in (0, 1) else slice(height - n, height)
        cols = slice(0, n) if k in (0, 3) else slice(width - n, width)
        flip = arc[:, ::-1] if k in (1, 2) else arc
        mask[rows, cols] *= flip if k in (0, 1) else flip[::-1, :]


def angled_edge(width: int, height: int, cut: AngledEdge) -> npt.NDArray[np.float32]:
    """Coverage (``height x width``, 0-1) of the box with one side cut as ``cut`` says."""
    theta = math.radians(cut.angle_in_degrees)
    slope, cos = math.tan(abs(theta)), math.cos(theta)
    xs = np.arange(width, dtype=np.float32)[None, :] + np.float32(0.5)
    ys = np.arange(height, dtype=np.float32)[:, None] + np.float32(0.5)
    clockwise = theta > 0
    if cut.edge == "right":  # inside: left of the turned side
        inside = (width - (ys if clockwise else height - ys) * slope) - xs
    elif cut.edge == "left":
        inside = xs - ((height - ys) if clockwise else ys) * slope
    elif cut.edge == "top":
        inside = ys - (xs if clockwise else width - xs) * slope
    else:
        inside = (height - ((width - xs) if clockwise else xs) * slope) - ys
    covered: npt.NDArray[np.float32] = np.clip(inside * np.float32(cos) + np.float32(0.5), 0, 1).astype(np.float32)
    return covered


def coverage(width: int, height: int, corners: Corners = NO_CORNERS, edges: Sequence[AngledEdge] = ()) -> Image.Image:
    """The coverage mask (mode ``L``) of a ``width x height`` box with rounded ``corners`` and angled ``edges``."""
    mask = np.ones((height, width), dtype=np.float32)
    for cut in edges:
        if cut.angle_in_degrees:
            mask *= angled_edge(width, height, cut)
    _round_corners(mask, corners)
    return Image.fromarray(np.rint(mask * 255).astype(np.uint8), "L")


def is_plain(corners: Corners, edges: Sequence[AngledEdge] = ()) -> bool:
    """Whether the box is an ordinary rectangle (no mask needed)."""
    return not any(corners) and not any(cut.angle_in_degrees for cut in edges)


def clip(image: Image.Image, corners: Corners, edges: Sequence[AngledEdge] = ()) -> Image.Image:
    """``image`` (any mode) as RGBA with everything outside the shape made transparent."""
    image = image.convert("RGBA") if image.mode != "RGBA" else image.copy()
    if is_plain(corners, edges):
        return image
    shape = coverage(image.width, image.height, corners, edges)
    image.putalpha(ImageChops.multiply(image.getchannel("A"), shape))
    return image


def filled(width: int, height: int, color: RGBA, corners: Corners, edges: Sequence[AngledEdge] = ()) -> Image.Image:
    """A ``width x height`` RGBA image of ``color`` in the shape."""
    r, g, b, a = color
    shape = coverage(width, height, corners, edges)
    if a < 255:
        shape = shape.point([round(v * a / 255) for v in range(256)])
    image = Image.new("RGBA", (width, height), (r, g, b, 0))
    image.putalpha(shape)
    return image
