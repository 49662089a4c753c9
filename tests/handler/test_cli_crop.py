"""``ogedge crop``: prints the box (and what it is placed on), writes the debug picture, refuses bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from handler.cli import main
from renderer.smartcrop import crop_box


def _photo(path: Path, size: tuple[int, int] = (900, 300), exif_orientation: int | None = None) -> Image.Image:
    """A blue photo with an orange disc near its right end (the subject), saved to ``path``."""
    photo = Image.new("RGB", size, (40, 70, 160))
    ImageDraw.Draw(photo).ellipse(
        (size[0] - 160, size[1] // 2 - 50, size[0] - 60, size[1] // 2 + 50), fill=(255, 120, 0)
    )
    exif = Image.Exif()
    if exif_orientation is not None:
        exif[0x0112] = exif_orientation
    photo.save(path, "JPEG", quality=95, exif=exif)
    return photo


def test_prints_the_box_then_what_it_is_placed_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _photo(tmp_path / "p.jpg")
    assert main(["crop", str(tmp_path / "p.jpg"), "--width", "260", "--height", "260"]) == 0
    first, second = capsys.readouterr().out.splitlines()
    with Image.open(tmp_path / "p.jpg") as decoded:
        assert tuple(int(v) for v in first.split()) == crop_box(decoded.convert("RGB"), 260, 260) == (600, 0, 900, 300)
    assert second.startswith("300x300 of the 900x300 photo, on the salient at ")


def test_a_plain_photo_is_cropped_in_the_centre(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    Image.new("RGB", (400, 200), (90, 90, 90)).save(tmp_path / "plain.png")
    assert main(["crop", str(tmp_path / "plain.png"), "--width", "1", "--height", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "100 0 300 200",
        "200x200 of the 400x200 photo, centred: nothing stands out",
    ]


def test_the_box_is_in_pixels_of_the_upright_photo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Stored sideways with EXIF orientation 6 (turn 90 degrees clockwise): the box is in the turned photo."""
    stored = tmp_path / "sideways.jpg"
    _photo(stored, (300, 900), exif_orientation=6)
    assert main(["crop", str(stored), "--width", "1200", "--height", "630"]) == 0
    left, top, right, bottom = (int(v) for v in capsys.readouterr().out.splitlines()[0].split())
    assert (right - left, bottom - top) == (571, 300)  # the largest 1200:630 box of the upright 900x300 photo
    assert 0 <= left < right <= 900


def test_debug_writes_the_photo_with_the_analysis_drawn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = _photo(tmp_path / "p.jpg")
    out = tmp_path / "debug.png"
    assert main(["crop", str(tmp_path / "p.jpg"), "--width", "260", "--height", "260", "--debug", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    with Image.open(out) as drawn:
        assert (drawn.format, drawn.size) == ("PNG", photo.size)
        assert drawn.convert("RGB").getpixel((100, 150)) != photo.getpixel((100, 150))  # dimmed outside the crop
        assert drawn.convert("RGB").getpixel((600, 150)) == (255, 255, 255)  # the crop's white border


def test_missing_photo_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crop", str(tmp_path / "nope.jpg"), "--width", "10", "--height", "10"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_a_file_that_is_not_an_image_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.jpg").write_text("not a photo")
    assert main(["crop", str(tmp_path / "notes.jpg"), "--width", "10", "--height", "10"]) == 1
    assert "notes.jpg: not an image that can be read" in capsys.readouterr().err


@pytest.mark.parametrize("width", ["0", "-5", "abc", "100001"])
def test_a_bad_size_exits_2_naming_the_option(tmp_path: Path, width: str, capsys: pytest.CaptureFixture[str]) -> None:
    _photo(tmp_path / "p.jpg")
    with pytest.raises(SystemExit) as caught:
        main(["crop", str(tmp_path / "p.jpg"), "--width", width, "--height", "10"])
    assert caught.value.code == 2
    assert "--width" in capsys.readouterr().err


def test_an_unwritable_debug_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _photo(tmp_path / "p.jpg")
    bad = tmp_path / "debug.unknown-extension"
    assert main(["crop", str(tmp_path / "p.jpg"), "--width", "10", "--height", "10", "--debug", str(bad)]) == 1
    assert "cannot write" in capsys.readouterr().err
