"""The analysis copy and the feature maps: sizes and modes, skin, CIELAB, background contrast, importance."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from PIL import Image

from renderer import saliency
from renderer.saliency import analysis_copy, background_contrast, importance, is_greyscale, planes, skin

SKIN = (224, 172, 140)  # a light skin tone
SKIN_DARK = (120, 80, 60)


def _solid(colour: tuple[int, int, int], size: tuple[int, int] = (300, 200)) -> Image.Image:
    return Image.new("RGB", size, colour)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((2000, 1333), (200, 133)),  # reduced by 10 (sampled on a 4x grid, then box-averaged)
        ((800, 533), (200, 134)),  # reduced by 4: Pillow's reduce keeps the partial last row
        ((512, 768), (128, 192)),
        ((100, 60), (100, 60)),  # small photos are analysed as they are
        ((5000, 40), (500, 4)),  # the long side is bounded too
        ((1, 1), (1, 1)),
    ],
)
def test_the_copy_is_small_and_maps_back(size: tuple[int, int], expected: tuple[int, int]) -> None:
    copy = analysis_copy(_solid((10, 20, 30), size))
    assert copy.rgb.shape == (expected[1], expected[0], 3)
    assert copy.scale_x == pytest.approx(size[0] / expected[0])
    assert copy.scale_y == pytest.approx(size[1] / expected[1])
    assert max(copy.rgb.shape[:2]) <= saliency.ANALYSIS_LONG_SIDE


def test_sampling_a_large_photo_keeps_its_colours() -> None:
    photo = Image.new("RGB", (3000, 2000), (200, 30, 40))
    photo.paste((20, 200, 40), (0, 0, 1500, 2000))
    rgb = analysis_copy(photo).rgb.astype(int)  # reduced by 15: the halves meet at column 100
    assert rgb.shape == (133, 200, 3)
    assert (np.abs(rgb[:, :99] - (20, 200, 40)).max(), np.abs(rgb[:, 101:] - (200, 30, 40)).max()) == (0, 0)


@pytest.mark.parametrize("mode", ["L", "P", "CMYK", "I;16", "LA", "RGBA", "1", "F"])
def test_every_mode_gives_an_rgb_copy(mode: str) -> None:
    copy = analysis_copy(Image.new("RGB", (300, 300), (90, 140, 200)).convert(mode))
    assert copy.rgb.dtype == np.uint8
    assert copy.rgb.shape == (150, 150, 3)


def test_transparency_is_kept_as_alpha_and_opaque_photos_have_none() -> None:
    photo = Image.new("RGBA", (256, 256), (255, 255, 255, 0))
    photo.paste((255, 0, 0, 255), (0, 0, 128, 256))
    copy = analysis_copy(photo)
    assert copy.alpha is not None
    assert copy.alpha[:, :60].min() == 1.0
    assert copy.alpha[:, 70:].max() == 0.0
    assert analysis_copy(photo.convert("RGB")).alpha is None
    assert analysis_copy(Image.new("RGBA", (64, 64), (1, 2, 3, 255))).alpha is None


def test_skin_tones_are_skin_and_other_colours_are_not() -> None:
    colours = np.array([[SKIN, SKIN_DARK, (40, 160, 60), (40, 90, 220), (128, 128, 128), (5, 3, 2)]], np.uint8)
    likelihood = skin(colours)[0]
    assert likelihood[0] == pytest.approx(1.0)
    assert likelihood[1] == pytest.approx(1.0)
    assert likelihood[2:].max() == 0.0  # green, blue, grey, near-black


def test_greyscale_photos_are_told_apart() -> None:
    grey = np.asarray(_solid((100, 100, 100)).convert("L").convert("RGB"))
    sepia = np.asarray(_solid((112, 100, 90)))
    assert is_greyscale(grey)
    assert not is_greyscale(np.asarray(_solid(SKIN)))
    assert not is_greyscale(sepia)


def test_contrast_is_measured_in_units_of_the_background_spread() -> None:
    """A plain background gets the noise floor as its spread: a colour 5 levels away on every channel is at
    Mahalanobis distance sqrt(3) from all four strips."""
    photo = Image.new("RGB", (100, 100), (100, 100, 100))
    photo.putpixel((50, 50), (105, 105, 105))
    contrast = background_contrast(planes(np.asarray(photo)))
    assert contrast[50, 50] == pytest.approx(3**0.5, rel=1e-3)
    assert contrast[10, 10] == pytest.approx(0.0, abs=1e-6)


def test_an_object_stands_out_from_a_plain_background() -> None:
    photo = _solid((60, 110, 170))
    photo.paste((250, 200, 30), (200, 20, 260, 80))  # touching nothing: far from all four border strips
    contrast = background_contrast(planes(np.asarray(photo)))
    inside, outside = contrast[30:70, 210:250], contrast[120:, :150]
    assert inside.min() > 10 * outside.max()


def test_an_object_touching_one_border_still_stands_out() -> None:
    photo = _solid((60, 110, 170))
    photo.paste((250, 200, 30), (0, 60, 60, 140))  # on the left border
    contrast = background_contrast(planes(np.asarray(photo)))
    assert contrast[70:130, 20:50].min() > 10 * contrast[:, 150:].max()


def test_importance_is_zero_where_nothing_stands_out() -> None:
    flat = importance(analysis_copy(_solid((120, 130, 140))))
    assert float(flat.weight.max()) == 0.0
    rng = np.random.default_rng(7)
    noise = Image.fromarray(rng.integers(100, 104, (200, 300, 3), dtype=np.uint8))  # faint noise, no subject
    assert float(importance(analysis_copy(noise)).weight.max()) < 0.1


def test_importance_is_zero_where_the_photo_is_transparent() -> None:
    photo = Image.new("RGBA", (256, 256), (255, 0, 0, 0))  # transparent red: colour with no coverage
    photo.paste((30, 30, 30, 255), (40, 40, 120, 120))
    weights = importance(analysis_copy(photo))
    cells_x = 256 / weights.scale_x
    assert float(weights.weight[:, int(cells_x * 0.6) :].max()) == 0.0
    assert float(weights.weight.max()) > 0.5


def test_the_importance_grid_covers_the_photo() -> None:
    weights = importance(analysis_copy(_solid((1, 2, 3), (1600, 1000))))
    height, width = weights.weight.shape
    assert min(width, height) >= saliency.MAP_SHORT_SIDE
    assert (width * weights.scale_x, height * weights.scale_y) == pytest.approx((1600, 1000))


def test_working_memory_does_not_grow_with_the_photo() -> None:
    def peak(size: tuple[int, int]) -> int:
        photo = _solid((10, 200, 30), size)
        tracemalloc.start()
        try:
            importance(analysis_copy(photo))
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak((1200, 800)), peak((6000, 4000))
    assert large < 1.5 * small + 100_000
    assert large < 4_000_000
