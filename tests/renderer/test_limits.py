"""Request limits name the field they concern; the time budget stops a render; fonts are sniffed."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from renderer import FontLoadError, InvalidRequest, Limits, RenderOptions, RenderTimeout, render


def card(**extra: Any) -> dict[str, Any]:
    return {
        "dimensions": {"width": 200, "height": 100},
        "layers": [{"type": "solid-color", "hex_color": "#123"}],
        **extra,
    }


def text(value: str = "Hi", **extra: Any) -> dict[str, Any]:
    return {
        "type": "text",
        "text": value,
        "font_name": "Inter",
        "font_size_in_px": 20,
        "text_color": "#fff",
        "position": {"x": 0, "y": 0},
        "dimensions": {"width": 200, "height": 100},
        **extra,
    }


def problems(request: dict[str, Any], limits: Limits) -> dict[str, str]:
    with pytest.raises(InvalidRequest) as caught:
        render(request, options=RenderOptions(limits))
    return {p.path: p.message for p in caught.value.problems}


@pytest.mark.parametrize(
    ("request_", "limits", "path", "words"),
    [
        (card(dimensions={"width": 9000, "height": 10}), Limits(), "dimensions", "at most 8192 px"),
        (card(dimensions={"width": 5000, "height": 5000}), Limits(), "dimensions", "at most 16777216 pixels"),
        (
            card(layers=[text(dimensions={"width": 100000, "height": 100000})]),
            Limits(),
            "layers[0].dimensions",
            "at most 8192",
        ),
        (card(layers=[text()] * 5), Limits(max_layers=4), "layers", "at most 4 layers"),
        (card(layers=[text("x" * 101)]), Limits(max_text_length=100), "layers[0].text", "at most 100 characters"),
        (
            card(fonts=[{"name": "A", "buffer": base64.b64encode(b"OTTO").decode()}] * 3),
            Limits(max_fonts=2),
            "fonts",
            "at most 2 fonts",
        ),
        (
            card(fonts=[{"name": "A", "buffer": base64.b64encode(b"OTTO" * 100).decode()}]),
            Limits(max_font_bytes=100),
            "fonts[0].file",
            "at most 100 bytes",
        ),
    ],
)
def test_limits_name_their_field(request_: dict[str, Any], limits: Limits, path: str, words: str) -> None:
    found = problems(request_, limits)
    assert path in found, found
    assert words in found[path]


def test_a_request_within_the_limits_renders() -> None:
    assert render(card(layers=[text()] * 4), options=RenderOptions(Limits(max_layers=4))).width == 200


class SteppingClock:
    """Each reading is one second later than the last."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_the_time_budget_stops_a_render() -> None:
    request = card(layers=[text(should_auto_scale=True, text="word " * 500)] * 3)
    with pytest.raises(RenderTimeout, match="budget of 5 s"):
        render(request, options=RenderOptions(time_budget_s=5, clock=SteppingClock()))


def test_without_a_clock_there_is_no_budget() -> None:
    assert render(card(layers=[text()]), options=RenderOptions(time_budget_s=0.0)).width == 200


@pytest.mark.parametrize("data", [b"<html>not a font</html>", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04zipfile"])
def test_fonts_are_sniffed_not_trusted(data: bytes) -> None:
    request = card(fonts=[{"name": "Acme", "buffer": base64.b64encode(data).decode()}])
    with pytest.raises(FontLoadError, match="not a font file") as caught:
        render(request)
    assert caught.value.field == "fonts[0]"


def test_limits_reach_inside_layouts() -> None:
    child = text(dimensions={"width": 9000, "height": 10})
    layout = {"type": "layout", "layers": [{k: v for k, v in child.items() if k != "position"}]}
    layout["background_layers"] = [
        {"type": "solid-color", "hex_color": "#000", "dimensions": {"width": 9000, "height": 1}}
    ]
    found = problems(card(layers=[layout]), Limits())
    assert "at most 8192" in found["layers[0].layers[0].dimensions"]
    assert "at most 8192" in found["layers[0].background_layers[0].dimensions"]
    long = {"type": "layout", "layers": [{**text("x" * 101), "dimensions": {"width": "auto", "height": 20}}]}
    assert problems(card(layers=[long]), Limits(max_text_length=100)) == {
        "layers[0].layers[0].text": "at most 100 characters"
    }
