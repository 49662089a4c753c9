from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from handler.content import ContentMapping, FrontMatterError, as_variable, front_matter, load_content

MAPPING = ContentMapping(template="blog")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_front_matter() -> None:
    text = '---\ntitle: Why "Postgres"\ndate: 2026-03-01\ntags: [db, ops]\n---\n# Body\n'
    assert front_matter(text) == {"title": 'Why "Postgres"', "date": datetime.date(2026, 3, 1), "tags": ["db", "ops"]}


def test_toml_front_matter() -> None:
    text = '+++\ntitle = "Zero downtime"\nauthor = "Bob"\ndate = 2026-05-02\n+++\nBody\n'
    assert front_matter(text) == {"title": "Zero downtime", "author": "Bob", "date": datetime.date(2026, 5, 2)}


def test_no_front_matter_is_empty() -> None:
    assert front_matter("# Just a heading\n") == {}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("---\ntitle: [unclosed\n---\n", "broken YAML"),
        ("+++\ntitle = \n+++\n", "broken TOML"),
        ("---\ntitle: never closed\n", "never closed"),
        ("---\n- a list\n---\n", "not a mapping"),
    ],
)
def test_broken_front_matter(text: str, words: str) -> None:
    with pytest.raises(FrontMatterError, match=words):
        front_matter(text)


def test_values_become_variables() -> None:
    assert as_variable(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert as_variable(["a", "b", 3]) == "a, b, 3"
    assert as_variable(None) == ""
    with pytest.raises(FrontMatterError):
        as_variable({"nested": "mapping"})


def test_a_folder_of_pages_with_one_broken_file(tmp_path: Path) -> None:
    write(tmp_path, "why-postgres.md", "---\ntitle: Why We Moved to Postgres\nauthor: Alice\n---\nText")
    write(tmp_path, "nested/zero.md", '+++\ntitle = "Zero downtime"\nslug = "zero-downtime"\n+++\n')
    write(tmp_path, "draft.md", "---\ntitle: Not yet\ndraft: true\n---\n")
    broken = write(tmp_path, "broken.md", "---\ntitle: [oops\n---\n")
    pages, problems = load_content(tmp_path, MAPPING)
    assert {p.slug: p.vars for p in pages} == {
        "why-postgres": {"title": "Why We Moved to Postgres", "author": "Alice"},
        "zero-downtime": {"title": "Zero downtime"},
    }
    assert [p.source for p in problems] == [broken]
    assert "broken YAML" in str(problems[0])


def test_the_mapping_renames_fields(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\nheadline: Hello\nwriter: Eve\n---\n")
    mapping = ContentMapping(template="blog", vars={"title": "headline", "author": "writer"})
    pages, _ = load_content(tmp_path, mapping)
    assert pages[0].vars == {"title": "Hello", "author": "Eve"}


def test_a_bad_slug_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\nslug: ../../etc\n---\n")
    pages, problems = load_content(tmp_path, MAPPING)
    assert not pages
    assert "not a valid slug" in problems[0].message
