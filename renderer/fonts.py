"""Fonts: the bundled families, a request's own fonts, and the choice of a face for a family, weight and style.

Faces are identified by a ``FaceId`` (family, weight, italic, source). Parsed ``FreeTypeFont`` objects are kept in a
bounded LRU shared across renders, keyed by the source's digest and the size, so repeated renders parse nothing.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import ImageFont

from renderer.model import WEIGHTS

FONTS_DIR = Path(__file__).parent / "fonts"
DEFAULT_FAMILY = "Inter"
FONT_SIGNATURES = frozenset({b"\x00\x01\x00\x00", b"OTTO", b"true", b"typ1", b"ttcf", b"wOFF", b"wOF2"})
_STYLE_WORDS = {
    "Thin": 100,
    "ExtraLight": 200,
    "Light": 300,
    "Regular": 400,
    "": 400,
    "Medium": 500,
    "SemiBold": 600,
    "Bold": 700,
    "ExtraBold": 800,
    "Black": 900,
}
_FILE_NAME = re.compile(r"(?P<family>[^-]+)-(?P<weight>[A-Za-z]*?)(?P<italic>Italic)?\.(?:ttf|otf)")


def family_key(name: str) -> str:
    """Family names compare without case, spaces, hyphens or underscores: "Open Sans" is "OpenSans"."""
    return re.sub(r"[\s_-]", "", name).lower()


@dataclass(frozen=True)
class FaceId:
    family: str
    weight: int
    italic: bool
    source: str  # "bundled:<relative path>" or "custom:<sha256>"


@dataclass(frozen=True)
class BundledFonts:
    """The fonts shipped inside the package, found by file name (``Family-WeightItalic.ttf``)."""

    faces: dict[str, list[FaceId]]
    paths: dict[str, Path]
    names: dict[str, str]  # family key -> display name

    @classmethod
    def scan(cls, root: Path = FONTS_DIR) -> BundledFonts:
        faces: dict[str, list[FaceId]] = {}
        paths: dict[str, Path] = {}
        names: dict[str, str] = {}
        for path in sorted(root.glob("*/*.[ot]tf")):
            match = _FILE_NAME.fullmatch(path.name)
            if not match or match["weight"] not in _STYLE_WORDS:
                continue
            family = match["family"]
            source = "bundled:" + path.relative_to(root).as_posix()
            face = FaceId(family, _STYLE_WORDS[match["weight"]], bool(match["italic"]), source)
            faces.setdefault(family_key(family), []).append(face)
            paths[source] = path
            names[family_key(family)] = family
        return cls(faces, paths, names)


@cache
def bundled() -> BundledFonts:
    return BundledFonts.scan()


def _nearest(faces: list[FaceId], weight: int, italic: bool) -> FaceId:
    """CSS-like matching: the wanted style first, then the nearest weight (ties go heavier above 400)."""

    def distance(face: FaceId) -> tuple[int, int, int]:
        lean = -face.weight if weight > 400 else face.weight
        return (face.italic != italic, abs(face.weight - weight), lean)

    return min(faces, key=distance)


@dataclass
class FontBook:
    """The faces one render may use: the request's custom fonts first, then the bundled families."""

    custom: dict[str, list[FaceId]] = field(default_factory=dict)
    data: dict[str, bytes] = field(default_factory=dict)

    def add_custom(self, name: str, weight: str, italic: bool, data: bytes) -> FaceId:
        """Register a request font; raises ``OSError`` or ``ValueError`` if it is not a font FreeType can read.
        The bytes are sniffed first: whatever a server called them, only font signatures reach FreeType."""
        if data[:4] not in FONT_SIGNATURES:
            raise ValueError("the data is not a font file (no TTF, OTF, TTC, WOFF or WOFF2 signature)")
        digest = hashlib.sha256(data).hexdigest()
        source = f"custom:{digest}"
        self.data[source] = data
        face = FaceId(name, WEIGHTS[weight], italic, source)
        font(face, 16.0, self)  # parse now, so a broken font is reported as the request's fault
        self.custom.setdefault(family_key(name), []).append(face)
        return face

    def face(self, family: str, weight: str, italic: bool) -> FaceId:
        """The face to draw ``family`` at ``weight``/``italic`` with; an unknown family falls back to Inter."""
        key = family_key(family)
        wanted = WEIGHTS[weight]
        custom = self.custom.get(key, [])
        shipped = bundled().faces.get(key, [])
        for faces in (custom, shipped):
            exact = [f for f in faces if f.weight == wanted and f.italic == italic]
            if exact:
                return exact[-1]
        if custom or shipped:
            return _nearest([*custom, *shipped], wanted, italic)
        return _nearest(bundled().faces[family_key(DEFAULT_FAMILY)], wanted, italic)

    def path_or_data(self, source: str) -> Path | bytes:
        return self.data.get(source) or bundled().paths[source]


_CACHE_SIZE = 96
_cache: OrderedDict[tuple[str, float], ImageFont.FreeTypeFont] = OrderedDict()
_lock = threading.Lock()


MIN_DRAWN_SIZE = 1.0  # FreeType refuses sizes under half a pixel; nothing smaller than a pixel is visible anyway


def font(face: FaceId, size: float, book: FontBook) -> ImageFont.FreeTypeFont:
    """The parsed face at ``size`` px (at least 1 px), from a bounded LRU shared by all renders of the process."""
    size = max(size, MIN_DRAWN_SIZE)
    key = (face.source, size)
    with _lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    origin = book.path_or_data(face.source)
    fileobj = BytesIO(origin) if isinstance(origin, bytes) else str(origin)
    loaded = ImageFont.truetype(fileobj, size, layout_engine=ImageFont.Layout.RAQM)
    with _lock:
        _cache[key] = loaded
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return loaded
