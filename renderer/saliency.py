"""What stands out in a photo, measured on a small copy: skin, and how far each pixel's colour is from the background.

The background is what the borders show (the boundary prior of salient-object detection): the colours of each of the
four border strips are modelled as a Gaussian in RGB, and a pixel's contrast is the geometric mean of its Mahalanobis
distances to the four. A subject touching one border is still far from the other three; a background colour is near
at least one strip and usually near several. (The Mahalanobis distance does not change under a linear change of
colour space, so RGB serves as well as YCbCr; CIELAB scored the same on the crop-eval photos and costs more.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

ANALYSIS_SHORT_SIDE = 128  # the analysis copy's short side lies between this and twice this ...
ANALYSIS_LONG_SIDE = 512  # ... and its long side is at most this: memory is bounded by the copy, not the photo
SAMPLES = 2  # a large photo is sampled on a grid SAMPLES times finer than the copy, then box-averaged
MAP_SHORT_SIDE = 64  # the importance map is computed on the copy halved while its short side stays above this
BORDER = 0.08  # width of a border strip, as a share of the copy's short side
COLOUR_NOISE = 5.0  # 8-bit levels: the spread a border strip's colours always get (a flat strip is not a wall)
SMOOTHING = 0.03  # radius of the box the contrast is averaged over, as a share of the map's short side
MIN_CONTRAST = 1.0  # Mahalanobis units: a contrast range below this is noise, not a subject
IMPORTANCE_POWER = 4  # sharpens the contrast map so that a window follows the subject, not the clutter

FloatMap = NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class Analysis:
    """The small copy every detector works on, and how it maps back onto the photo."""

    rgb: NDArray[np.uint8]  # (h, w, 3)
    alpha: FloatMap | None  # (h, w) in 0..1 where the photo has transparency
    scale_x: float  # photo pixels per copy pixel
    scale_y: float

    @property
    def grey(self) -> NDArray[np.uint8]:
        return np.asarray(Image.fromarray(self.rgb).convert("L"))


def analysis_copy(image: Image.Image) -> Analysis:
    """Shrink by a whole factor so that both limits hold: Pillow's box ``reduce``, or for a large photo the mean of
    SAMPLES x SAMPLES evenly spaced pixels per copy pixel."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = image.has_transparency_data
        image = image.convert("RGBA" if has_alpha else "RGB")
    width, height = image.size
    factor = max(1, min(width, height) // ANALYSIS_SHORT_SIDE, math.ceil(max(width, height) / ANALYSIS_LONG_SIDE))
    size = (max(1, width // factor), max(1, height // factor))
    if factor > 2 * SAMPLES:  # reading every pixel of a large photo costs more than all the analysis
        fine = image.resize((size[0] * SAMPLES, size[1] * SAMPLES), Image.Resampling.NEAREST)
        small = fine.reduce(SAMPLES)
    else:
        small = image.reduce(factor) if factor > 1 else image
    alpha = None
    if small.mode in ("RGBA", "LA"):
        band: FloatMap = np.asarray(small.getchannel("A"), dtype=np.float32) * np.float32(1 / 255)
        alpha = band if band.min() < 1 else None
    rgb = np.asarray(small.convert("RGB"))
    return Analysis(rgb, alpha, width / small.width, height / small.height)


def _ycbcr(rgb: NDArray[np.uint8]) -> tuple[FloatMap, FloatMap, FloatMap]:
    r, g, b = (rgb[..., k].astype(np.float32) for k in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    return y, 0.564 * (b - y), 0.713 * (r - y)  # Cb and Cr centred on 0


def is_greyscale(rgb: NDArray[np.uint8]) -> bool:
    """No colour to speak of (a black-and-white or toned photo): skin cannot be told by colour."""
    _, cb, cr = _ycbcr(rgb)
    return float(np.mean(np.abs(cb) + np.abs(cr))) < 4.0


def skin(rgb: NDArray[np.uint8]) -> FloatMap:
    """Skin likelihood in 0..1: the chroma box of Chai and Ngan (1999), Cb 77..127 and Cr 133..173 (+128 offset),
    with soft edges 6 levels wide, and not for near-black pixels."""
    y, cb, cr = _ycbcr(rgb)

    def inside(v: FloatMap, low: float, high: float) -> FloatMap:
        share: FloatMap = np.clip(np.minimum(v - low, high - v) / 6 + 0.5, 0, 1)
        return share

    likelihood: FloatMap = inside(cb, -51, -1) * inside(cr, 5, 45) * np.clip((y - 30) / 30, 0, 1)
    return likelihood


def planes(rgb: NDArray[np.uint8]) -> tuple[FloatMap, FloatMap, FloatMap]:
    """The red, green and blue planes as floats."""
    return rgb[..., 0].astype(np.float32), rgb[..., 1].astype(np.float32), rgb[..., 2].astype(np.float32)


def background_contrast(colours: tuple[FloatMap, FloatMap, FloatMap]) -> FloatMap:
    """Geometric mean of each pixel's Mahalanobis distances to the colours of the four border strips."""
    h, w = colours[0].shape
    t = max(1, round(BORDER * min(h, w)))
    product = np.ones((h, w), np.float32)
    for strip in (np.s_[:t, :], np.s_[-t:, :], np.s_[:, :t], np.s_[:, -t:]):
        samples = np.stack([p[strip].ravel() for p in colours]).astype(np.float64)
        mean = samples.mean(1)
        spread = (samples - mean[:, None]) @ (samples - mean[:, None]).T / samples.shape[1]
        inverse = np.linalg.inv(spread + np.eye(3) * COLOUR_NOISE**2)  # the noise floor keeps it invertible
        d = [p - np.float32(m) for p, m in zip(colours, mean, strict=True)]
        squared = sum(
            np.float32(inverse[i, j] * (1 if i == j else 2)) * d[i] * d[j] for i in range(3) for j in range(i, 3)
        )
        product *= np.maximum(squared, 0)
    contrast: FloatMap = product ** np.float32(1 / 8)  # the 4th root of the product of 4 distances (squared)
    return contrast


def _smooth(values: FloatMap, radius: int) -> FloatMap:
    """Mean over a (2 radius + 1)^2 box, the border repeated."""
    size = 2 * radius + 1
    padded = np.pad(values.astype(np.float64), radius, mode="edge")
    rows = np.vstack([np.zeros((1, padded.shape[1])), np.cumsum(padded, axis=0)])
    vertical = (rows[size:] - rows[:-size]) / size
    columns = np.hstack([np.zeros((vertical.shape[0], 1)), np.cumsum(vertical, axis=1)])
    smoothed: FloatMap = ((columns[:, size:] - columns[:, :-size]) / size).astype(np.float32)
    return smoothed


def _stretch(contrast: FloatMap) -> FloatMap:
    """Map the 1st..99th percentile onto 0..1 (robust to a few extreme pixels); all zero when that range is under
    MIN_CONTRAST: nothing is further from the background than noise would be, so nothing stands out."""
    low, high = np.percentile(contrast, [1, 99])
    if high - low < MIN_CONTRAST:
        return np.zeros_like(contrast)
    stretched: FloatMap = np.clip((contrast - low) / (high - low), 0, 1)
    return stretched


@dataclass(frozen=True, eq=False)
class Importance:
    """How much each cell of a grid over the photo belongs to the subject, 0..1 (transparent parts count for
    nothing); a cell is ``scale_x`` x ``scale_y`` photo pixels."""

    weight: FloatMap
    scale_x: float
    scale_y: float


def importance(analysis: Analysis) -> Importance:
    """The background contrast of the copy, halved while its short side stays at least MAP_SHORT_SIDE."""
    rgb, alpha, factor = analysis.rgb, analysis.alpha, 1
    while min(rgb.shape[:2]) >= 2 * MAP_SHORT_SIDE:
        rgb = np.asarray(Image.fromarray(rgb).reduce(2))
        alpha = None if alpha is None else np.asarray(Image.fromarray(alpha, "F").reduce(2))
        factor *= 2
    contrast = _smooth(background_contrast(planes(rgb)), max(1, round(SMOOTHING * min(rgb.shape[:2]))))
    weight: FloatMap = _stretch(contrast) ** IMPORTANCE_POWER
    if alpha is not None:
        weight = weight * alpha
    h, w = analysis.rgb.shape[:2]
    return Importance(weight, analysis.scale_x * w / weight.shape[1], analysis.scale_y * h / weight.shape[0])
