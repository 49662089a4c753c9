"""Frontal faces in a small greyscale copy of a photo: OpenCV's LBP face cascade (bundled, 52 KB), run with numpy.

Multi-block LBP (Liao et al. 2007): a feature is a 3x3 grid of equal blocks; its code has one bit per outer block,
set when that block's sum is at least the centre block's; a weak classifier looks its vote up by the code, and a
window passes a stage when the votes of the stage reach its threshold. The cascade looks at 24 px windows, so the
copy is resampled into levels; all levels of a scan are packed into one atlas with one integral image, and each
stage is a handful of numpy operations over every window still alive.

1. Coarse scan: a pyramid of five levels per octave, from faces of MIN_FACE of the short side up; windows 2 level
   pixels apart (once a level pixel is over 2 copy pixels: 1 apart, every other one, like a chessboard's black
   squares); in a colour photo only windows whose central half is mostly skin are tried.
2. The passing windows are clustered; the largest clusters are scanned again densely around themselves (five sizes
   1.1x apart, positions 4 % of the size apart), on resamplings of just that part of the copy.
3. A cluster is a face when at least MIN_SUPPORT windows of its dense scan pass and, in a colour photo, the central
   half of their mean box is mostly skin. That mean box is the face.
"""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from PIL import Image

WINDOW = 24  # the cascade's window side, px
MIN_FACE = 0.2  # the smallest face looked for, as a share of the photo's short side (and at least WINDOW px)
LEVELS_PER_OCTAVE = 5  # of the coarse scan's pyramid
SKIN_PREFILTER = 0.6  # share of skin the central half of a window of the coarse scan needs (colour photos) ...
SKIN_SHARE = 0.5  # ... and the central half of a face's box
CLUSTERS_REFINED = 4  # the largest clusters of the coarse scan get a dense second look
REFINE_SCALES = tuple(1.1**k for k in range(-2, 3))  # relative window sizes of the dense scan (0.83 to 1.21)
REFINE_SPAN = 0.15  # how far the dense scan moves the window, as a share of the cluster's size ...
REFINE_STEP = 0.04  # ... and in steps of this share (at least 1 px)
MIN_SUPPORT = 4  # windows of the dense scan that must pass for a face (colour photos; one more for greyscale)

_OUTER = np.array([0, 1, 2, 5, 8, 7, 6, 3])  # the 3x3 blocks (row-major) in the order of the code's bits, MSB first
_BIT = np.array([128, 64, 32, 16, 8, 4, 2, 1], dtype=np.uint8).reshape(8, 1, 1)

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]
Integral = NDArray[np.int32]


class Face(NamedTuple):
    """A face's box in pixels of the analysed copy, and how many windows of the dense scan confirmed it."""

    left: float
    top: float
    right: float
    bottom: float
    support: int

    @property
    def size(self) -> float:
        return self.right - self.left


@dataclass(frozen=True)
class Cascade:
    """The cascade flattened: one rect per weak classifier (stage after stage), their vote tables, stage bounds."""

    rects: IntArray  # (F, 4): x, y, w, h of the top-left block of each weak classifier's feature
    votes: FloatArray  # (F * 256,): the vote of weak classifier f for code c at f * 256 + c
    stages: tuple[tuple[int, int, float], ...]  # (first, end, threshold) per stage


