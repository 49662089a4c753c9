"""Face detection with the bundled LBP cascade: the cascade as parsed, the scan, faces found and not invented."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from renderer import faces
from renderer.faces import cascade, detect_faces, integral
from renderer.saliency import analysis_copy, skin


def _faces_in(photo: Image.Image, colour: bool = True) -> list[tuple[float, float, float, float]]:
    """Faces of ``photo`` in photo pixels, as the crop analysis finds them."""
    copy = analysis_copy(photo)
    found = detect_faces(copy.grey, skin(copy.rgb) > 0.5 if colour else None)
    return [
        (f.left * copy.scale_x, f.top * copy.scale_y, f.right * copy.scale_x, f.bottom * copy.scale_y) for f in found
    ]


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over union."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union


@pytest.fixture
def portrait(shared: Callable[..., Path]) -> tuple[Image.Image, tuple[float, ...]]:
    """A head-and-shoulders photo of the crop-eval set and its annotated face box."""
    folder = shared("crop-eval")
    entry = next(
        e for e in json.loads((folder / "annotations.json").read_text())["images"] if e["file"] == "thumbor_maher.jpg"
    )
    with Image.open(folder / "images" / entry["file"]) as image:
        return image.convert("RGB"), tuple(entry["box"])


def test_the_bundled_cascade_parses_whole() -> None:
    model = cascade()
    assert len(model.stages) == 20
    assert model.stages[0][0] == 0
    assert model.stages[-1][1] == len(model.rects) == 139
    assert all(a[1] == b[0] for a, b in zip(model.stages, model.stages[1:], strict=False))
    x, y, w, h = model.rects.T
    assert min(x.min(), y.min()) >= 0
    assert min(w.min(), h.min()) >= 1
    assert max((x + 3 * w).max(), (y + 3 * h).max()) <= faces.WINDOW  # the 3x3 blocks lie inside the window
    assert model.votes.shape == (139 * 256,)


def test_integral_image_sums_rectangles() -> None:
    a = np.random.default_rng(3).integers(0, 256, (17, 23), dtype=np.uint8)
    ii = integral(a)
    assert ii.shape == (18, 24)
    assert int(ii[12, 20] - ii[5, 20] - ii[12, 3] + ii[5, 3]) == int(a[5:12, 3:20].sum())


@pytest.mark.parametrize("colour", [True, False])
def test_no_faces_in_pictures_without_faces(colour: bool) -> None:
    rng = np.random.default_rng(11)
    ramp = np.linspace(0, 255, 320, dtype=np.float32)[None, :, None] * np.ones((240, 1, 3), np.float32)
    pictures = [
        Image.new("RGB", (320, 240), (224, 172, 140)),  # skin-coloured wall
        Image.fromarray(rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)),  # noise
        Image.fromarray(ramp.astype(np.uint8)),
        Image.new("RGB", (10, 10), (200, 150, 120)),  # smaller than a window
    ]
    for picture in pictures:
        assert _faces_in(picture, colour) == []


def test_the_face_of_a_portrait_is_found(portrait: tuple[Image.Image, tuple[float, ...]]) -> None:
    photo, face = portrait
    found = _faces_in(photo)
    assert len(found) == 1
    assert _overlap(found[0], face) > 0.8


def test_a_mirrored_portrait_gives_the_mirrored_face(portrait: tuple[Image.Image, tuple[float, ...]]) -> None:
    photo, face = portrait
    mirrored = (photo.width - face[2], face[1], photo.width - face[0], face[3])
    found = _faces_in(ImageOps.mirror(photo))
    assert len(found) == 1
    assert _overlap(found[0], mirrored) > 0.8


def test_a_black_and_white_portrait_is_found_without_skin(portrait: tuple[Image.Image, tuple[float, ...]]) -> None:
    photo, face = portrait
    found = _faces_in(photo.convert("L").convert("RGB"), colour=False)
    assert len(found) == 1
    assert _overlap(found[0], face) > 0.8


def test_a_face_is_not_where_the_skin_is_not(portrait: tuple[Image.Image, tuple[float, ...]]) -> None:
    """The same portrait with its colour turned blue keeps its shapes but loses its skin: no face."""
    photo, _ = portrait
    r, g, b = photo.split()
    assert _faces_in(Image.merge("RGB", (b, g, r))) == []


def test_windows_near_each_other_cluster_together() -> None:
    boxes = np.array([[10, 10, 30], [12, 11, 32], [11, 9, 28], [80, 80, 30], [200, 10, 90]], dtype=np.float64)
    groups = faces._clusters(boxes)
    assert [count for _, count in groups] == [3, 1, 1]
    assert groups[0][0] == pytest.approx([11, 10, 30])


def test_two_faces_are_both_found_largest_first(portrait: tuple[Image.Image, tuple[float, ...]]) -> None:
    photo, face = portrait
    pair = Image.new("RGB", (photo.width * 2, photo.height), (40, 60, 40))
    pair.paste(photo, (0, 0))
    small = photo.resize((photo.width * 2 // 3, photo.height * 2 // 3), Image.Resampling.LANCZOS)
    pair.paste(small, (photo.width + 100, 80))
    found = _faces_in(pair)
    assert len(found) == 2
    assert _overlap(found[0], face) > 0.8
    scaled = tuple(v * 2 / 3 for v in face)
    assert (
        _overlap(
            found[1], (scaled[0] + photo.width + 100, scaled[1] + 80, scaled[2] + photo.width + 100, scaled[3] + 80)
        )
        > 0.7
    )
