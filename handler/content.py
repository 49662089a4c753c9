"""Pages from a content folder, as static site generators keep them: Markdown files with YAML (``---``) or TOML
(``+++``) front matter. Which front matter fields fill which template variables is set in the site file:

    "content": {"template": "blog",
                "vars": {"title": "title", "description": "description", "author": "author",
                         "author_photo": "author_photo", "date": "date", "tags": "tags"}}

(those are the defaults: each variable takes the field of its own name). The slug is the file name without
``.md``, or the ``slug`` field. ``draft: true`` pages are left out. A file that cannot be read is reported by name
and the other pages still build.
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from handler.site import SLUG, Scalar

DEFAULT_FIELDS = ("title", "description", "author", "author_photo", "date", "tags")


class ContentMapping(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    template: str
    vars: dict[str, str] = Field(default_factory=lambda: {name: name for name in DEFAULT_FIELDS})


def content_mapping(site: Any) -> ContentMapping:
    """The site's ``content`` section, or the defaults when the site has exactly one template."""
    if site.content is not None:
        try:
            return ContentMapping.model_validate(site.content)
        except ValueError as exc:
            raise ValueError(f"the site file's content section: {exc}") from None
    if len(site.templates) == 1:
        return ContentMapping(template=next(iter(site.templates)))
    raise ValueError('the site file needs a "content": {"template": ...} section to build a content folder')


@dataclass(frozen=True)
class ContentPage:
    slug: str
    template: str
    vars: dict[str, Scalar]
    source: Path


@dataclass(frozen=True)
class ContentProblem:
    source: Path
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class FrontMatterError(ValueError):
    pass


def front_matter(text: str) -> dict[str, Any]:
    """The front matter of a Markdown file as a mapping (empty when there is none)."""
    text = text.lstrip("\ufeff")
    for fence, parse in (("---", _yaml), ("+++", _toml)):
        if text.startswith(fence + "\n") or text.startswith(fence + "\r\n"):
            body, found, _ = text[len(fence) :].lstrip("\r\n").partition(f"\n{fence}")
            if not found:
                raise FrontMatterError(f"the front matter opened with {fence} is never closed")
            data = parse(body)
            if not isinstance(data, dict):
                raise FrontMatterError("the front matter is not a mapping of fields")
            return data
    return {}


def _yaml(body: str) -> Any:
    try:
        return yaml.safe_load(body) or {}
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"broken YAML front matter: {exc}".replace("\n", " ")) from None


def _toml(body: str) -> Any:
    try:
        return tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        raise FrontMatterError(f"broken TOML front matter: {exc}") from None


def as_variable(value: Any) -> Scalar:
    """Front matter values as template variables: dates in ISO form, lists joined with ", "."""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(as_variable(item)) for item in value)
    if value is None:
        return ""
    raise FrontMatterError(f"a field holds a {type(value).__name__}, not text, a number, a date or a list")


def page_of(source: Path, mapping: ContentMapping) -> ContentPage | None:
    """The page a Markdown file describes (None for a draft); raises ``FrontMatterError``."""
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrontMatterError(f"cannot read the file: {exc}") from None
    fields = front_matter(text)
    if fields.get("draft") is True:
        return None
    slug = str(fields.get("slug") or source.stem)
    if not SLUG.fullmatch(slug) or ".." in slug:
        raise FrontMatterError(f"{slug!r} is not a valid slug")
    variables = {var: as_variable(fields[field]) for var, field in mapping.vars.items() if field in fields}
    return ContentPage(slug, mapping.template, variables, source)


def load_content(folder: Path, mapping: ContentMapping) -> tuple[list[ContentPage], list[ContentProblem]]:
    pages: list[ContentPage] = []
    problems: list[ContentProblem] = []
    for source in sorted(folder.rglob("*.md")):
        try:
            page = page_of(source, mapping)
        except FrontMatterError as exc:
            problems.append(ContentProblem(source, str(exc)))
            continue
        if page is not None:
            pages.append(page)
    return pages, problems
