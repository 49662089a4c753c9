"""SVG sources, rasterised by resvg (through the ``resvg_py`` wheel: Rust, no system libraries).

Nothing outside the document is ever read: before resvg sees it the document is parsed (by expat, which refuses
entity expansion bombs) and every ``href`` that is not a fragment (``#id``) or an inline PNG, JPEG, GIF or WebP
(``data:`` URL) is dropped, as browsers do for an SVG shown as an image. Text uses the bundled Inter (no system
fonts), so the same drawing gives the same pixels everywhere. Limits: the document's size, its element count, and
the elements ``<use>`` references would expand to (so a few nested references cannot multiply into billions).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Iterator
from io import BytesIO
from xml.etree import ElementTree

import resvg_py
from PIL import Image

from renderer.errors import ImageLoadError
from renderer.fonts import FONTS_DIR

MAX_SVG_BYTES = 5 * 1024 * 1024
MAX_ELEMENTS = 50_000  # in the document
MAX_EXPANDED = 200_000  # counting every element a <use> draws again
MAX_DEPTH = 256  # elements inside elements
DEFAULT_SIZE = (300.0, 150.0)  # a replaced element's size when the drawing gives none (as in CSS)

_SVG_NS = "{http://www.w3.org/2000/svg}"
_RASTER_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*")


def is_svg(data: bytes) -> bool:
    """Whether ``data`` looks like an SVG document (an ``<svg`` tag near the start of a text that opens with ``<``)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and b"<svg" in head.lower()


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _allowed_href(value: str) -> bool:
    value = value.strip()
    if value.startswith("#"):
        return True
    if not value.lower().startswith("data:image/") or ";base64," not in value:
        return False
    try:
        head = base64.b64decode(value.split(",", 1)[1][:64] + "==", validate=False)[:12]
    except (binascii.Error, ValueError):
        return False
    return head.startswith(_RASTER_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _strip_external(root: ElementTree.Element) -> int:
    """Drop every href to anything outside the document; returns how many elements there are."""
    count = 0
    for element in root.iter():
        count += 1
        for name in [name for name in element.attrib if _local(name) == "href"]:
            if not _allowed_href(element.attrib[name]):
                del element.attrib[name]
    return count


def _depth(root: ElementTree.Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


def _expanded(root: ElementTree.Element, field: str) -> int:
    """How many elements rendering draws, counting what each ``<use>`` repeats (a reference cycle is an error).
    Depth first without recursion: the drawing's nesting is the stranger's to choose."""
    by_id = {e.attrib["id"]: e for e in root.iter() if "id" in e.attrib}

    def parts(element: ElementTree.Element) -> list[ElementTree.Element]:
        target = next((v for n, v in element.attrib.items() if _local(n) == "href"), "")
        used = by_id.get(target[1:]) if _local(element.tag) == "use" and target.startswith("#") else None
        return [*element, used] if used is not None else list(element)

    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[ElementTree.Element, bool]] = [(root, False)]
    while stack:
        element, finished = stack.pop()
        key = id(element)
        if finished:
            open_.discard(key)
            sizes[key] = min(MAX_EXPANDED + 1, 1 + sum(sizes[id(part)] for part in parts(element)))
        elif key not in sizes:
            if key in open_:
                raise ImageLoadError("the SVG's <use> references go round in a circle", field)
            open_.add(key)
            stack.append((element, True))
            stack.extend((part, False) for part in parts(element) if id(part) not in sizes)
    return sizes[id(root)]


def _length(value: str | None) -> float | None:
    """An absolute SVG length in px (percentages and font-relative units count as none)."""
    match = _LENGTH.fullmatch(value or "")
    if not match or match.group(2) not in _UNITS:
        return None
    px = float(match.group(1)) * _UNITS[match.group(2)]
    return px if 0 < px < 1e9 else None


def intrinsic_size(root: ElementTree.Element) -> tuple[float, float]:
    """The drawing's own size in px: its width and height, either one completed from the viewBox's proportions,
    or the viewBox itself, else 300 x 150."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = [float(v) for v in re.split(r"[\s,]+", root.get("viewBox", "").strip()) if v][:4]
    ratio = box[2] / box[3] if len(box) == 4 and box[2] > 0 and box[3] > 0 else None
    if width and height:
        return width, height
    if width and ratio:
        return width, width / ratio
    if height and ratio:
        return height * ratio, height
    if ratio:
        return box[2], box[3]
    return width or DEFAULT_SIZE[0], height or DEFAULT_SIZE[1]


def parse(data: bytes, field: str) -> ElementTree.Element:
    """The document's root, with external references dropped; ``ImageLoadError`` if it is not a safe SVG."""
    if len(data) > MAX_SVG_BYTES:
        raise ImageLoadError(f"the SVG is {len(data)} bytes, more than {MAX_SVG_BYTES}", field)
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - expat refuses entity expansion bombs; no external entities
    except ElementTree.ParseError as exc:
        raise ImageLoadError(f"the SVG could not be read: {exc}", field) from None
    if root.tag != f"{_SVG_NS}svg":
        raise ImageLoadError("not an SVG document (the root must be <svg> in the SVG namespace)", field)
    if _strip_external(root) > MAX_ELEMENTS:
        raise ImageLoadError(f"the SVG has more than {MAX_ELEMENTS} elements", field)
    if _depth(root) > MAX_DEPTH:
        raise ImageLoadError(f"the SVG's elements nest more than {MAX_DEPTH} deep", field)
    if _expanded(root, field) > MAX_EXPANDED:
        raise ImageLoadError(f"the SVG's <use> references draw more than {MAX_EXPANDED} elements", field)
    return root


def _font_files() -> Iterator[str]:
    yield from sorted(str(path) for path in (FONTS_DIR / "inter").glob("*.ttf"))


def rasterise(root: ElementTree.Element, width: int, height: int, field: str) -> Image.Image:
    """The drawing at ``width x height`` px (its proportions kept as its preserveAspectRatio says), in RGBA."""
    if "viewBox" not in root.attrib:  # scale the drawing to the size, do not crop it
        own_w, own_h = intrinsic_size(root)
        root.set("viewBox", f"0 0 {own_w:g} {own_h:g}")
    root.set("width", str(width))
    root.set("height", str(height))
    document = ElementTree.tostring(root, encoding="unicode")
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=document,
            skip_system_fonts=True,
            font_files=list(_font_files()),
            font_family="Inter",
            serif_family="Inter",
            sans_serif_family="Inter",
            monospace_family="Inter",
            cursive_family="Inter",
            fantasy_family="Inter",
        )
    except Exception as exc:  # resvg reports every failure as an exception of its own choosing
        raise ImageLoadError(f"the SVG could not be drawn: {exc}", field) from None
    with Image.open(BytesIO(png)) as image:
        return image.convert("RGBA")


def cover_size(own: tuple[float, float], box: tuple[int, int], cap: int) -> tuple[int, int]:
    """The raster size of a drawing of size ``own`` that covers ``box``, each side at most ``cap`` px (extreme
    proportions are then drawn smaller and scaled up a little, rather than drawn miles long)."""
    own_w, own_h = own
    scale = max(box[0] / own_w, box[1] / own_h)
    scale = min(scale, cap / own_w, cap / own_h)
    return max(1, math.ceil(own_w * scale - 1e-6)), max(1, math.ceil(own_h * scale - 1e-6))


def load(data: bytes, box: tuple[int, int], field: str) -> Image.Image:
    """An SVG source rasterised large enough to cover ``box``, ready to be cropped and fitted like a photo."""
    root = parse(data, field)
    cap = 4 * max(box)
    width, height = cover_size(intrinsic_size(root), box, cap)
    return rasterise(root, width, height, field)
