from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from renderer import parse_request
from renderer.fingerprint import FONTSET_VERSION, canonical, fingerprint

FONTS = Path(__file__).resolve().parents[2] / "renderer" / "fonts"
# Changing the bundled fonts changes pixels: bump FONTSET_VERSION, then update this digest.
FONTSET_DIGEST = ("2", "055e7cab")


def request(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "dimensions": {"width": 1200, "height": 630},
        "layers": [
            {"type": "solid-color-background", "index": 0, "hex_color": "#1a1a2e"},
            {
                "type": "text",
                "index": 1,
                "text": "Title",
                "font_name": "Inter",
                "font_size_in_px": 48,
                "text_color": "#fff",
                "position": {"x": 60, "y": 180},
                "dimensions": {"width": 740, "height": 300},
            },
        ],
    }
    return {**base, **changes}


def test_dialects_and_defaults_do_not_change_the_key() -> None:
    older = parse_request(request())
    current = parse_request(
        {
            "dimensions": {"width_in_px": 1200, "height_in_px": 630},
            "output_format": "png",
            "layers": [
                {"type": "solid-color", "index": 0, "hex_color": "#1A1A2EFF", "opacity": 100},
                {
                    "type": "text",
                    "index": 1,
                    "text": "Title",
                    "font_name": "Inter",
                    "font_size_in_px": 48.0,
                    "text_color": "#ffffff",
                    "font_weight": "regular",
                    "position": {"x_in_px": 60, "y_in_px": 180},
                    "dimensions": {"width_in_px": 740, "height_in_px": 300},
                    "is_splitting_lines": True,
                },
            ],
        }
    )
    assert fingerprint(older) == fingerprint(current)
    assert len(fingerprint(older)) == 64


def test_anything_that_changes_pixels_changes_the_key() -> None:
    keys = {
        fingerprint(parse_request(r))
        for r in (request(), request(output_format="webp"), request(dimensions={"width": 1200, "height": 631}))
    }
    other_text = request()
    other_text["layers"][1]["text"] = "Title!"
    keys.add(fingerprint(parse_request(other_text)))
    assert len(keys) == 4


def test_the_webhook_is_not_part_of_the_key() -> None:
    with_hook = parse_request(request(webhook_url="https://hooks.example.com/x"))
    assert fingerprint(with_hook) == fingerprint(parse_request(request()))
    assert b"webhook" not in canonical(with_hook)


def test_the_canonical_form_is_sorted_compact_json() -> None:
    text = canonical(parse_request(request())).decode()
    assert " " not in text.replace("Title", "")
    assert text.startswith('{"dimensions":{"height_in_px":630,"width_in_px":1200},"layers":[')


def test_fontset_version_matches_the_bundled_files() -> None:
    digest = hashlib.sha256()
    for path in sorted(FONTS.rglob("*.[ot]tf")):
        digest.update(path.relative_to(FONTS).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    assert (FONTSET_VERSION, digest.hexdigest()[:8]) == FONTSET_DIGEST
