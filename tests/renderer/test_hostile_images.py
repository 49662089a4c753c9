"""Hostile source images, all generated here (nothing downloaded, no binary fixtures): decompression bombs,
truncated files, absurd shapes, every odd mode, animations, broken EXIF, SVG with external references and files
that are not images at all. Each goes through ``render()`` as an image layer of a small canvas, and the outcome is
exact: a clean ``ImageLoadError`` naming the layer's file, or a render of the right size whose pixels show that the
source was converted correctly."""

from __future__ import annotations

import base64
import binascii
import random
import struct
import textwrap
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from probes import run_python

from renderer import ImageLoadError, InvalidRequest, Limits, RenderedImage, RenderOptions, render

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 200, 100
GREEN = (0, 255, 0)
IMAGE_FIELD = "layers[1].file"  # the image is the second layer, over a green background
DEFAULT_CAP = Limits().max_source_pixels
MB = 1 << 20


# --- requests and results ----------------------------------------------------------------------------------------


def request(data: bytes, width: int = WIDTH, height: int = HEIGHT) -> dict[str, Any]:
    """A green canvas with ``data`` as an image layer covering it (``layers[1]``)."""
    return {
        "dimensions": {"width_in_px": width, "height_in_px": height},
        "layers": [
            {"type": "solid-color", "index": 0, "hex_color": "#00ff00"},
            {
                "type": "image",
                "index": 1,
                "file": {"type": "base64", "base64": base64.b64encode(data).decode("ascii")},
                "position": {"x_in_px": 0, "y_in_px": 0},
                "dimensions": {"width_in_px": width, "height_in_px": height},
            },
        ],
    }


def pixels_of(image: RenderedImage) -> Image.Image:
    """The rendered bytes decoded, after checking that they really are a WIDTH x HEIGHT image."""
    assert (image.width, image.height) == (WIDTH, HEIGHT)
    with Image.open(BytesIO(image.data)) as decoded:
        assert decoded.size == (WIDTH, HEIGHT)
        return decoded.convert("RGB")


