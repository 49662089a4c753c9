"""Smart-crop benchmark: ``renderer.smartcrop.crop_box`` against the centre crop, on 2000x1333 photos.

What is measured: wall time (``time.perf_counter``) of one call, as the image layer makes it (the decoded photo and
the target size in, the box out), for the four targets of crop-eval (260x260, 1200x630, 1080x1350, 1080x1920):

- ``smart``:  ``crop_box(photo, w, h)``, the whole analysis (copy, faces, importance) and the placement;
- ``centre``: ``cover_crop(W, H, w, h)``, what the layer does without smart cropping (the baseline).

Two photos from ``<shared>/crop-eval/images``, resized in memory to 2000x1333 with Lanczos, as crop-eval's own
``--time`` does: ``smartcroppy_business.jpg`` (the speed target's photo: a farmer in a field, no face found) and
``thumbor_maher.jpg`` (a portrait: the face path). All cases run interleaved in rounds, the order rotating.
Prints p50 and p95 per photo and case, the smart/centre ratio of the p50s, and the CPU time of a call (less
sensitive to other processes on the machine).

Memory: the peak of Python-visible allocations (``tracemalloc``: numpy arrays and Python objects; Pillow's own
buffers are not traced) during one ``crop_box`` call on the photo at 2000x1333 and at 6000x4000: the analysis
works on a copy whose size does not depend on the photo's, so the two peaks should be about equal.

Run from the checkout::

    .venv/bin/python bench/crop.py [--n 100] [--warmup 5] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import PIL
from PIL import Image
from timing import Timed, at_least, run_rounds

from renderer.geometry import cover_crop
from renderer.smartcrop import crop_box

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"
PHOTOS = ("smartcroppy_business.jpg", "thumbor_maher.jpg")
SIZE = (2000, 1333)
LARGE = (6000, 4000)
TARGETS = ((260, 260), (1200, 630), (1080, 1350), (1080, 1920))


@dataclass
class Case(Timed):
    photo: str = ""
    impl: str = ""
    cpu_s: float = 0.0

    def ms(self, value: float) -> float:
        return value * 1000


def cases_for(name: str, photo: Image.Image) -> list[Case]:
    """One smart and one centre case per photo; each call takes the next target in turn."""
    turn = {"smart": 0, "centre": 0}

    def smart() -> tuple[int, int, int, int]:
        w, h = TARGETS[turn["smart"] % len(TARGETS)]
        turn["smart"] += 1
        return crop_box(photo, w, h)

    def centre() -> tuple[int, int, int, int]:
        w, h = TARGETS[turn["centre"] % len(TARGETS)]
        turn["centre"] += 1
        box = cover_crop(photo.width, photo.height, w, h)
        return box.left, box.top, box.right, box.bottom

    return [Case(smart, photo=name, impl="smart"), Case(centre, photo=name, impl="centre")]


def cpu_ms(photo: Image.Image, n: int) -> float:
    """Median CPU time (process time) of a smart crop, over n calls cycling the targets."""
    times = []
    for i in range(n):
        w, h = TARGETS[i % len(TARGETS)]
        start = time.process_time()
        crop_box(photo, w, h)
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def peak_bytes(photo: Image.Image) -> int:
    crop_box(photo, 260, 260)  # the cascade is parsed once per process: keep it out of the peak
    tracemalloc.start()
    try:
        crop_box(photo, 1200, 630)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def load(shared: Path, name: str, size: tuple[int, int]) -> Image.Image:
    path = shared / "crop-eval" / "images" / name
    if not path.exists():
        raise SystemExit(f"{path} is missing (pass --shared)")
    with Image.open(path) as source:
        return source.convert("RGB").resize(size, Image.Resampling.LANCZOS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=at_least(5), default=100, help="timed calls per case (default 100)")
    parser.add_argument("--warmup", type=at_least(0), default=5, help="untimed rounds first (default 5)")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder")
    args = parser.parse_args()

    photos = {name: load(args.shared, name, SIZE) for name in PHOTOS}
    cases = [case for name, photo in photos.items() for case in cases_for(name, photo)]
    run_rounds(cases, args.n, args.warmup)

    print(f"Python {platform.python_version()}, Pillow {PIL.__version__}, numpy {np.__version__}, ", end="")
    print(f"{platform.machine()}, {sys.platform}, {os.cpu_count()} CPUs")
    print(f"{args.n} calls per case, targets {', '.join(f'{w}x{h}' for w, h in TARGETS)} in turn, photos {SIZE}")
    print(f"{'photo':26} {'case':7} {'p50 ms':>9} {'p95 ms':>9}")
    for case in cases:
        print(f"{case.photo:26} {case.impl:7} {case.ms(case.p50()):9.3f} {case.ms(case.p95()):9.3f}")
    for name, photo in photos.items():
        smart, centre = (c for c in cases if c.photo == name)
        print(
            f"{name}: smart/centre p50 = {smart.p50() / centre.p50():.0f}x; smart p50 {smart.ms(smart.p50()):.2f} ms, ",
            end="",
        )
        print(f"CPU time p50 {cpu_ms(photo, min(args.n, 40)):.2f} ms")

    business = photos[PHOTOS[0]]
    large = load(args.shared, PHOTOS[0], LARGE)
    small_peak, large_peak = peak_bytes(business), peak_bytes(large)
    print(f"peak traced memory of one call: {small_peak / 1e6:.2f} MB at {SIZE[0]}x{SIZE[1]}, ", end="")
    print(f"{large_peak / 1e6:.2f} MB at {LARGE[0]}x{LARGE[1]} (the photos themselves: ", end="")
    print(f"{business.width * business.height * 3 / 1e6:.1f} MB and {large.width * large.height * 3 / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