@functools.cache
def cascade() -> Cascade:
    """The bundled cascade, parsed once per process."""
    text = resources.files("renderer").joinpath("cascades/lbpcascade_frontalface.xml").read_text("ascii")
    root = ET.fromstring(text).find("cascade")  # noqa: S314 - our own file
    if root is None:
        raise ValueError("lbpcascade_frontalface.xml has no cascade")
    features = [[int(v) for v in (f.findtext("rect") or "").split()] for f in root.iterfind("features/_")]
    rects: list[list[int]] = []
    votes: list[FloatArray] = []
    stages: list[tuple[int, int, float]] = []
    codes = np.arange(256)
    for stage in root.iterfind("stages/_"):
        first = len(rects)
        for weak in stage.iterfind("weakClassifiers/_"):
            nodes = [int(v) for v in (weak.findtext("internalNodes") or "").split()]
            leaf = [float(v) for v in (weak.findtext("leafValues") or "").split()]
            subset = np.array(nodes[3:11], dtype=np.int64) & 0xFFFFFFFF  # 256 bits: codes that take the first leaf
            in_subset = (subset[codes >> 5] >> (codes & 31)) & 1
            rects.append(features[nodes[2]])
            votes.append(np.where(in_subset == 1, leaf[0], leaf[1]))
        stages.append((first, len(rects), float(stage.findtext("stageThreshold") or "0")))
    return Cascade(np.array(rects, dtype=np.intp), np.concatenate(votes), tuple(stages))


def integral(a: NDArray[np.generic]) -> Integral:
    """Summed-area table with a zero first row and column."""
    out = np.zeros((a.shape[0] + 1, a.shape[1] + 1), np.int32)
    np.cumsum(np.cumsum(a, axis=0, dtype=np.int32), axis=1, out=out[1:, 1:])
    return out


def _passing(flat: NDArray[np.int32], row: int, base: IntArray, stages: int) -> IntArray:
    """Indices of the windows that pass the first ``stages`` stages; a window is the index ``base`` of its corner in
    ``flat``, a flattened integral image with rows of ``row`` values. Windows are batched: each stage is a handful
    of numpy operations over all the windows still alive."""
    model = cascade()
    x, y, w, h = (model.rects[:, k] for k in range(4))
    i, j = np.arange(4).reshape(4, 1, 1), np.arange(4).reshape(1, 4, 1)
    offsets = (y + i * h) * row + x + j * w  # (4, 4, F): the 4x4 corners of each feature's 3x3 blocks
    alive = np.arange(len(base))
    for first, end, threshold in model.stages[:stages]:
        corners = flat[offsets[:, :, first:end, None] + base[alive]]  # (4, 4, K, N)
        blocks = corners[1:, 1:] - corners[:-1, 1:] - corners[1:, :-1] + corners[:-1, :-1]
        blocks = blocks.reshape(9, *blocks.shape[2:])
        bits = (blocks[_OUTER] >= blocks[4]).view(np.uint8)
        codes = (bits * _BIT).sum(0, dtype=np.intp) + (np.arange(first, end) * 256)[:, None]
        alive = alive[model.votes[codes].sum(0) >= threshold]
        if not len(alive):
            break
    return alive


@dataclass(frozen=True)
class _Level:
    """A resampled part of the copy, with windows every ``step`` pixels: level pixel (u, v) is copy pixel
    (left + u * scale_x, top + v * scale_y)."""

    grey: Image.Image
    left: float
    top: float
    scale_x: float
    scale_y: float
    step: int
    checker: bool = False  # only every other window, as on the black squares of a chessboard


@dataclass(frozen=True)
class _Windows:
    """The windows of some levels packed in one atlas: each window's corner ``base`` in the flattened atlas (rows of
    ``row`` values) and its ``level``; per level, its corner in the atlas and its place in the copy."""

    atlas: NDArray[np.uint8]
    row: int
    base: IntArray
    level: IntArray
    corners: IntArray  # (levels, 2): left, top of each level in the atlas
    places: FloatArray  # (levels, 4): left, top, scale_x, scale_y of each level in the copy

    def passing(self) -> FloatArray:
        """(x, y, size) in copy pixels of the windows that pass the whole cascade."""
        alive = _passing(integral(self.atlas).ravel(), self.row, self.base, len(cascade().stages))
        level, (v, u) = self.level[alive], np.divmod(self.base[alive], self.row)
        left, top, scale_x, scale_y = self.places[level].T
        u, v = u - self.corners[level, 0], v - self.corners[level, 1]
        return np.stack([left + u * scale_x, top + v * scale_y, WINDOW * scale_x], -1)


