"""Where to crop a photo so that it covers a box: the part to keep, as (left, top, right, bottom) pixels.

The part kept is always the largest region with the box's aspect ratio (full width or full height), so the only
choice is where it slides. Its subject, in order of priority:

1. faces (``renderer.faces``): the window is centred on them;
2. else what stands out from the background (``renderer.saliency``): the window that holds the most of it;
3. else (nothing stands out, or no clear gain over the middle) the centre.

Everything is measured on a copy of about 128 px and scaled back. Pure and deterministic: same photo, same box.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from renderer.faces import detect_faces
from renderer.geometry import Box, largest_with_aspect, place
from renderer.saliency import FloatMap, Importance, analysis_copy, importance, is_greyscale, skin

GROUP_FACE = 0.5  # faces at least this share of the largest face's size are kept in frame together
CENTRE_MARGIN = 0.03  # share of all importance a window must gain over the centred one to move away from the centre
SUBJECT_MASS = 0.9  # the salient subject's box holds this share of the importance along each axis

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Subject:
    """What the crop is placed on, in pixels of the photo."""

    kind: Literal["face", "salient"]
    box: Rect


@dataclass(frozen=True, eq=False)
class Findings:
    """Everything the analysis found, in photo pixels: enough to place any crop, and to draw it
    (``renderer.cropdebug``)."""

    width: int
    height: int
    faces: tuple[Rect, ...]  # largest first
    importance: Importance
    subject: Subject | None


def crop_box(image: Image.Image, width: int, height: int) -> tuple[int, int, int, int]:
    """The largest box of aspect ``width:height`` inside ``image``, placed on its subject."""
    box = choose(analyse(image), width, height)
    return box.left, box.top, box.right, box.bottom


def analyse(image: Image.Image) -> Findings:
    """Faces and importance of ``image`` (any mode, EXIF orientation applied), and the subject they make."""
    analysis = analysis_copy(image)
    mask = None if is_greyscale(analysis.rgb) else skin(analysis.rgb) > 0.5
    sx, sy = analysis.scale_x, analysis.scale_y
    faces = tuple((f.left * sx, f.top * sy, f.right * sx, f.bottom * sy) for f in detect_faces(analysis.grey, mask))
    weights = importance(analysis)
    if faces:
        subject: Subject | None = Subject("face", _face_group(faces))
    else:
        cells = _salient_cells(weights.weight)
        subject = None
        if cells is not None:
            left, top, right, bottom = cells
            box = (left * weights.scale_x, top * weights.scale_y, right * weights.scale_x, bottom * weights.scale_y)
            subject = Subject("salient", box)
    return Findings(image.width, image.height, faces, weights, subject)


def choose(findings: Findings, width: int, height: int) -> Box:
    """The crop for a target of ``width`` x ``height``, from what ``analyse`` found."""
    src_w, src_h = findings.width, findings.height
    w, h = largest_with_aspect(src_w, src_h, width, height)
    subject, weights = findings.subject, findings.importance
    if subject is None:
        return place(src_w, src_h, w, h, src_w / 2, src_h / 2)
    if subject.kind == "face":
        return _on_faces(findings, w, h)
    if w == src_w:  # full width: slide vertically
        top = _best_offset(weights.weight.sum(1), h / weights.scale_y) * weights.scale_y
        return place(src_w, src_h, w, h, src_w / 2, top + h / 2)
    left = _best_offset(weights.weight.sum(0), w / weights.scale_x) * weights.scale_x
    return place(src_w, src_h, w, h, left + w / 2, src_h / 2)


def _face_group(faces: tuple[Rect, ...]) -> Rect:
    """The union of the faces of about the largest one's size."""
    largest = faces[0][2] - faces[0][0]
    group = [f for f in faces if f[2] - f[0] >= GROUP_FACE * largest]
    return min(f[0] for f in group), min(f[1] for f in group), max(f[2] for f in group), max(f[3] for f in group)


def _on_faces(findings: Findings, w: int, h: int) -> Box:
    """Centred on the group of faces if it fits the window, else on the largest face."""
    assert findings.subject is not None
    left, top, right, bottom = findings.subject.box
    if right - left > w or bottom - top > h:
        left, top, right, bottom = findings.faces[0]
    return place(findings.width, findings.height, w, h, (left + right) / 2, (top + bottom) / 2)


def _best_offset(profile: NDArray[np.float32], window: float) -> float:
    """Where a window of length ``window`` (in profile cells, fractional) should start. Starts are a quarter cell
    apart. The centred window stays unless another holds clearly more (CENTRE_MARGIN of all of ``profile``); else,
    of the windows that hold the most, the one that best centres what they hold."""
    n = len(profile)
    if window >= n:
        return 0.0
    cumulative = np.concatenate([[0.0], np.cumsum(profile, dtype=np.float64)])
    cells = np.arange(n + 1, dtype=np.float64)
    starts = np.linspace(0.0, n - window, max(2, int((n - window) * 4) + 1))
    mass = np.interp(starts + window, cells, cumulative) - np.interp(starts, cells, cumulative)
    centre = (n - window) / 2
    centred = np.interp(centre + window, cells, cumulative) - np.interp(centre, cells, cumulative)
    if mass.max() - centred <= CENTRE_MARGIN * cumulative[-1]:
        return centre
    best = starts[int(np.argmax(mass))]
    middle = np.arange(n) + 0.5
    held = np.where((middle >= best) & (middle <= best + window), profile, 0)
    target = float((held * middle).sum() / held.sum()) - window / 2
    candidates = starts[mass >= mass.max() - 1e-9 * cumulative[-1]]
    return float(candidates[np.argmin(np.abs(candidates - target))])


def _salient_cells(weight: FloatMap) -> Rect | None:
    """The box holding the central SUBJECT_MASS of the importance along each axis (in cells), or None when that is
    nearly the whole grid (nothing stands out)."""
    total = float(weight.sum())
    if total <= 0:
        return None
    tail = (1 - SUBJECT_MASS) / 2
    spans = []
    for axis in (0, 1):  # x from the column sums, y from the row sums
        cumulative = np.cumsum(weight.sum(axis), dtype=np.float64) / total
        spans.append((float(np.searchsorted(cumulative, tail)), float(np.searchsorted(cumulative, 1 - tail) + 1)))
    (left, right), (top, bottom) = spans
    h, w = weight.shape
    if right - left >= 0.95 * w and bottom - top >= 0.95 * h:
        return None
    return left, top, right, bottom
