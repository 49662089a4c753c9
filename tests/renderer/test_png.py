"""Our PNG writers: lossless for every size and content, valid for an independent decoder (zlib and Pillow), and no
larger than Pillow's default encoding of a card with a photo."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from renderer.png import palette_png, rgb_png


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        out.append((kind, body))
        pos += 12 + length
    return out


def filter_types(data: bytes, width: int, channels: int) -> set[int]:
    stream = zlib.decompress(b"".join(body for kind, body in chunks(data) if kind == b"IDAT"))
    return set(stream[:: width * channels + 1])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 70), st.integers(1, 70), st.randoms(use_true_random=False), st.sampled_from(["RGB", "RGBA"]))
def test_rgb_png_is_lossless(width: int, height: int, rnd: random.Random, mode: str) -> None:
    image = Image.new(mode, (width, height), (10, 20, 30, 255))
    for _ in range(rnd.randint(0, 8)):  # flat blocks, gradients and noise: every filter gets its rows
        x, y = rnd.randrange(width), rnd.randrange(height)
        kind = rnd.choice(["flat", "noise", "ramp"])
        w, h = rnd.randint(1, width - x), rnd.randint(1, height - y)
        if kind == "flat":
            patch = Image.new(mode, (w, h), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256), 255))
        elif kind == "noise":
            patch = Image.effect_noise((w, h), rnd.randint(1, 120)).convert(mode)
        else:
            patch = Image.linear_gradient("L").resize((w, h)).convert(mode)
        image.paste(patch, (x, y))
    data = rgb_png(image)
    back = Image.open(io.BytesIO(data))
    assert back.mode == "RGB"
    assert back.tobytes() == image.convert("RGB").tobytes()
    assert filter_types(data, width, 3) <= {0, 1, 2, 3}


def test_rgb_png_picks_up_for_repeated_rows_and_other_filters_for_a_photo() -> None:
    image = Image.new("RGB", (64, 40), (26, 26, 46))
    image.paste(Image.effect_noise((30, 20), 60).convert("RGB"), (10, 10))
    data = rgb_png(image)
    assert 2 in filter_types(data, 64, 3)
    assert len(filter_types(data, 64, 3)) > 1
    assert Image.open(io.BytesIO(data)).tobytes() == image.tobytes()


def test_palette_png_is_lossless_with_the_colours_in_the_given_order() -> None:
    indices = Image.new("L", (33, 7), 0)
    indices.paste(2, (3, 1, 20, 5))
    indices.paste(1, (10, 2, 30, 7))
    colours = [(26, 26, 46), (255, 255, 255), (233, 69, 96)]
    data = palette_png(indices, colours)
    back = Image.open(io.BytesIO(data))
    assert back.mode == "P"
    assert back.getpalette()[:9] == [c for colour in colours for c in colour]  # type: ignore[index]
    assert back.tobytes() == indices.tobytes()
    assert [kind for kind, _ in chunks(data)] == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]  # no metadata


def test_a_card_with_a_photo_is_no_larger_than_pillows_default_png(shared: Callable[..., Path]) -> None:
    card = Image.new("RGB", (1200, 630), (26, 26, 46))
    card.paste((233, 69, 96), (0, 0, 1200, 4))
    photo = Image.open(shared("bench-peers", "assets", "portrait.jpg")).convert("RGB")
    card.paste(photo.resize((260, 390)).crop((0, 65, 260, 325)), (880, 165))
    pillow = io.BytesIO()
    card.save(pillow, "PNG")
    ours = rgb_png(card)
    assert Image.open(io.BytesIO(ours)).tobytes() == card.tobytes()
    assert len(ours) <= len(pillow.getvalue())
