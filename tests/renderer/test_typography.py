"""Titles in every language: golden cards, and no .notdef box for any character a bundled font covers."""
# ruff: noqa: RUF001 - titles in many scripts are the point of this module

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from io import BytesIO
from typing import Any

import numpy as np
import pytest
from PIL import Image

from renderer import render
from renderer.fonts import FontBook, bundled
from renderer.itemize import is_ignorable
from renderer.layers.base import Context
from renderer.layers.text import faces_of, frame_of
from renderer.markdown import parse_emphasis
from renderer.model import TextLayer, parse_request
from renderer.textfit import Block, fit

Golden = Callable[[str, bytes], None]

LONG = (
    "A field guide to running Postgres at scale: connection pooling, vacuum tuning, partitioning strategies, "
    "logical replication, zero-downtime migrations, observability with pg_stat_statements, and the hard lessons "
    "we learned moving four hundred services off a single overloaded primary in less than one year"
)
assert len(LONG) >= 300

TITLES: dict[str, str] = {
    "english": "How We Reduced Our Database Query Latency by 80% with **Connection Pooling**",
    "german": "Donaudampfschifffahrtsgesellschaftskapitänsmütze und Rechtsschutzversicherungsgesellschaften erklärt",
    "vietnamese": "Hướng dẫn tối ưu hóa cơ sở dữ liệu: giảm độ trễ truy vấn tới 80%",
    "greek": "Πώς μειώσαμε την καθυστέρηση των ερωτημάτων κατά 80% με *ομαδοποίηση συνδέσεων*",
    "russian": "Как мы сократили задержку запросов к базе данных на 80% с помощью пула соединений",
    "japanese": "データベースのクエリ遅延を80%削減した方法：「コネクションプーリング」入門",
    "chinese": "我们如何通过连接池将数据库查询延迟降低了百分之八十",
    "korean": "커넥션 풀링으로 데이터베이스 쿼리 지연 시간을 80% 줄인 방법",
    "arabic": "كيف خفضنا زمن استجابة قاعدة البيانات بنسبة 80٪ باستخدام تجميع الاتصالات",
    "hebrew": "איך הפחתנו את זמן התגובה של מסד הנתונים ב-80% בעזרת מאגר חיבורים",
    "hindi": "कनेक्शन पूलिंग से हमने डेटाबेस क्वेरी की देरी 80% कैसे कम की",
    "thai": "เราลดความหน่วงของฐานข้อมูลลงร้อยละแปดสิบได้อย่างไร",
    "english-arabic": "Shipping **React** apps to مستخدمين في الشرق الأوسط with full RTL support",
    "emoji": (
        "Launch week \U0001f680\U0001f389 Meet the team \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 "
        "\U0001f469\U0001f3fd\u200d\U0001f4bb \U0001f44b\U0001f3ff from \U0001f1e9\U0001f1ea \U0001f1ef\U0001f1f5 "
        "\U0001f1e7\U0001f1f7 \u2764\ufe0f 1\ufe0f\u20e3"
    ),
    "long-auto-scale": LONG,
    "long-clamped": LONG,
    "long-url": "https://example.com/blog/2026/11/how-we-reduced-our-database-query-latency-by-80-percent-with-pooling",
}


def card(name: str, title: str) -> dict[str, Any]:
    text: dict[str, Any] = {
        "type": "text",
        "index": 1,
        "text": title,
        "font_name": "Inter",
        "font_weight": "bold",
        "font_size_in_px": 64,
        "text_color": "#F8FAFC",
        "position": {"x_in_px": 72, "y_in_px": 72},
        "dimensions": {"width_in_px": 1056, "height_in_px": 400},
    }
    if name == "long-auto-scale":
        text["should_auto_scale"] = True
    if name == "long-clamped":
        text["max_lines"] = 4
    if name in ("arabic", "hebrew"):
        text["text_align"] = "right"
    return {
        "dimensions": {"width_in_px": 1200, "height_in_px": 630},
        "layers": [
            {"type": "solid-color", "index": 0, "hex_color": "#0F172A"},
            text,
            {
                "type": "text",
                "index": 2,
                "text": f"ogedge · {name}",
                "font_name": "Inter",
                "font_size_in_px": 28,
                "text_color": "#94A3B8",
                "position": {"x_in_px": 72, "y_in_px": 530},
                "dimensions": {"width_in_px": 1056, "height_in_px": 40},
            },
        ],
    }


@pytest.mark.parametrize("name", list(TITLES))
def test_title_card(name: str, golden: Golden) -> None:
    image = render(card(name, TITLES[name]))
    golden(f"title-{name}", image.data)
    fit = image.fits[0]
    assert fit.lines >= 1
    assert fit.font_size_in_px <= 64
    if name == "long-auto-scale":
        assert fit.font_size_in_px < 64
        assert not fit.truncated
    if name == "long-clamped":
        assert (fit.lines, fit.truncated) == (4, True)


@cache
def _cmap(source: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(bundled().paths[source], lazy=True) as parsed:
        return frozenset(parsed.getBestCmap())


def _block(title: str) -> Block:
    layer = parse_request(card("any", title)).layers[1]
    assert isinstance(layer, TextLayer)
    ctx = Context(1200, 630, FontBook(), None, 10**8)
    return fit(parse_emphasis(layer.text), faces_of(layer, ctx), frame_of(layer, 1056, 400))


@pytest.mark.parametrize("name", list(TITLES))
def test_no_character_is_drawn_with_a_face_that_lacks_it(name: str) -> None:
    """Read from each font file's own cmap (not from the coverage the renderer uses): every character drawn is in
    the face that draws it, so FreeType never falls back to glyph 0, the .notdef box."""
    block = _block(TITLES[name])
    drawn = 0
    for line in block.lines:
        for piece in line.pieces:
            needed = {ord(c) for c in piece.text if not is_ignorable(ord(c)) and not c.isspace()}
            missing = needed - _cmap(piece.face.source)
            assert not missing, f"{piece.face.name} lacks {[hex(cp) for cp in sorted(missing)]} in {piece.text!r}"
            drawn += len(needed)
    assert drawn > 0


def _ink(text: str, width: int = 200) -> np.ndarray[Any, Any]:
    layer = {
        "type": "text",
        "index": 0,
        "text": text,
        "font_name": "Inter",
        "font_size_in_px": 40,
        "text_color": "#000000",
        "position": {"x_in_px": 0, "y_in_px": 0},
        "dimensions": {"width_in_px": width, "height_in_px": 60},
    }
    data = render({"dimensions": {"width_in_px": width, "height_in_px": 60}, "layers": [layer]}).data
    with Image.open(BytesIO(data)) as image:
        return np.asarray(image.getchannel("A")).astype(int)


def test_right_to_left_text_starts_on_the_right() -> None:
    alef, bet, both = _ink("\u05d0"), _ink("\u05d1"), _ink("\u05d0\u05d1")
    width = int(np.flatnonzero(alef.any(axis=0)).max()) + 1
    left = both[:, :width]
    assert abs(left - bet[:, :width]).sum() < abs(left - alef[:, :width]).sum() / 4  # bet is drawn left of alef


def test_a_glyph_freetype_cannot_rasterise_is_left_out_with_a_warning() -> None:
    request = card("any", "Bismillah \ufdfd in bold")  # FreeType: "raster overflow" for this glyph in the bold face
    image = render(request)
    assert any("could not draw '\ufdfd'" in warning for warning in image.warnings)
    assert image.fits[0].lines >= 1
