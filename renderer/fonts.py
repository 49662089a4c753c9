"""Fonts: the bundled families, a request's own fonts, the choice of a face for a family, weight and style, the
fallback chain and what each face covers.

Faces are identified by a ``FaceId`` (family, weight, italic, source). Parsed ``FreeTypeFont`` objects are kept in a
bounded LRU shared across renders, keyed by the source's digest and the size, so repeated renders parse nothing.
The code points of bundled faces come from the ``.cmap`` file beside each (written at install time), read only
when that face is considered; those of a request's own fonts are read from their cmap when they are added.
A ``Face`` is a face ready to draw at one size: the parsed font, and the synthetic emboldening or slant it needs
when its family has no such face.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import sys
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path

from PIL import ImageFont

from renderer.model import WEIGHTS

FONTS_DIR = Path(__file__).parent / "fonts"
DEFAULT_FAMILY = "Inter"
EMOJI_FAMILY = "notocoloremoji"
EMOJI_STRIKE = 109  # Noto Color Emoji's one bitmap size: drawn at it, then scaled
# Tried in order for text the chosen family lacks; the CJK families go in the order the text suggests.
FALLBACK_FAMILIES = ("notosans", "notosansarabic", "notosanshebrew", "notosansdevanagari", "notosansthai")
CJK_FAMILIES = ("notosanssc", "notosansjp", "notosanskr", "notosanstc")
SYNTHETIC_SLANT = 0.2  # the shear of a synthesised oblique (about 11 degrees, FreeType's own)
SYNTHETIC_BOLD = 1 / 28  # stroke width per pixel of size for synthesised bold
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
_FILE_NAME = re.compile(r"(?P<family>[^-]+)-(?P<weight>[A-Za-z]*?)(?P<italic>Italic)?\.(?:ttf|otf|woff)")


def family_key(name: str) -> str:
    """Family names compare without case, spaces, hyphens or underscores: "Open Sans" is "OpenSans"."""
    return re.sub(r"[\s_-]", "", name).lower()


@dataclass(frozen=True)
class FaceId:
    family: str
    weight: int
    italic: bool
    source: str  # "bundled:<relative path>" or "custom:<sha256>"


class FontFiles(Mapping[str, Path]):
    """Face source -> font file. The ``Path`` is made when asked for: a cold start lists a few hundred files and opens
    two or three."""

    def __init__(self, root: Path, relative: dict[str, str]) -> None:
        self._root, self._relative = root, relative

    def __getitem__(self, source: str) -> Path:
        return self._root / self._relative[source]

    def __iter__(self) -> Iterator[str]:
        return iter(self._relative)

    def __len__(self) -> int:
        return len(self._relative)


@dataclass(frozen=True)
class BundledFonts:
    """The fonts shipped inside the package, found by file name (``Family-WeightItalic.ttf``)."""

    faces: dict[str, list[FaceId]]
    paths: FontFiles
    names: dict[str, str]  # family key -> display name

    @classmethod
    def scan(cls, root: Path = FONTS_DIR) -> BundledFonts:
        faces: dict[str, list[FaceId]] = {}
        relative: dict[str, str] = {}
        names: dict[str, str] = {}
        # os.scandir, not Path.glob: a few hundred files, read on every cold start. WOFF: the Lambda package's.
        folders = sorted(entry.name for entry in os.scandir(root) if entry.is_dir())
        for folder in folders:
            for name in sorted(entry.name for entry in os.scandir(root / folder)):
                match = _FILE_NAME.fullmatch(name)
                if not match or match["weight"] not in _STYLE_WORDS:
                    continue
                family = match["family"]
                key = family_key(family)
                source = f"bundled:{folder}/{name}"
                faces.setdefault(key, []).append(
                    FaceId(family, _STYLE_WORDS[match["weight"]], bool(match["italic"]), source)
                )
                relative[source] = f"{folder}/{name}"
                names[key] = family
        return cls(faces, FontFiles(root, relative), names)


@cache
def bundled() -> BundledFonts:
    return BundledFonts.scan()


class Ranges:
    """A set of code points as sorted inclusive ranges (flat: start, end, start, end, ...)."""

    def __init__(self, flat: array[int]) -> None:
        self.starts = flat[0::2]
        self.ends = flat[1::2]

    def __contains__(self, cp: int) -> bool:
        i = bisect.bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]

    @classmethod
    def of(cls, codepoints: list[int]) -> Ranges:
        flat = array("I")
        for cp in sorted(codepoints):
            if flat and cp == flat[-1] + 1:
                flat[-1] = cp
            else:
                flat.extend((cp, cp))
        return cls(flat)


@cache
def _bundled_ranges(source: str) -> Ranges:
    """The code points of a bundled face, from the ``.cmap`` file written beside it at install time."""
    path = bundled().paths[source].with_suffix(".cmap")
    if not path.exists():
        raise RuntimeError(f"{path} is missing: the font set is not installed (run `make install`)")
    flat = array("I", path.read_bytes())
    if sys.byteorder != "little":
        flat.byteswap()
    return Ranges(flat)


def _sfnt(data: bytes) -> tuple[bytes, Ranges]:
    """The font as TTF/OTF bytes FreeType reads (WOFF and WOFF2 unpacked), and the code points it maps."""
    from fontTools.ttLib import TTFont  # noqa: PLC0415 - only for a request's own fonts

    try:
        with TTFont(BytesIO(data), lazy=True, fontNumber=0) as parsed:
            cmap = parsed.getBestCmap() or {}
            if parsed.flavor is None:
                return data, Ranges.of(list(cmap))
            parsed.flavor = None
            out = BytesIO()
            parsed.save(out)
            return out.getvalue(), Ranges.of(list(cmap))
    except Exception as exc:  # fontTools on hostile bytes may raise anything: all of it means "not a font"
        raise ValueError(f"not a readable font: {exc}") from None


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
    coverage: dict[str, Ranges] = field(default_factory=dict)

    def add_custom(self, name: str, weight: str, italic: bool, data: bytes) -> FaceId:
        """Register a request font; raises ``OSError`` or ``ValueError`` if it is not a font FreeType can read.
        The bytes are sniffed first: whatever a server called them, only font signatures reach FreeType."""
        if data[:4] not in FONT_SIGNATURES:
            raise ValueError("the data is not a font file (no TTF, OTF, TTC, WOFF or WOFF2 signature)")
        digest = hashlib.sha256(data).hexdigest()
        source = f"custom:{digest}"
        self.data[source], self.coverage[source] = _sfnt(data)
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

    def covers(self, face: FaceId, codepoints: list[int]) -> bool:
        ranges = self.coverage.get(face.source) or _bundled_ranges(face.source)
        return all(cp in ranges for cp in codepoints)

    def fallbacks(self, cjk_first: str | None = None) -> list[str]:
        """The bundled families tried after the chosen one, in order (the emoji font is chosen apart)."""
        cjk = sorted(CJK_FAMILIES, key=lambda key: key != cjk_first)
        return [key for key in (*FALLBACK_FAMILIES, *cjk) if key in bundled().faces]


_CACHE_SIZE = 96
_cache: OrderedDict[tuple[str, float], ImageFont.FreeTypeFont] = OrderedDict()
_LENGTHS_SIZE = 16_384  # shaped advances of (face, size, text), a few MB at most
_lengths: OrderedDict[tuple[str, float, str], float] = OrderedDict()
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


@dataclass(frozen=True)
class Face:
    """A face ready to draw at one size. Bitmap (colour emoji) faces are drawn at their strike and scaled by
    ``scale``; ``embolden`` (stroke px) and ``slant`` (shear) stand in for a bold or italic face the family lacks."""

    font: ImageFont.FreeTypeFont
    name: str
    source: str
    scale: float = 1.0
    color: bool = False
    embolden: float = 0.0
    slant: float = 0.0

    def length(self, text: str) -> float:
        """The advance of ``text`` shaped in this face, from a bounded cache shared by all renders."""
        key = (self.source, self.font.size, text)
        with _lock:
            known = _lengths.get(key)
            if known is not None:
                _lengths.move_to_end(key)
                return known * self.scale
        length = float(self.font.getlength(text))
        with _lock:
            _lengths[key] = length
            if len(_lengths) > _LENGTHS_SIZE:
                _lengths.popitem(last=False)
        return length * self.scale


def face_name(face: FaceId) -> str:
    words = {value: key for key, value in _STYLE_WORDS.items() if key}
    return f"{face.family} {words.get(face.weight, face.weight)}{' Italic' if face.italic else ''}"


def drawable(face: FaceId, size: float, book: FontBook, weight: int, italic: bool) -> Face:
    """``face`` at ``size`` px, with what it must synthesise to look ``weight``/``italic``."""
    if family_key(face.family) == EMOJI_FAMILY:
        return Face(font(face, EMOJI_STRIKE, book), face_name(face), face.source, size / EMOJI_STRIKE, color=True)
    embolden = max(size * SYNTHETIC_BOLD, 0.5) if weight >= 600 and face.weight < weight - 200 else 0.0
    slant = SYNTHETIC_SLANT if italic and not face.italic else 0.0
    name = face_name(face) + (" (synthetic bold)" if embolden else "") + (" (synthetic italic)" if slant else "")
    return Face(font(face, size, book), name, face.source, embolden=embolden, slant=slant)


def check_layout_engine() -> None:
    """Raise unless Pillow's raqm layout works here: shaping, right-to-left text and emoji sequences need HarfBuzz
    and FriBiDi (Pillow's wheels carry raqm and HarfBuzz; FriBiDi is loaded from the system)."""
    from PIL import features  # noqa: PLC0415

    missing = [name for name in ("raqm", "fribidi", "harfbuzz") if not features.check(name)]
    if missing:
        raise RuntimeError(
            f"Pillow's text layout is missing {', '.join(missing)}: install FriBiDi (Debian: libfribidi0) and "
            "reinstall Pillow from its wheel; without it right-to-left and complex scripts cannot be shaped"
        )
