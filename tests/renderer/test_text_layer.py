"""The text layer's cache of laid-out blocks: reused for the same text, faces and frame, bounded, and never used for a
request's own fonts."""

from __future__ import annotations

from typing import Any

import pytest

from renderer import render, textfit
from renderer.fonts import bundled
from renderer.layers import text as text_layer


def request(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "dimensions": {"width_in_px": 320, "height_in_px": 120},
        "layers": [
            {"index": 0, "type": "solid-color", "hex_color": "#102030"},
            {"index": 1, "type": "text", "text": text, "font_name": "Inter", "font_size_in_px": 30,
             "text_color": "#ffffff", "position": {"x_in_px": 10, "y_in_px": 10},
             "dimensions": {"width_in_px": 300, "height_in_px": 100}},
        ],
        **extra,
    }  # fmt: skip


@pytest.fixture
def blocks(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every block the layout computes (not taken from the cache), with an empty cache to begin with."""
    monkeypatch.setattr(text_layer, "_blocks", type(text_layer._blocks)())
    computed: list[object] = []
    fit = textfit.fit

    def counting(*args: Any) -> Any:
        block = fit(*args)
        computed.append(block)
        return block

    monkeypatch.setattr(text_layer, "fit", counting)
    return computed


def test_the_same_text_is_laid_out_once_and_drawn_the_same(blocks: list[object]) -> None:
    first = render(request("Shaped once, drawn twice"))
    second = render(request("Shaped once, drawn twice"))
    assert len(blocks) == 1
    assert first.data == second.data
    assert first.fits == second.fits
    render(request("Another title"))
    assert len(blocks) == 2


def test_the_cache_is_bounded(blocks: list[object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_layer, "_BLOCKS", 3)
    for i in range(6):
        render(request(f"title {i}"))
    assert len(text_layer._blocks) == 3
    render(request("title 5"))  # the newest are kept
    render(request("title 0"))  # the oldest are gone
    assert len(blocks) == 7


def test_a_requests_own_font_is_never_served_from_or_into_the_cache(blocks: list[object]) -> None:
    import base64

    black = base64.b64encode(bundled().paths["bundled:inter/Inter-Black.ttf"].read_bytes()).decode()
    font = {"name": "Inter", "weight": "regular", "style": "normal", "file": {"type": "base64", "base64": black}}
    plain = render(request("Same words"))
    custom = render(request("Same words", fonts=[font]))
    again = render(request("Same words", fonts=[font]))
    assert len(blocks) == 3  # the bundled block once, the custom one each time
    assert custom.data != plain.data
    assert custom.data == again.data
    assert render(request("Same words")).data == plain.data
    assert len(blocks) == 3
