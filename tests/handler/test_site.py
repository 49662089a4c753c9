"""Site files: placeholders filled as values (quotes and braces are safe), validation, reloading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from handler.site import MissingVariable, Site, SiteError, SiteSource, UnknownTemplate, file_reader, fill

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "site.json"


def site(**extra: Any) -> Site:
    data = {
        "templates": {
            "blog": {
                "layers": [
                    {"type": "text", "text": "{{title}}", "font_size_in_px": "{{size}}"},
                    {"type": "text", "text": "by {{ author }} on {{site}}"},
                ]
            }
        },
        "pages": {"p": {"template": "blog", "vars": {"title": "T", "size": 40, "author": "A"}}},
        "defaults": {"site": "acme.dev", "size": 48},
        **extra,
    }
    return Site.parse(json.dumps(data), "test")


def test_whole_placeholders_become_the_value_itself() -> None:
    filled = site().request_for("blog", {"title": "Hi", "size": 40, "author": "Al"})
    assert filled["layers"][0] == {"type": "text", "text": "Hi", "font_size_in_px": 40}
    assert filled["layers"][1]["text"] == "by Al on acme.dev"


@pytest.mark.parametrize(
    "title", ['He said "hi" \\ and left', "{{author}}", "}} {{", '{"layers": []}', "{{title}}", "null"]
)
def test_values_with_quotes_braces_or_placeholders_are_just_text(title: str) -> None:
    filled = site().request_for("blog", {"title": title, "author": "A"})
    assert filled["layers"][0]["text"] == title
    assert filled["layers"][1]["text"] == "by A on acme.dev"


def test_page_variables_override_defaults() -> None:
    s = site()
    assert s.request_for("blog", {"title": "x", "author": "a"})["layers"][0]["font_size_in_px"] == 48
    assert s.request_for("blog", {"title": "x", "author": "a", "size": 12})["layers"][0]["font_size_in_px"] == 12


def test_a_missing_variable_is_named() -> None:
    with pytest.raises(MissingVariable, match="template 'blog' needs the variable 'author'"):
        site().request_for("blog", {"title": "x"})


def test_an_unknown_template() -> None:
    with pytest.raises(UnknownTemplate):
        site().request_for("nope", {})


def test_fill_leaves_other_values_alone() -> None:
    assert fill({"a": [1, 2.5, True, None, "x"]}, {}, "t") == {"a": [1, 2.5, True, None, "x"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"pages": {}}', "templates: Field required"),
        ('{"templates": {}, "pages": {"a": {"template": "missing"}}}', "unknown template 'missing'"),
        ('{"templates": {"t": {}}, "pages": {"../etc": {"template": "t"}}}', "not a valid slug"),
        ('{"templates": {"t": {}}, "pages": {"a": {"template": "t", "vars": {"x": [1]}}}}', "pages.a.vars.x"),
    ],
)
def test_broken_site_files_are_reported(text: str, message: str) -> None:
    with pytest.raises(SiteError, match=message.replace(".", r"\.").replace("(", r"\(")):
        Site.parse(text, "site.json")


def test_the_example_site_parses_and_every_page_fills() -> None:
    example = Site.parse(EXAMPLE.read_bytes(), "examples/site.json")
    assert set(example.pages) == {"why-postgres", "connection-pooling", "zero-downtime-migrations"}
    for page in example.pages.values():
        assert "{{" not in json.dumps(example.request_for(page.template, page.vars))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_site_is_reloaded_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "site.json"
    path.write_text(json.dumps({"templates": {"a": {}}}))
    clock = Clock()
    source = SiteSource(file_reader(path), str(path), clock, ttl_s=5)
    assert set(source.current().templates) == {"a"}
    path.write_text(json.dumps({"templates": {"a": {}, "b": {}}}))
    assert set(source.current().templates) == {"a"}  # not checked again within the ttl
    clock.now = 6
    assert set(source.current().templates) == {"a", "b"}


def test_a_broken_edit_is_reported_and_a_vanished_file_keeps_the_last_good_site(tmp_path: Path) -> None:
    path = tmp_path / "site.json"
    path.write_text(json.dumps({"templates": {"a": {}}}))
    clock = Clock()
    source = SiteSource(file_reader(path), str(path), clock, ttl_s=1)
    source.current()
    path.unlink()
    clock.now = 2
    assert set(source.current().templates) == {"a"}
    path.write_text("{broken")
    clock.now = 4
    with pytest.raises(SiteError, match="not valid JSON"):
        source.current()


def test_a_missing_file_at_start_is_a_site_error(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="cannot read"):
        SiteSource(file_reader(tmp_path / "none.json"), "none.json", Clock()).current()
