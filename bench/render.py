"""Render benchmark: ogedge's public ``render()`` against a naive Pillow baseline, on the article's OG card.

What is measured: wall time (``time.perf_counter``) of one render + PNG encode of the 1200x630 card in
``<shared>/reference/seed-og-request.json``, in two variants:

- ``text``:  the request without its last layer (the ``static-image`` author photo);
- ``photo``: the request with that layer's file replaced by a base64 JPEG, a portrait photo from
  ``<shared>/crop-eval/images`` resized in memory to a 1000 px long side (JPEG quality 90).

ogedge is called as a caller would: ``renderer.render(request_dict, fetch=offline)``, so each timed call
pays for validation, base64 decoding, layout, compositing and encoding. The request's font URLs point at
example.com; the fetcher raises ``OSError`` at once, so the bundled Inter is used and the network is never
touched.

The baseline is what a first attempt in plain Pillow would look like: new RGB canvas, the accent bar, greedy
word wrap of the title, the site name, the photo decoded from the same JPEG bytes and ``ImageOps.fit`` to the
box, PNG saved with Pillow's defaults. Its fonts are loaded once, before timing.

All four cases run interleaved in rounds (the order rotating each round) so machine noise hits them equally.
Prints p50/p95 in ms and output size per case, then ogedge/naive ratios per variant.

Run from the checkout::

    .venv/bin/python bench/render.py [--n 40] [--warmup 3] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import base64
import copy
import io
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, ImageDraw, ImageFont, ImageOps
from timing import Timed, at_least, offline_fetch, run_rounds

from renderer import render

CHECKOUT = Path(__file__).resolve().parents[1]
INTER = CHECKOUT / "renderer" / "fonts" / "inter"
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_REQUEST = Path("reference") / "seed-og-request.json"
# A head-and-shoulders portrait (1064x1600). No portrait JPEG in crop-eval has a long side near 1000 px,
# so it is resized in memory (see author_photo).
PHOTO = Path("crop-eval") / "images" / "smartcropjs_makhmutova.jpg"
PHOTO_LONG_SIDE = 1000
PHOTO_QUALITY = 90

CARD_SIZE = (1200, 630)
VARIANTS = ("text", "photo")
IMPLEMENTATIONS = ("ogedge", "naive")

Json = dict[str, Any]
RenderFn = Callable[[], bytes]


# --- inputs -------------------------------------------------------------------------------------------------


def author_photo(shared: Path) -> bytes:
    """The benchmark photo as JPEG bytes, its long side scaled to PHOTO_LONG_SIDE (in memory, never saved)."""
    with Image.open(shared / PHOTO) as source:
        image = source.convert("RGB")
    scale = PHOTO_LONG_SIDE / max(image.size)
    if scale != 1:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=PHOTO_QUALITY)
    return buf.getvalue()


def load_request(shared: Path) -> Json:
    request: Json = json.loads((shared / SEED_REQUEST).read_text(encoding="utf-8"))
    if request["layers"][-1]["type"] != "static-image":
        raise SystemExit(f"{SEED_REQUEST}: expected the last layer to be the static-image author photo")
    return request


def text_request(seed: Json) -> Json:
    request = copy.deepcopy(seed)
    request["layers"] = request["layers"][:-1]
    return request


def photo_request(seed: Json, photo: bytes) -> Json:
    request = copy.deepcopy(seed)
    encoded = base64.b64encode(photo).decode("ascii")
    request["layers"][-1]["file"] = {"type": "base64", "name": "author.jpg", "base64": encoded}
    return request


# --- ogedge -------------------------------------------------------------------------------------------------


def ogedge_renderer(request: Json) -> RenderFn:
    def run() -> bytes:
        image = render(request, fetch=offline_fetch)
        if (image.width, image.height) != CARD_SIZE:
            raise SystemExit(f"ogedge rendered {image.width}x{image.height}, expected {CARD_SIZE}")
        return image.data

    return run


# --- naive Pillow baseline ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextBlock:
    text: str
    font: ImageFont.FreeTypeFont
    color: str
    box: tuple[int, int, int, int]  # x, y, width, height
    line_height: float = 1.2


def wrap_words(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap: add words while the line fits; a word too wide for a line gets its own."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if not line or font.getlength(candidate) <= max_width:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def draw_block(draw: ImageDraw.ImageDraw, block: TextBlock) -> None:
    """Lines top-down, glyphs centred in each line box (half leading); lines past the box bottom are cut."""
    x, y, width, height = block.box
    line_px = block.font.size * block.line_height
    ascent, descent = block.font.getmetrics()
    half_leading = (line_px - ascent - descent) / 2
    for i, line in enumerate(wrap_words(block.text, block.font, width)):
        top = y + i * line_px
        if top + line_px > y + height + 0.5:
            break
        draw.text((x, top + half_leading), line, font=block.font, fill=block.color, anchor="la")


def naive_card(title: TextBlock, site: TextBlock, photo: bytes | None) -> bytes:
    canvas = Image.new("RGB", CARD_SIZE, "#1a1a2e")
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, 1199, 3), fill="#e94560")
    draw_block(draw, title)
    draw_block(draw, site)
    if photo is not None:
        with Image.open(io.BytesIO(photo)) as source:
            avatar = ImageOps.fit(source.convert("RGB"), (260, 260))
        canvas.paste(avatar, (880, 165))
    buf = io.BytesIO()
    canvas.save(buf, "PNG")
    return buf.getvalue()


def naive_renderer(seed: Json, photo: bytes | None) -> RenderFn:
    """Fonts are loaded here, once; the texts come from the seed request so both sides draw the same words."""
    bold = ImageFont.truetype(str(INTER / "Inter-Bold.ttf"), 48)
    regular = ImageFont.truetype(str(INTER / "Inter-Regular.ttf"), 20)
    layers = seed["layers"]
    title = TextBlock(layers[2]["text"], bold, "#ffffff", (60, 180, 740, 300))
    site = TextBlock(layers[3]["text"], regular, "#888888", (60, 560, 300, 40))
    return lambda: naive_card(title, site, photo)


# --- timing -------------------------------------------------------------------------------------------------


@dataclass
class Case(Timed):
    variant: str = ""
    impl: str = ""

    @property
    def size(self) -> int:
        return len(self.last or b"")

    def p50(self) -> float:  # milliseconds in this report
        return super().p50() * 1000

    def p95(self) -> float:
        return super().p95() * 1000


def build_cases(shared: Path) -> list[Case]:
    seed = load_request(shared)
    photo = author_photo(shared)
    return [
        Case(ogedge_renderer(text_request(seed)), variant="text", impl="ogedge"),
        Case(naive_renderer(seed, None), variant="text", impl="naive"),
        Case(ogedge_renderer(photo_request(seed, photo)), variant="photo", impl="ogedge"),
        Case(naive_renderer(seed, photo), variant="photo", impl="naive"),
    ]


# --- report -------------------------------------------------------------------------------------------------


def print_report(cases: list[Case], n: int, warmup: int) -> None:
    python = sys.version.split()[0]
    print(f"Python {python}, Pillow {PIL.__version__}, os.cpu_count()={os.cpu_count()}")
    print(f"{n} timed renders per case after {warmup} warmup, interleaved; photo {PHOTO.name}")
    print()
    print(f"{'variant':<8} {'impl':<8} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
    for case in cases:
        print(f"{case.variant:<8} {case.impl:<8} {case.p50():>8.2f} {case.p95():>8.2f} {case.size:>9}")
    print()
    print(f"{'variant':<8} {'p50 ogedge/naive':>17} {'bytes ogedge/naive':>19}")
    by_key = {(case.variant, case.impl): case for case in cases}
    for variant in VARIANTS:
        ours, naive = by_key[variant, "ogedge"], by_key[variant, "naive"]
        print(f"{variant:<8} {ours.p50() / naive.p50():>17.2f} {ours.size / naive.size:>19.2f}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=at_least(2), default=40, help="timed renders per case (default 40)")
    parser.add_argument("--warmup", type=at_least(0), default=3, help="untimed renders per case (default 3)")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared reference folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    cases = build_cases(args.shared)
    run_rounds(cases, args.n, args.warmup)
    print_report(cases, args.n, args.warmup)


if __name__ == "__main__":
    main()