def rgb_at(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    r, g, b = value[:3]
    assert isinstance(r, int)
    assert isinstance(g, int)
    assert isinstance(b, int)
    return (r, g, b)


def assert_close(got: tuple[int, int, int], want: tuple[int, int, int], tolerance: int) -> None:
    assert all(abs(a - b) <= tolerance for a, b in zip(got, want, strict=True)), f"{got} is not {want} +/-{tolerance}"


def capped(max_source_pixels: int) -> RenderOptions:
    return RenderOptions(limits=Limits(max_source_pixels=max_source_pixels))


DEFAULT_OPTIONS = RenderOptions()


def refused(data: bytes, options: RenderOptions = DEFAULT_OPTIONS) -> ImageLoadError:
    """The ImageLoadError that rendering ``data`` must raise; it names the image layer's file."""
    with pytest.raises(ImageLoadError) as caught:
        render(request(data), options=options)
    assert caught.value.field == IMAGE_FIELD
    assert caught.value.message
    return caught.value


def encoded(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


# --- files built by hand -----------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", binascii.crc32(kind + body))


def png_file(width: int, height: int, idat: bytes, *, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A PNG with an IHDR declaring ``width`` x ``height`` and one IDAT chunk holding ``idat`` (zlib data)."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def deflated_repeats(unit: bytes, count: int) -> bytes:
    """The zlib stream of ``unit * count``, compressed about a megabyte at a time so that the expanded data never
    exists in the test's memory."""
    per_slice = max(1, MB // len(unit))
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(unit * min(per_slice, count - start)) for start in range(0, count, per_slice)]
    return b"".join([*parts, compressor.flush()])


def zero_scanlines(width: int, height: int, bits_per_pixel: int) -> bytes:
    """The complete zlib stream of ``height`` all-zero scanlines (filter byte 0)."""
    return deflated_repeats(bytes(1 + (width * bits_per_pixel + 7) // 8), height)


def png_header_bomb(width: int, height: int) -> bytes:
    """An 8-bit RGB PNG declaring ``width`` x ``height`` with only a kilobyte of zero pixel data."""
    return png_file(width, height, zlib.compress(bytes(1024)))


def png_full_bomb(width: int, height: int) -> bytes:
    """A complete, valid 1-bit greyscale PNG of ``width`` x ``height`` black pixels: a few kilobytes that expand to
    ``width * height`` bytes in Pillow (one per pixel) and four times that once converted to RGB."""
    return png_file(width, height, zero_scanlines(width, height, 1), bit_depth=1, colour_type=0)


def gif_header_bomb(width: int, height: int) -> bytes:
    """A GIF89a whose logical screen and image descriptor both declare ``width`` x ``height`` (a 2-colour global
    palette and a few bytes of LZW data)."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    descriptor = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return screen + descriptor + b"\x02\x02\x44\x01\x00" + b";"


def webp_chunk(fourcc: bytes, payload: bytes) -> bytes:
    return fourcc + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) % 2)


def riff_webp(*chunks: bytes) -> bytes:
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def vp8l(width: int, height: int) -> bytes:
    """A VP8L (lossless) chunk whose header declares ``width`` x ``height`` (14 bits each), then zero bits."""
    bits = (width - 1) | ((height - 1) << 14)
    return webp_chunk(b"VP8L", b"\x2f" + struct.pack("<I", bits) + bytes(16))


def webp_vp8l_bomb(width: int, height: int) -> bytes:
    return riff_webp(vp8l(width, height))


def webp_vp8x_bomb(width: int, height: int) -> bytes:
    """An extended WebP whose VP8X canvas (24 bits a side) and VP8L bitstream both declare ``width`` x ``height``
    (libwebp refuses a still image whose bitstream and canvas disagree before any size check could run)."""
    canvas = bytes(4) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return riff_webp(webp_chunk(b"VP8X", canvas), vp8l(width, height))


def jpeg_sof_bomb(width: int, height: int) -> bytes:
    """A real 8x8 baseline JPEG whose start-of-frame marker is rewritten to declare ``width`` x ``height``."""
    data = bytearray(encoded(Image.new("RGB", (8, 8), (200, 30, 30)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


# --- decompression bombs -----------------------------------------------------------------------------------------

# Pillow refuses on its own above 2 x Image.MAX_IMAGE_PIXELS (about 179 million pixels) and only warns above
# 89 million; between the 40 million of ogedge's cap and those, nothing but the renderer's own check stands in the
# way, so every format has a bomb in that band as well as one at the format's largest dimensions.
BOMBS = [
    pytest.param(lambda: png_full_bomb(9000, 9000), id="png-9000x9000-1bit-complete"),
    pytest.param(lambda: png_header_bomb(12000, 12000), id="png-12000x12000-pillow-warns"),
    pytest.param(lambda: png_full_bomb(30000, 30000), id="png-30000x30000-1bit-complete"),
    pytest.param(lambda: png_header_bomb(100000, 100000), id="png-100000x100000"),
    pytest.param(lambda: gif_header_bomb(9000, 9000), id="gif-9000x9000"),
    pytest.param(lambda: gif_header_bomb(65535, 65535), id="gif-65535x65535"),
    pytest.param(lambda: webp_vp8l_bomb(9000, 9000), id="webp-vp8l-9000x9000"),
    pytest.param(lambda: webp_vp8l_bomb(16383, 16383), id="webp-vp8l-16383x16383"),
    pytest.param(lambda: webp_vp8x_bomb(9000, 9000), id="webp-vp8x-9000x9000"),
    pytest.param(lambda: webp_vp8x_bomb(16383, 16383), id="webp-vp8x-16383x16383"),
    pytest.param(lambda: jpeg_sof_bomb(9000, 9000), id="jpeg-9000x9000"),
    pytest.param(lambda: jpeg_sof_bomb(65500, 65500), id="jpeg-65500x65500"),
]


@pytest.mark.parametrize("make", BOMBS)
def test_a_decompression_bomb_is_refused_quickly(make: Callable[[], bytes]) -> None:
    data = make()
    assert len(data) < 200_000  # small in bytes, huge in pixels
    start = time.perf_counter()
    error = refused(data)
    assert time.perf_counter() - start < 2.0  # a sanity bound, not a benchmark
    assert f"more than {DEFAULT_CAP} pixels" in error.message


# Renders one request in a fresh interpreter with Python's default warning filters (as in production, where
# Pillow's DecompressionBombWarning is only a warning) and reports the outcome and how much the peak resident
# memory grew over what it was after a warm-up render that loaded every codec. The peak is the kernel's VmHWM of
# the child's own address space, reset after the warm-up (getrusage's ru_maxrss would not do: on Linux it starts
# from the parent's resident size at fork, which hides growth below that of the pytest process).
_MEASURE = textwrap.dedent(
    """
    import gc, json, re, sys, time
    from renderer import Limits, RenderError, RenderOptions, render

    def status_kb(key):
        with open("/proc/self/status") as status:
            return int(re.search(key + r":\\s+(\\d+) kB", status.read()).group(1))

    job = json.load(sys.stdin)
    options = RenderOptions(limits=Limits(max_source_pixels=job["max_source_pixels"]))
    render(job["warm_up"], options=options)
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # reset the peak to the current resident size
    except OSError:
        pass
    before = status_kb("VmHWM")
    start = time.perf_counter()
    try:
        image = render(job["request"], options=options)
        outcome = {"type": "RenderedImage", "size": [image.width, image.height]}
    except RenderError as exc:
        outcome = {"type": type(exc).__name__, "field": exc.field, "message": exc.message}
    except BaseException as exc:
        outcome = {"type": type(exc).__name__, "message": str(exc)}
    outcome["seconds"] = time.perf_counter() - start
    outcome["rss_growth"] = (status_kb("VmHWM") - before) * 1024
    print(json.dumps(outcome))
    """
)


def _warm_up() -> dict[str, Any]:
    small = Image.new("RGB", (8, 8), (9, 9, 9))
    layers = [
        {"type": "image", "file": {"type": "base64", "base64": base64.b64encode(encoded(small, fmt)).decode()}}
        for fmt in ("PNG", "GIF", "WEBP", "JPEG", "TIFF")
    ]
    return {"dimensions": {"width_in_px": WIDTH, "height_in_px": HEIGHT}, "layers": layers}


def measured(data: bytes, max_source_pixels: int = DEFAULT_CAP) -> dict[str, Any]:
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc (Linux)")
    job = {"request": request(data), "warm_up": _warm_up(), "max_source_pixels": max_source_pixels}
    outcome: dict[str, Any] = run_python(_MEASURE, job)
    return outcome


# The measure can see a real decode: a legitimate 1-bit 4000x4000 PNG is 16 MB in Pillow and 64 MB as RGB.
BOMB_RSS_BUDGET = 48 * MB


@pytest.mark.slow
@pytest.mark.parametrize("make", BOMBS)
def test_a_decompression_bomb_never_gets_its_pixels_allocated(make: Callable[[], bytes]) -> None:
    outcome = measured(make())
    assert outcome["type"] == "ImageLoadError", outcome
    assert outcome["field"] == IMAGE_FIELD
    assert f"more than {DEFAULT_CAP} pixels" in outcome["message"]
    assert outcome["seconds"] < 2.0
    assert outcome["rss_growth"] < BOMB_RSS_BUDGET, f"peak memory grew by {outcome['rss_growth'] / MB:.0f} MB"


@pytest.mark.slow
def test_the_memory_measure_sees_a_real_decode() -> None:
    """The control for the test above: the same measure, on an image under the cap, does see the pixels."""
    outcome = measured(png_full_bomb(4000, 4000))
    assert outcome["type"] == "RenderedImage", outcome
    assert outcome["rss_growth"] > BOMB_RSS_BUDGET


def _with_metadata(chunk: bytes) -> bytes:
    """A valid 16x8 PNG with ``chunk`` between its header and its pixels."""
    png = encoded(Image.new("RGB", (16, 8), (10, 120, 230)), "PNG")
    after_ihdr = len(PNG_SIGNATURE) + 8 + 13 + 4
    return png[:after_ihdr] + chunk + png[after_ihdr:]


@pytest.mark.parametrize(
    "chunk",
    [
        pytest.param(lambda z: png_chunk(b"zTXt", b"Comment\0\0" + z), id="ztxt"),
        pytest.param(lambda z: png_chunk(b"iTXt", b"Comment\0\x01\0\0\0" + z), id="itxt-compressed"),
        pytest.param(lambda z: png_chunk(b"iCCP", b"icc\0\0" + z), id="iccp"),
    ],
)
def test_a_metadata_bomb_is_refused_quickly(chunk: Callable[[bytes], bytes]) -> None:
    """Compressed text or ICC chunks that expand to 64 MB: Pillow's chunk limits refuse them, as a clean error."""
    data = _with_metadata(chunk(deflated_repeats(bytes(MB), 64)))
    assert len(data) < 200_000
    pixels_of(render(request(_with_metadata(chunk(zlib.compress(b"small"))))))  # the same chunk, small, is fine
    start = time.perf_counter()
    refused(data)
    assert time.perf_counter() - start < 2.0


def real_photo(width: int, height: int) -> bytes:
    """A non-malicious PNG: a gradient with noise, as a camera might give."""
    ramp = np.linspace(0, 255, width, dtype=np.float64)[None, :, None]
    noise = np.random.default_rng(7).integers(0, 40, size=(height, width, 3))
    array = np.clip(ramp + noise, 0, 255).astype(np.uint8)
    return encoded(Image.fromarray(array, "RGB"), "PNG")


def test_a_source_just_over_a_small_cap_is_refused_from_its_header() -> None:
    error = refused(real_photo(1200, 1000), capped(1_000_000))
    assert "more than 1000000 pixels" in error.message
    assert "1200x1000" in error.message


@pytest.mark.parametrize(("size", "allowed"), [((1000, 1000), True), ((1001, 1000), False)], ids=["at", "one-over"])
def test_the_cap_is_inclusive(size: tuple[int, int], allowed: bool) -> None:
    options = capped(1_000_000)
    data = encoded(Image.new("RGB", size, (1, 2, 3)), "PNG")
    if allowed:
        assert rgb_at(pixels_of(render(request(data), options=options)), (100, 50)) == (1, 2, 3)
    else:
        assert "more than 1000000 pixels" in refused(data, options).message


# Decoding a source under the cap should cost about as much memory whatever its pixel format (16-bit and float
# greyscale once went through float64 numpy arrays and their temporaries: about 29 bytes per source pixel, against
# 8 for RGBA and 5 for L, so a 70 KB 6000x6000 PNG under the default cap took ~900 MB and 3.5 s).
BYTES_PER_SOURCE_PIXEL = 16


def _greyscale_source(mode: str, side: int) -> bytes:
    if mode == "I;16":
        return encoded(Image.fromarray(np.zeros((side, side), dtype=np.uint16)), "PNG")
    if mode == "F":
        return encoded(
            Image.fromarray(np.zeros((side, side), dtype=np.float32)), "TIFF", compression="tiff_adobe_deflate"
        )
    return encoded(Image.new(mode, (side, side)), "PNG")


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["RGBA", "L", "I;16", "F"])
def test_memory_per_source_pixel_does_not_depend_on_the_pixel_format(mode: str) -> None:
    side = 3000
    outcome = measured(_greyscale_source(mode, side))
    assert outcome["type"] == "RenderedImage", outcome
    per_pixel = outcome["rss_growth"] / (side * side)
    assert per_pixel < BYTES_PER_SOURCE_PIXEL, f"{per_pixel:.1f} bytes of peak memory per source pixel"


# --- truncated files ---------------------------------------------------------------------------------------------


def _noise(size: int = 96) -> Image.Image:
    return Image.effect_noise((size, size), 80).convert("RGB")


def _cut_in_the_pixels(data: bytes) -> bytes:
    """The file cut in the middle: for these noisy images almost all of the bytes are pixel data."""
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: encoded(_noise(), "PNG"), id="png"),
        pytest.param(lambda: encoded(_noise(), "PNG", optimize=True, compress_level=9), id="png-compressed"),
        pytest.param(lambda: encoded(_noise(), "JPEG", quality=90), id="jpeg"),
        pytest.param(lambda: encoded(_noise(), "JPEG", progressive=True), id="jpeg-progressive"),
        pytest.param(lambda: encoded(_noise().convert("P"), "GIF"), id="gif"),
        pytest.param(lambda: encoded(_noise(), "WEBP", quality=90), id="webp-lossy"),
        pytest.param(lambda: encoded(_noise(), "WEBP", lossless=True), id="webp-lossless"),
    ],
)
def test_a_truncated_file_is_an_image_error(make: Callable[[], bytes]) -> None:
    whole = make()
    pixels_of(render(request(whole)))  # the whole file is fine
    refused(_cut_in_the_pixels(whole))


# --- shapes and modes that must render ---------------------------------------------------------------------------


def _halves(mode: str, left: Any, right: Any, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Image.Image:
    image = Image.new(mode, size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def _palette_with_transparency() -> bytes:
    """Palette entry 0 is red, entry 1 is declared transparent (tRNS); the left half uses entry 1."""
    image = _halves("P", 1, 0)
    image.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    return encoded(image, "PNG", transparency=1)


def _rgb16_png(rgb: tuple[int, int, int], size: tuple[int, int] = (16, 8)) -> bytes:
    """A 16-bit-per-channel RGB PNG, written by hand (Pillow does not write them)."""
    row = b"\x00" + struct.pack(">HHH", *rgb) * size[0]
    return png_file(size[0], size[1], zlib.compress(row * size[1]), bit_depth=16, colour_type=2)


def _grey16(value: int) -> bytes:
    source = Image.fromarray(np.full((8, 16), value, dtype=np.uint16))
    assert source.mode.startswith("I;16")
    return encoded(source, "PNG")


def _float_tiff(value: float) -> bytes:
    source = Image.fromarray(np.full((8, 16), value, dtype=np.float32))
    assert source.mode == "F"
    return encoded(source, "TIFF")


def _animation(fmt: str, **options: Any) -> bytes:
    frames = [Image.new("RGB", (16, 8), colour) for colour in ((255, 0, 0), (0, 0, 255), (0, 255, 255))]
    return encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, **options)


Probes = dict[tuple[int, int], tuple[int, int, int]]
LEFT, RIGHT, CENTRE = (50, 50), (150, 50), (100, 50)


@pytest.mark.parametrize(
    ("make", "probes", "tolerance"),
    [
        pytest.param(lambda: encoded(Image.new("RGB", (1, 65535), (10, 120, 230)), "PNG"), {CENTRE: (10, 120, 230)}, 0,
                     id="thin-1x65535"),
        pytest.param(lambda: encoded(Image.new("RGB", (65535, 1), (10, 120, 230)), "PNG"), {CENTRE: (10, 120, 230)}, 0,
                     id="thin-65535x1"),
        pytest.param(lambda: encoded(Image.new("CMYK", (16, 8), (0, 255, 255, 0)), "JPEG", quality=95),
                     {CENTRE: (255, 0, 0)}, 12, id="cmyk-jpeg"),
        pytest.param(lambda: _rgb16_png((0xFFFF, 0x8000, 0x1234)), {CENTRE: (255, 128, 18)}, 1, id="rgb-16bit-png"),
        pytest.param(lambda: _grey16(0x8080), {CENTRE: (128, 128, 128)}, 0, id="grey-16bit-mid"),
        pytest.param(lambda: _grey16(0x4040), {CENTRE: (64, 64, 64)}, 0, id="grey-16bit-quarter-scaled-not-clipped"),
        pytest.param(_palette_with_transparency, {LEFT: GREEN, RIGHT: (255, 0, 0)}, 0, id="palette-trns"),
        pytest.param(lambda: encoded(Image.new("LA", (16, 8), (90, 128)), "PNG"), {CENTRE: (45, 173, 45)}, 1,
                     id="la-half-transparent"),
        pytest.param(lambda: encoded(_halves("1", 0, 1), "PNG"), {LEFT: (0, 0, 0), RIGHT: (255, 255, 255)}, 0,
                     id="one-bit"),
        pytest.param(lambda: _float_tiff(0.25), {CENTRE: (64, 64, 64)}, 0, id="float-tiff-unit-range"),
        pytest.param(lambda: _float_tiff(200.0), {CENTRE: (200, 200, 200)}, 0, id="float-tiff-byte-range"),
        pytest.param(lambda: _animation("GIF"), {CENTRE: (255, 0, 0)}, 0, id="animated-gif-first-frame"),
        pytest.param(lambda: _animation("WEBP", lossless=True), {CENTRE: (255, 0, 0)}, 0,
                     id="animated-webp-first-frame"),
        pytest.param(lambda: _animation("PNG"), {CENTRE: (255, 0, 0)}, 0, id="animated-png-first-frame"),
    ],
)  # fmt: skip
def test_an_odd_but_valid_source_renders(make: Callable[[], bytes], probes: Probes, tolerance: int) -> None:
    image = pixels_of(render(request(make())))
    for xy, want in probes.items():
        assert_close(rgb_at(image, xy), want, tolerance)


# --- EXIF that lies ----------------------------------------------------------------------------------------------


def _jpeg_with_app1(payload: bytes) -> bytes:
    """A red JPEG with ``payload`` as its APP1 (EXIF) segment, right after the start-of-image marker."""
    jpeg = encoded(Image.new("RGB", (32, 16), (220, 20, 20)), "JPEG", quality=95)
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _orientation_entry(value: int, kind: int = 3, count: int = 1) -> bytes:
    return struct.pack(">HHIHH", 0x0112, kind, count, value, 0)


CORRUPT_EXIF = [
    pytest.param(b"Exif\0\0MM\0*\0\0\0\x08\0\x01" + _orientation_entry(6) + b"\xff" * 24, id="garbage-after-ifd"),
    pytest.param(b"Exif\0\0MM\0*\0\0\0\x08\0\x01" + _orientation_entry(0xFFFF), id="orientation-out-of-range"),
    pytest.param(b"Exif\0\0MM\0*\0\0\0\x08\0\x01" + _orientation_entry(6, kind=2, count=0xFFFF), id="wrong-type"),
    pytest.param(b"Exif\0\0MM\0*\0\0\0\x08\xff\xff" + _orientation_entry(6), id="entry-count-overflow"),
    pytest.param(b"Exif\0\0MM\0*\x7f\xff\xff\xff", id="ifd-offset-past-the-end"),
    pytest.param(b"Exif\0\0II*\0\xff\xff\xff\x7f", id="truncated-little-endian"),
    pytest.param(b"Exif\0\0" + random.Random(3).randbytes(200), id="random-bytes"),
]


@pytest.mark.parametrize("payload", CORRUPT_EXIF)
def test_corrupt_exif_with_an_orientation_tag_still_renders(payload: bytes) -> None:
    data = _jpeg_with_app1(payload)
    # As in production: Pillow's EXIF (TIFF) parser may warn ("Corrupt EXIF data"), which must not stop the render.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        image = pixels_of(render(request(data)))
    assert_close(rgb_at(image, CENTRE), (220, 20, 20), 12)
    unexpected = [w for w in caught if not (w.category is UserWarning and w.filename.endswith("TiffImagePlugin.py"))]
    assert unexpected == [], [f"{w.category.__name__}: {w.message}" for w in unexpected]


@pytest.mark.parametrize("payload", CORRUPT_EXIF)
def test_corrupt_exif_with_warnings_as_errors_is_at_worst_an_image_error(payload: bytes) -> None:
    """Under this suite's ``-W error`` a Pillow warning is an exception: it must still come out as ImageLoadError."""
    outcome: RenderedImage | ImageLoadError
    try:
        outcome = render(request(_jpeg_with_app1(payload)))
    except ImageLoadError as exc:
        outcome = exc
    if isinstance(outcome, ImageLoadError):
        assert outcome.field == IMAGE_FIELD
        assert "Warning" in outcome.message
    else:
        assert_close(rgb_at(pixels_of(outcome), CENTRE), (220, 20, 20), 12)


# --- SVG with external references --------------------------------------------------------------------------------

HOSTILE_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="400" height="200">
  <image href="https://example.com/x.png" xlink:href="https://example.com/x.png" width="400" height="200"/>
  <text x="10" y="20">&x;</text>
</svg>
"""


class RecordingFetch:
    def __init__(self, answer: bytes = b"") -> None:
        self.answer = answer
        self.urls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.answer


def test_svg_is_refused_without_following_its_references() -> None:
    fetch = RecordingFetch()
    with pytest.raises(ImageLoadError) as caught:
        render(request(HOSTILE_SVG), fetch=fetch)
    assert caught.value.field == IMAGE_FIELD
    assert "undefined entity" in caught.value.message  # SVG is drawn (renderer.svg), but external entities refused
    assert "root:" not in str(caught.value)  # nothing of the entity's target leaks into the message
    assert fetch.urls == []


def test_svg_fetched_by_url_is_refused_and_only_its_own_url_is_fetched() -> None:
    fetch = RecordingFetch(HOSTILE_SVG)
    by_url = request(b"unused")
    by_url["layers"][1]["file"] = {"type": "url", "url": "https://cdn.example.org/card.svg"}
    with pytest.raises(ImageLoadError) as caught:
        render(by_url, fetch=fetch)
    assert caught.value.field == IMAGE_FIELD
    assert fetch.urls == ["https://cdn.example.org/card.svg"]


# --- things that are not images ----------------------------------------------------------------------------------


def _zip() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("image.png", encoded(Image.new("RGB", (4, 4)), "PNG"))
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(random.Random(1).randbytes(4096), id="random-bytes"),
        pytest.param(bytes(4096), id="zeros"),
        pytest.param(b"Just some text, no image here.\n" * 20, id="text"),
        pytest.param(
            b"<!DOCTYPE html><html><head><title>x</title></head><body><img src=x.png></body></html>", id="html"
        ),
        pytest.param(_zip(), id="zip-holding-a-png"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", id="pdf-header"),
        pytest.param(PNG_SIGNATURE, id="png-signature-only"),
        pytest.param(b"GIF89a", id="gif-signature-only"),
        pytest.param(b"RIFF\x04\x00\x00\x00WEBP", id="webp-signature-only"),
        pytest.param(b"\xff\xd8\xff", id="jpeg-signature-only"),
    ],
)
def test_data_that_is_not_an_image_is_an_image_error(data: bytes) -> None:
    refused(data)


@pytest.mark.parametrize("body", ["", "   ", "\n", "data:image/png;base64,", "===="])
def test_an_empty_body_is_a_validation_error(body: str) -> None:
    bad = request(b"x")
    bad["layers"][1]["file"]["base64"] = body
    with pytest.raises(InvalidRequest) as caught:
        render(bad)
    assert [problem.path for problem in caught.value.problems] == ["layers[1].file.base64"]
    assert all(problem.message for problem in caught.value.problems)