def _windows(levels: list[_Level], skin_ii: Integral | None = None) -> _Windows:
    """Pack the levels on shelves (tallest first, each on the first shelf with room) in an atlas as wide as the
    widest level, and list their windows; with ``skin_ii`` only those whose central half is mostly skin."""
    width = max(lv.grey.width for lv in levels)
    shelves: list[list[int]] = []  # [top, height, used width]
    corners = []
    for lv in levels:
        w, h = lv.grey.size
        shelf = next((s for s in shelves if s[2] + w <= width and h <= s[1]), None)
        if shelf is None:
            shelf = [sum(s[1] for s in shelves), h, 0]
            shelves.append(shelf)
        corners.append((shelf[2], shelf[0]))
        shelf[2] += w
    atlas = np.zeros((sum(s[1] for s in shelves), width), np.uint8)
    row = width + 1
    bases, numbers = [], []
    for k, (lv, (left, top)) in enumerate(zip(levels, corners, strict=True)):
        w, h = lv.grey.size
        atlas[top : top + h, left : left + w] = np.asarray(lv.grey)
        us, vs = np.arange(0, w - WINDOW + 1, lv.step), np.arange(0, h - WINDOW + 1, lv.step)
        tried = np.ones((len(vs), len(us)), bool)
        if lv.checker:
            tried[::2, 1::2] = tried[1::2, ::2] = False
        if skin_ii is not None:
            tried &= _skin_share(skin_ii, lv, us, vs) >= SKIN_PREFILTER
        rows, columns = np.nonzero(tried)
        bases.append((vs[rows] + top) * row + us[columns] + left)
        numbers.append(np.full(len(rows), k))
    places = np.array([(lv.left, lv.top, lv.scale_x, lv.scale_y) for lv in levels], np.float64)
    return _Windows(atlas, row, np.concatenate(bases), np.concatenate(numbers), np.array(corners), places)


def _skin_share(ii: Integral, lv: _Level, us: IntArray, vs: IntArray) -> FloatArray:
    """Share of skin in the central half (12 x 12 px from (6, 6)) of the level's windows at columns ``us`` and rows
    ``vs``, measured on the copy's skin mask behind ``ii``: (rows, columns)."""
    x0, x1 = (np.rint(lv.left + (us + offset) * lv.scale_x).astype(np.intp) for offset in (6, 18))
    y0, y1 = (np.rint(lv.top + (vs + offset) * lv.scale_y).astype(np.intp) for offset in (6, 18))
    top, bottom = ii[y0], ii[y1]
    total = bottom[:, x1] - top[:, x1] - bottom[:, x0] + top[:, x0]
    share: FloatArray = total / np.maximum(np.outer(y1 - y0, x1 - x0), 1)
    return share


def _share(ii: Integral, x: float, y: float, size: float) -> float:
    """Mean of the 0/1 mask behind ``ii`` over the central half of a square window."""
    h, w = ii.shape[0] - 1, ii.shape[1] - 1
    x0, x1 = (min(max(round(x + size * k / 4), 0), w) for k in (1, 3))
    y0, y1 = (min(max(round(y + size * k / 4), 0), h) for k in (1, 3))
    total = int(ii[y1, x1]) - int(ii[y0, x1]) - int(ii[y1, x0]) + int(ii[y0, x0])
    return float(total / max((x1 - x0) * (y1 - y0), 1))


def _coarse(grey: Image.Image, skin_ii: Integral | None) -> FloatArray:
    """(x, y, size) of the windows of the coarse scan that pass. The first octave of the pyramid is resampled from
    the copy; each later level is the one an octave before halved (a cheap 2x2 mean). In a colour photo only the
    windows whose central half is mostly skin are tried."""
    width, height = grey.size
    scale = max(WINDOW, MIN_FACE * min(width, height)) / WINDOW
    levels: list[_Level] = []
    while WINDOW * scale <= min(width, height):
        if len(levels) < LEVELS_PER_OCTAVE:
            level = grey.resize((round(width / scale), round(height / scale)), Image.Resampling.BILINEAR)
        else:
            level = levels[-LEVELS_PER_OCTAVE].grey.reduce(2)
        fine = scale > 2  # where a level pixel is more than 2 copy pixels: windows 1 px apart, on a chessboard
        levels.append(_Level(level, 0, 0, width / level.width, height / level.height, 1 if fine else 2, fine))
        scale *= 2 ** (1 / LEVELS_PER_OCTAVE)
    return _windows(levels, skin_ii).passing() if levels else np.zeros((0, 3))


