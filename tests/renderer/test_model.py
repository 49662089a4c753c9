"""The request model: both dialects normalise to one form; every problem names its field."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from renderer import InvalidRequest, parse_request
from renderer.model import LayoutLayer, RenderRequest, field_path, parse_hex_color, parse_weight

PIXEL = base64.b64encode(b"\x89PNG fake bytes").decode()


def older(*, photo: str = PIXEL) -> dict[str, Any]:
    return {
        "dimensions": {"width": 1200, "height": 630},
        "fonts": [{"name": "Inter", "weight": "Bold", "style": "normal", "buffer": PIXEL}],
        "layers": [
            {"type": "solid-color-background", "index": 0, "hex_color": "#1a1a2e", "opacity": 100},
            {
                "type": "rectangle",
                "index": 1,
                "hex_color": "#E94560",
                "position": {"x": 0, "y": 0},
                "dimensions": {"width": 1200, "height": 4},
            },
            {
                "type": "text",
                "index": 2,
                "text": "Title",
                "font_name": "Inter",
                "font_weight": "Bold",
                "font_size_in_px": 48,
                "text_color": "#fff",
                "position": {"x": 60, "y": 180},
                "dimensions": {"width": 740, "height": 300},
            },
            {
                "type": "static-image",
                "index": 3,
                "buffer": photo,
                "position": {"x": 880, "y": 165},
                "dimensions": {"width": 260, "height": 260},
            },
            {
                "type": "image-overlay",
                "index": 4,
                "file": {"type": "base64", "name": "bg.png", "base64": photo},
            },
        ],
    }


def current(*, photo: str = PIXEL) -> dict[str, Any]:
    return {
        "dimensions": {"width_in_px": 1200, "height_in_px": 630},
        "output_format": "png",
        "fonts": [
            {
                "name": "Inter",
                "weight": "bold",
                "style": "normal",
                "file": {"type": "base64", "base64": photo},
            }
        ],
        "layers": [
            {"type": "solid-color", "index": 0, "hex_color": "#1A1A2EFF"},
            {
                "type": "solid-color",
                "index": 1,
                "hex_color": "#e94560",
                "position": {"x_in_px": 0, "y_in_px": 0},
                "dimensions": {"width_in_px": 1200, "height_in_px": 4},
            },
            {
                "type": "text",
                "index": 2,
                "text": "Title",
                "font_name": "Inter",
                "font_weight": "bold",
                "font_size_in_px": 48,
                "text_color": "#ffffff",
                "position": {"x_in_px": 60, "y_in_px": 180},
                "dimensions": {"width_in_px": 740, "height_in_px": 300},
            },
            {
                "type": "image",
                "index": 3,
                "file": {"type": "base64", "base64": photo},
                "position": {"x_in_px": 880, "y_in_px": 165},
                "dimensions": {"width_in_px": 260, "height_in_px": 260},
            },
            {"type": "image", "index": 4, "file": {"type": "base64", "name": "bg.png", "base64": photo}},
        ],
    }


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(InvalidRequest) as caught:
        parse_request(data)
    return {p.path: p.message for p in caught.value.problems}


def test_both_dialects_normalise_to_equal_models() -> None:
    assert parse_request(older()) == parse_request(current())


def test_normalised_form_dumps_identically() -> None:
    a = parse_request(older()).model_dump_json()
    b = parse_request(current()).model_dump_json()
    assert a == b
    assert '"solid-color-background"' not in a
    assert '"static-image"' not in a


def test_the_article_request_validates(shared: Callable[..., Path]) -> None:
    data = json.loads(shared("reference", "seed-og-request.json").read_text())
    request = parse_request(data)
    assert [layer.type for layer in request.layers] == ["solid-color", "solid-color", "text", "text", "image"]
    assert request.fonts[1].weight == "bold"
    assert request.dimensions.width_in_px == 1200


def test_missing_dimensions_and_layers_are_named() -> None:
    found = problems({})
    assert set(found) == {"dimensions", "layers"}
    assert found["layers"] == "Field required"


def test_empty_layer_list() -> None:
    assert problems({"dimensions": {"width": 10, "height": 10}, "layers": []}) == {
        "layers": "must have at least 1 item(s)"
    }


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["layers"][2].update(font_size_in_px=0), "layers[2].font_size_in_px", "greater than 0"),
        (lambda d: d["layers"][2].update(font_size_in_px="big"), "layers[2].font_size_in_px", "number"),
        (lambda d: d["layers"][1].update(hex_color="#12345"), "layers[1].hex_color", "not a hex colour"),
        (lambda d: d["layers"][2].pop("text_color"), "layers[2].text_color", "Field required"),
        (lambda d: d["layers"][2].update(text_align="justify"), "layers[2].text_align", "left"),
        (lambda d: d["layers"][0].update(opacity=101), "layers[0].opacity", "less than or equal to 100"),
        (
            lambda d: d["layers"][3]["dimensions"].update(width_in_px=0),
            "layers[3].dimensions.width_in_px",
            ">=",
        ),
        (lambda d: d["layers"][4]["file"].update(base64="@@@"), "layers[4].file.base64", "base64"),
        (lambda d: d["layers"][4]["file"].update(type="ftp"), "layers[4].file", "type"),
        (lambda d: d["layers"][2].update(font_szie=3), "layers[2].font_szie", "Extra inputs"),
        (lambda d: d["fonts"][0].update(weight="heavyish"), "fonts[0].weight", "not a font weight"),
        (lambda d: d.update(output_format="bmp"), "output_format", "png"),
        (lambda d: d["dimensions"].update(height_in_px=-3), "dimensions.height_in_px", ">="),
        (
            lambda d: d["layers"][2].update(font_size_in_px=float("nan")),
            "layers[2].font_size_in_px",
            "finite",
        ),
    ],
)
def test_bad_fields_are_named(change: Callable[[dict[str, Any]], Any], path: str, words: str) -> None:
    data = current()
    change(data)
    found = problems(data)
    assert path in found, found
    message = found[path].replace("greater than or equal to", ">=")
    assert words in message or words in found[path], found[path]


def test_unknown_layer_type_is_an_error_naming_the_layer() -> None:
    data = current()
    data["layers"][1]["type"] = "sparkles"
    found = problems(data)
    assert "unknown layer type 'sparkles'" in found["layers[1]"]


# --- the layer types and fields of issue 8, in both dialects -----------------------------------------------------


def every_kind(*, older_dialect: bool) -> dict[str, Any]:
    """A request with a layer of every kind and field, written in either dialect."""

    def at(x: float, y: float) -> dict[str, float]:
        return {"x": x, "y": y} if older_dialect else {"x_in_px": x, "y_in_px": y}

    def size(width: int | str, height: int | str) -> dict[str, int | str]:
        return {"width": width, "height": height} if older_dialect else {"width_in_px": width, "height_in_px": height}

    colours = (
        {"foreground_hex_color": "#000", "background_hex_color": "#FFF"}
        if older_dialect
        else {
            "foreground_hex_color": "#000000",
            "background_hex_color": "#ffffff",
        }
    )
    stops = [{"hex_color": "#1A1A2E", "position": 0}, {"hex_color": "#e94560", "position": 100}]
    return {
        "dimensions": size(1200, 630),
        "layers": [
            {
                "type": "rectangle" if older_dialect else "solid-color",
                "index": 0,
                "hex_color": "#e94560",
                "position": at(0, 0),
                "dimensions": size(600, 100),
                "border_radius": 8,
                "angled_edges": [{"edge": "Right" if older_dialect else "right", "angle_in_degrees": 15}],
            },
            {
                "type": "gradient",
                "index": 1,
                "gradient_type": "Linear" if older_dialect else "linear",
                "colors": stops,
                "angle_in_degrees": 90,
                "position": at(0, 100),
                "dimensions": size(1200, 530),
                "border_top_left_radius": 4,
            },
            {
                "type": "static-image" if older_dialect else "image",
                "index": 2,
                **({"buffer": PIXEL} if older_dialect else {"file": {"type": "base64", "base64": PIXEL}}),
                "position": at(10, 10),
                "dimensions": size(100, 100),
                "border_radius": 50,
            },
            {
                "type": "qr-code",
                "index": 3,
                "value": "https://example.com",
                **colours,
                "position": at(900, 300),
                "dimensions": size(200, 200),
            },
            {
                "type": "barcode",
                "index": 4,
                "format": "EAN-13" if older_dialect else "ean13",
                "value": "4006381333931",
                **colours,
                "position": at(600, 500),
                "dimensions": size(300, 100),
            },
            {
                "type": "layout",
                "index": 5,
                "position": at(40, 40),
                "padding": 12,
                "gap": 8,
                "vertical_alignment": "center",
                "background_layers": [
                    {"type": "solid-color-background" if older_dialect else "solid-color", "hex_color": "#0284c7"}
                ],
                "layers": [
                    {
                        "type": "rectangle" if older_dialect else "solid-color",
                        "hex_color": "#fff",
                        "dimensions": size(20, 20),
                    },
                    {
                        "type": "text",
                        "text": "Hi",
                        "font_size_in_px": 16,
                        "text_color": "#fff",
                        "font_weight": "Bold" if older_dialect else "bold",
                        "dimensions": size("auto", 24),
                    },
                ],
            },
        ],
    }


def test_every_new_kind_normalises_alike_in_both_dialects() -> None:
    older_request, current_request = (
        parse_request(every_kind(older_dialect=True)),
        parse_request(every_kind(older_dialect=False)),
    )
    assert older_request == current_request
    assert [layer.type for layer in current_request.layers] == [
        "solid-color",
        "gradient",
        "image",
        "qr-code",
        "barcode",
        "layout",
    ]
    assert RenderRequest.model_validate(json.loads(current_request.model_dump_json())) == current_request


def test_layout_children_and_background_layers_need_no_index() -> None:
    layout = parse_request(every_kind(older_dialect=False)).layers[5]
    assert isinstance(layout, LayoutLayer)
    assert [child.index for child in layout.layers] == [0, 1]
    assert layout.background_layers[0].index == 0


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["layers"][0].update(border_top_left_radius=3), "layers[0].border_top_left_radius", "not both"),
        (lambda d: d["layers"][0].update(border_radius=-1), "layers[0].border_radius", ">= 0"),
        (
            lambda d: d["layers"][0]["angled_edges"][0].update(angle_in_degrees=46),
            "layers[0].angled_edges[0].angle_in_degrees",
            "<= 45",
        ),
        (lambda d: d["layers"][0]["angled_edges"][0].update(edge="middle"), "layers[0].angled_edges[0].edge", "left"),
        (
            lambda d: d["layers"][0]["angled_edges"].append({"edge": "right", "angle_in_degrees": 3}),
            "layers[0].angled_edges",
            "once",
        ),
        (lambda d: d["layers"][1].update(gradient_type="conic"), "layers[1].gradient_type", "linear"),
        (lambda d: d["layers"][1].update(colors=[]), "layers[1].colors", "at least 1"),
        (lambda d: d["layers"][1]["colors"][0].update(position=101), "layers[1].colors[0].position", "<= 100"),
        (lambda d: d["layers"][1].pop("dimensions"), "layers[1].dimensions", "Field required"),
        (lambda d: d["layers"][3].update(value=""), "layers[3].value", "at least 1"),
        (lambda d: d["layers"][3].update(value="x" * 2400), "layers[3].value", "too long for a QR code"),
        (lambda d: d["layers"][3].pop("foreground_hex_color"), "layers[3].foreground_hex_color", "Field required"),
        (lambda d: d["layers"][4].update(format="qr"), "layers[4].format", "code128"),
        (lambda d: d["layers"][5].update(padding_top=3), "layers[5].padding_top", "not both"),
        (lambda d: d["layers"][5].update(direction="diagonal"), "layers[5].direction", "horizontal"),
        (lambda d: d["layers"][5].update(horizontal_alignment="justify"), "layers[5].horizontal_alignment", "start"),
        (lambda d: d["layers"][5].update(layers=[]), "layers[5].layers", "at least 1"),
        (lambda d: d["layers"][5]["layers"][0].pop("dimensions"), "layers[5].layers[0].dimensions", "Field required"),
        (
            lambda d: d["layers"][5]["layers"][1]["dimensions"].update(width_in_px="wide"),
            "layers[5].layers[1].dimensions.width_in_px",
            "auto",
        ),
        (
            lambda d: d["layers"][5]["layers"][0]["dimensions"].update(width_in_px="auto"),
            "layers[5].layers[0].dimensions.width_in_px",
            "integer",
        ),
        (
            lambda d: d["layers"][5]["layers"][1].update(font_size_in_px=0),
            "layers[5].layers[1].font_size_in_px",
            "greater than 0",
        ),
        (
            lambda d: d["layers"][5]["background_layers"][0].update(hex_color="nope"),
            "layers[5].background_layers[0].hex_color",
            "hex colour",
        ),
    ],
)
def test_bad_fields_of_the_new_kinds_are_named(change: Callable[[dict[str, Any]], Any], path: str, words: str) -> None:
    data = every_kind(older_dialect=False)
    change(data)
    found = problems(data)
    assert path in found, found
    message = found[path].replace("greater than or equal to", ">=").replace("less than or equal to", "<=")
    assert words in message, found[path]


@pytest.mark.parametrize(
    ("fmt", "value", "rule"),
    [
        ("ean13", "40063813339", "12 or 13 digits"),
        ("ean13", "400638133393x", "12 or 13 digits"),
        ("ean13", "4006381333932", "check digit of 400638133393 is 1, not 2"),
        ("ean8", "123456", "7 or 8 digits"),
        ("ean8", "96385070", "check digit of 9638507 is 4, not 0"),
        ("itf", "12345", "even number of digits"),
        ("itf", "12a4", "even number of digits"),
        ("codabar", "1234", "starts and ends with A, B, C or D"),
        ("codabar", "A12E4B", "digits and - $ : / . +"),
        ("code39", "lower case", "A-Z, 0-9"),
        ("code128", "naïve", "ASCII"),
    ],
)
def test_barcode_rules_name_the_value_field(fmt: str, value: str, rule: str) -> None:
    data = every_kind(older_dialect=False)
    data["layers"][4].update(format=fmt, value=value)
    assert rule in problems(data)["layers[4].value"]


def test_a_rule_broken_deep_in_a_layout_names_its_path() -> None:
    data = every_kind(older_dialect=False)
    barcode = {**data["layers"][4], "format": "itf", "value": "123"}
    del barcode["index"], barcode["position"]
    data["layers"][5]["layers"].append({"type": "layout", "layers": [barcode]})
    assert "even number" in problems(data)["layers[5].layers[2].layers[0].value"]


def test_background_removal_is_accepted_by_the_model() -> None:
    """Refused when drawn (a 422 naming the field, see test_image.py), not as an invalid request."""
    data = current()
    data["layers"][3]["should_remove_background"] = True
    assert parse_request(data).layers[3].should_remove_background  # type: ignore[union-attr]


def test_every_problem_is_reported_at_once() -> None:
    data = current()
    data["layers"][0]["hex_color"] = "red"
    data["layers"][2]["font_size_in_px"] = -1
    assert {"layers[0].hex_color", "layers[2].font_size_in_px"} <= set(problems(data))


def test_missing_index_means_list_order() -> None:
    data = current()
    for layer in data["layers"]:
        del layer["index"]
    request = parse_request(data)
    assert [layer.index for layer in request.layers] == [0, 1, 2, 3, 4]


def test_drawing_order_is_by_index_then_list_order() -> None:
    data = current()
    data["layers"][0]["index"] = 7
    data["layers"][2]["index"] = 1
    order = [layer.type for layer in parse_request(data).drawing_order()]
    assert order == ["solid-color", "text", "image", "image", "solid-color"]


def test_the_model_is_frozen() -> None:
    request = parse_request(current())
    with pytest.raises(ValueError, match="frozen"):
        request.layers[0].index = 3  # type: ignore[misc]


def test_a_validated_model_passes_through() -> None:
    request = parse_request(current())
    assert parse_request(request) is request
    assert RenderRequest.model_validate(json.loads(request.model_dump_json())) == request


@pytest.mark.parametrize(
    ("text", "rgba"),
    [
        ("#fff", (255, 255, 255, 255)),
        ("#1a1a2e", (26, 26, 46, 255)),
        ("#11223344", (17, 34, 51, 68)),
        ("E94560", (233, 69, 96, 255)),
        ("#abcd", (170, 187, 204, 221)),
    ],
)
def test_hex_colours(text: str, rgba: tuple[int, int, int, int]) -> None:
    assert parse_hex_color(text) == rgba


@pytest.mark.parametrize("text", ["", "#", "#12", "#ggg", "rgb(1,2,3)", "#1234567"])
def test_bad_hex_colours(text: str) -> None:
    with pytest.raises(ValueError, match="hex colour"):
        parse_hex_color(text)


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("Bold", "bold"),
        ("SemiBold", "semibold"),
        ("semi-bold", "semibold"),
        ("extra_bold", "extrabold"),
        (700, "bold"),
        ("300", "light"),
        (450, "regular"),
        ("Normal", "regular"),
        ("Heavy", "black"),
    ],
)
def test_weights(given: object, name: str) -> None:
    assert parse_weight(given) == name


def test_field_path_drops_union_tags_but_not_fields_named_like_them() -> None:
    assert field_path(("layers", 2, "text", "text")) == "layers[2].text"
    assert field_path(("layers", 0, "image", "file", "url", "url")) == "layers[0].file.url"
    assert field_path(("fonts", 1, "file", "base64", "base64")) == "fonts[1].file.base64"


def test_data_url_and_urlsafe_base64_are_accepted() -> None:
    data = current()
    raw = b"\xfb\xff\xfe some bytes"
    data["layers"][3]["file"]["base64"] = "data:image/png;base64," + base64.urlsafe_b64encode(raw).decode().rstrip("=")
    request = parse_request(data)
    assert request.layers[3].file.base64 == raw  # type: ignore[union-attr]


def test_input_is_not_mutated() -> None:
    data = older()
    before = copy.deepcopy(data)
    parse_request(data)
    assert data == before
