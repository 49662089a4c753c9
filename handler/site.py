"""The site: templates (layer requests with ``{{name}}`` placeholders) and pages (slug -> template + variables).

    {"templates": {"blog": {...layer request...}},
     "pages": {"why-postgres": {"template": "blog", "vars": {"title": "Why We Moved to Postgres"}}},
     "defaults": {"site": "acme.dev"}}

``defaults`` (an extension) gives every page variables it does not set itself. Placeholders are filled as values in
the parsed JSON, never by text substitution: a string that is exactly ``{{name}}`` becomes the value itself (so a
number can fill a number field), and placeholders inside longer strings are replaced once, without rescanning what
was inserted, so a title with quotes, braces or ``{{other}}`` in it is just text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from renderer.model import problems_of

Scalar = str | int | float | bool
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")
SLUG = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}(?:/[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}){0,7}")


class SiteError(Exception):
    """The site file cannot be read or does not validate."""


class MissingVariable(Exception):
    def __init__(self, template: str, name: str) -> None:
        super().__init__(f"template {template!r} needs the variable {name!r}")
        self.template = template
        self.name = name


class UnknownTemplate(Exception):
    def __init__(self, template: str) -> None:
        super().__init__(f"no template named {template!r}")
        self.template = template


class Page(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    template: str
    vars: dict[str, Scalar] = Field(default_factory=dict)


class Site(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    templates: dict[str, dict[str, Any]]
    pages: dict[str, Page] = Field(default_factory=dict)
    defaults: dict[str, Scalar] = Field(default_factory=dict)
    content: dict[str, Any] | None = None  # how a content folder's front matter fills variables (handler.content)

    @classmethod
    def parse(cls, text: str | bytes, origin: str) -> Site:
        try:
            site = cls.model_validate(json.loads(text))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SiteError(f"{origin} is not valid JSON: {exc}") from None
        except ValidationError as exc:
            raise SiteError(f"{origin}: " + "; ".join(map(str, problems_of(exc)))) from None
        for slug, page in site.pages.items():
            if not SLUG.fullmatch(slug) or ".." in slug:
                raise SiteError(f"{origin}: page slug {slug!r} is not a valid slug")
            if page.template not in site.templates:
                raise SiteError(f"{origin}: page {slug!r} uses the unknown template {page.template!r}")
        return site

    def request_for(self, template: str, variables: Mapping[str, Scalar]) -> Any:
        """The template filled with ``defaults`` overlaid by ``variables``: a layer request, not yet validated."""
        if template not in self.templates:
            raise UnknownTemplate(template)
        return fill(self.templates[template], {**self.defaults, **variables}, template)


def fill(node: Any, variables: Mapping[str, Scalar], template: str) -> Any:
    """``node`` with every placeholder replaced by its variable's value."""

    def value(name: str) -> Scalar:
        if name not in variables:
            raise MissingVariable(template, name)
        return variables[name]

    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node)
        if whole:
            return value(whole.group(1))
        return _PLACEHOLDER.sub(lambda m: str(value(m.group(1))), node)
    if isinstance(node, dict):
        return {key: fill(item, variables, template) for key, item in node.items()}
    if isinstance(node, list):
        return [fill(item, variables, template) for item in node]
    return node


@dataclass
class SiteSource:
    """The current site, reloaded when its source changes (checked at most every ``ttl_s`` seconds).

    ``read`` returns the file's bytes and a version tag (mtime, ETag, ...) and is given the last tag so a backend can
    answer "unchanged" cheaply by returning ``None`` as the bytes."""

    read: Callable[[str | None], tuple[bytes | None, str]]
    origin: str
    clock: Callable[[], float]
    ttl_s: float = 5.0
    _site: Site | None = None
    _tag: str | None = None
    _checked: float = float("-inf")

    def current(self) -> Site:
        now = self.clock()
        if self._site is not None and now - self._checked < self.ttl_s:
            return self._site
        try:
            data, tag = self.read(self._tag)
        except OSError as exc:
            if self._site is not None:  # keep serving the last good site through a passing failure
                return self._site
            raise SiteError(f"cannot read {self.origin}: {exc}") from None
        self._checked = now
        if data is not None and tag != self._tag:
            self._site = Site.parse(data, self.origin)
            self._tag = tag
        if self._site is None:
            raise SiteError(f"{self.origin} is empty")
        return self._site


def file_reader(path: Path) -> Callable[[str | None], tuple[bytes | None, str]]:
    def read(last: str | None) -> tuple[bytes | None, str]:
        stat = path.stat()
        tag = f"{stat.st_mtime_ns}:{stat.st_size}"
        return (None if tag == last else path.read_bytes()), tag

    return read


EMPTY_SITE = Site(templates={})