def _clusters(boxes: FloatArray) -> list[tuple[FloatArray, int]]:
    """Groups of windows whose centres lie within half a window of each other and whose sizes differ by under 1.5x;
    each as (mean x, y, size) with its member count, most members (then largest) first."""
    if not len(boxes):
        return []
    centre, size = boxes[:, :2] + boxes[:, 2:] / 2, boxes[:, 2]
    smaller = np.minimum(size[:, None], size[None])
    near = (np.abs(centre[:, None] - centre[None]) <= smaller[..., None] / 2).all(-1)
    near &= np.maximum(size[:, None], size[None]) <= 1.5 * smaller
    label = np.arange(len(boxes))
    while True:  # label propagation: each window takes the smallest label among its neighbours until none changes
        smallest = np.where(near, label[None, :], len(boxes)).min(1)
        if (smallest == label).all():
            break
        label = smallest
    groups = [(boxes[label == k].mean(0), int((label == k).sum())) for k in np.unique(label)]
    return sorted(groups, key=lambda g: (-g[1], -g[0][2], g[0][1], g[0][0]))


def _refine(grey: Image.Image, x: float, y: float, size: float) -> tuple[FloatArray, int]:
    """Dense scan around a cluster: the mean (x, y, size) of the windows that pass, and how many pass. At each
    scale only the part of the copy that the shifted windows cover is resampled."""
    span, cx, cy = REFINE_SPAN * size, x + size / 2, y + size / 2
    levels = []
    for relative in REFINE_SCALES:
        half = size * relative / 2 + span
        box = (max(cx - half, 0), max(cy - half, 0), min(cx + half, grey.width), min(cy + half, grey.height))
        scale = size * relative / WINDOW
        w, h = round((box[2] - box[0]) / scale), round((box[3] - box[1]) / scale)
        if min(w, h) >= WINDOW:
            part = grey.resize((w, h), Image.Resampling.BILINEAR, box=box)
            step = max(1, round(REFINE_STEP * size / scale))
            levels.append(_Level(part, box[0], box[1], (box[2] - box[0]) / w, (box[3] - box[1]) / h, step))
    passed = _windows(levels).passing() if levels else np.zeros((0, 3))
    if not len(passed):
        return np.array([x, y, size]), 0
    return passed.mean(0), len(passed)


def detect_faces(grey: NDArray[np.uint8], skin: NDArray[np.bool_] | None) -> list[Face]:
    """Faces in a greyscale copy (``skin``: its skin mask, or None for a greyscale photo), largest first."""
    image = Image.fromarray(grey)
    skin_ii = integral(skin) if skin is not None else None
    faces: list[Face] = []
    for (x, y, size), _ in _clusters(_coarse(image, skin_ii))[:CLUSTERS_REFINED]:
        (fx, fy, fs), support = _refine(image, x, y, size)
        if support < MIN_SUPPORT + (skin is None):
            continue
        if skin_ii is not None and _share(skin_ii, fx, fy, fs) < SKIN_SHARE:
            continue
        face = Face(fx, fy, fx + fs, fy + fs, support)
        if not any(_overlap(face, other) > 0.3 for other in faces):
            faces.append(face)
    return sorted(faces, key=lambda f: (-f.size, f.top, f.left))


def _overlap(a: Face, b: Face) -> float:
    """Intersection over the smaller box."""
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    return max(w, 0) * max(h, 0) / min(a.size, b.size) ** 2
