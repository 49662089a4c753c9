"""The playground's drafts, apart from HTTP: a template with its variables (or a raw layer request) checked and
turned into a render request, and what a page needs to use the template: its ``/og/`` URL and meta tags.

A template draft renders exactly what ``/og/<slug>.<ext>?template=<name>&...`` would (the site's defaults under the
variables, the format taken from the extension), so the preview's key is the key that URL is stored under. Every
problem names its field in the body: ``template.layers[2].font_size_in_px``, ``variables.title``, ``slug``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from handler.meta import alt_text, meta_tags
from handler.resolve import TEMPLATE_PARAM
from handler.signing import signed_query
from handler.site import SLUG, MissingVariable, Scalar, Site, fill
from renderer import FieldProblem, InvalidRequest, RenderError, RenderRequest, parse_request
from renderer.encode import MIME_TYPES
from renderer.model import problems_of

OG_EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}  # the formats /og/ serves, by extension

STARTER: dict[str, Any] = {  # the raw request a site without templates starts from
    "dimensions": {"width_in_px": 1200, "height_in_px": 630},
    "layers": [
        {"index": 0, "type": "solid-color", "hex_color": "#1a1a2e"},
        {
            "index": 1,
            "type": "text",
            "text": "Hello from the **playground**",
            "font_name": "Inter",
            "font_weight": "bold",
            "font_size_in_px": 72,
            "text_color": "#ffffff",
            "position": {"x_in_px": 80, "y_in_px": 160},
            "dimensions": {"width_in_px": 1040, "height_in_px": 310},
            "should_auto_scale": True,
        },
    ],
}


class DraftBody(BaseModel):
    """``{"template": {...}, "name": "blog", "variables": {...}, "slug": "..."}`` or ``{"request": {...}}``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    template: dict[str, Any] | None = None
    request: dict[str, Any] | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)  # the site's template this one edits
    variables: dict[str, Scalar] = Field(default_factory=dict)
    slug: str = Field(default="preview", min_length=1, max_length=200)  # the page the /og/ URL is for


@dataclass(frozen=True)
class Draft:
    request: RenderRequest
    body: DraftBody
    filled: dict[str, Any]  # the request as written (a template filled in), before validation normalised it
    used: tuple[str, ...] = ()  # the variables the template uses, in order of first use
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """The ``/og/`` URL of a template draft and the meta tags of ``ogedge meta`` for it."""

    url: str
    signed: bool
    meta: tuple[str, ...]


def parse_body(data: Any) -> DraftBody:
    try:
        body = DraftBody.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(problems_of(exc)) from None
    if (body.template is None) == (body.request is None):
        raise InvalidRequest([FieldProblem("body", "send either a template (with variables) or a request")])
    if not SLUG.fullmatch(body.slug) or ".." in body.slug:
        message = "letters, digits, '-', '_', '.', and '/' between parts (the page's /og/ path)"
        raise InvalidRequest([FieldProblem("slug", message)])
    return body


def draft_of(body: DraftBody, site: Site) -> Draft:
    """The render request of a body; template drafts as their ``/og/`` URL would render them."""
    if body.request is not None:
        return Draft(_validated(body.request, "request"), body, body.request)
    assert body.template is not None
    used = template_variables(body.template)
    try:
        filled = fill(body.template, {**site.defaults, **body.variables}, body.name or "(draft)")
    except MissingVariable as exc:
        problem = FieldProblem(f"variables.{exc.name}", f"the template uses {{{{{exc.name}}}}}: give it a value")
        raise InvalidRequest([problem]) from None
    fmt = filled.get("output_format", "png")  # anything but a format's name is left for validation to name
    fmt = "jpeg" if fmt == "jpg" else fmt
    notes: list[str] = []
    if isinstance(fmt, str) and fmt in MIME_TYPES and fmt not in OG_EXTENSIONS:
        notes.append(f"/og/ serves png, jpg and webp: the preview and the URL use png, not {fmt!r}")
        fmt = "png"
    filled = {**filled, "output_format": fmt}
    return Draft(_validated(filled, "template"), body, filled, used, tuple(notes) + _site_notes(body, site))


def template_variables(template: Mapping[str, Any]) -> tuple[str, ...]:
    """The names of a template's placeholders, found by filling it the way the site does."""
    names = _Names()
    fill(dict(template), names, "(draft)")
    return tuple(names.seen)


def link_for(draft: Draft, site: Site, signing_keys: tuple[str, ...], base_url: str) -> Link | None:
    """The template draft's ``/og/`` URL (signed with the first key when there is one) and its meta tags."""
    body = draft.body
    if body.template is None or body.name is None or body.name not in site.templates:
        return None
    ext = OG_EXTENSIONS[draft.request.output_format]
    path = f"/og/{body.slug}.{ext}"
    params = [(TEMPLATE_PARAM, body.name)]
    for name in draft.used:
        value = body.variables.get(name)
        if value is not None and value != site.defaults.get(name):
            params.append((name, str(value)))
    if signing_keys:
        query = signed_query(signing_keys[0], path, params)
    else:
        query = urlencode(params, quote_via=quote)
    url = f"{base_url.rstrip('/')}{path}?{query}"
    size = draft.request.dimensions
    alt = alt_text(draft.request)
    tags = meta_tags(url, MIME_TYPES[draft.request.output_format], size.width_in_px, size.height_in_px, alt)
    return Link(url, bool(signing_keys), tuple(tags))


def link_notes(draft: Draft, link: Link | None, base_url: str) -> tuple[str, ...]:
    if link is None or draft.body.template is None:
        return ()
    notes = []
    if not link.signed:
        notes.append("unsigned: set OGEDGE_SIGNING_KEYS (or sign it with `ogedge sign`) so /og/ accepts it")
    if not base_url.startswith("https://"):
        notes.append("og:image must be an absolute https URL: set OGEDGE_CDN_URL to where /og/ is served")
    return tuple(notes)


def examples(site: Site) -> list[dict[str, Any]]:
    """Each template with its variables' starting values: the site's defaults under its first page's."""
    found = []
    for name, template in site.templates.items():
        page = next((p for p in site.pages.values() if p.template == name), None)
        known = {**site.defaults, **(page.vars if page else {})}
        try:
            used = template_variables(template)
        except RecursionError:
            continue
        values = {v: str(known.get(v, v)) for v in used}
        defaults = {v: str(site.defaults[v]) for v in used if v in site.defaults}
        found.append({"name": name, "template": template, "variables": values, "defaults": defaults})
    return found


def _site_notes(body: DraftBody, site: Site) -> tuple[str, ...]:
    if body.name is None or body.name not in site.templates:
        name = body.name or "<name>"
        return (f"not in the site file: add it as templates.{name} to get an /og/ URL",)
    if site.templates[body.name] != body.template:
        return (f"edited: the URL renders the site file's {body.name!r} until this version is saved there",)
    return ()


def _validated(data: Mapping[str, Any], prefix: str) -> RenderRequest:
    """``parse_request`` with every problem named from the body's root (``template.layers[2]...``)."""
    try:
        return parse_request(data)
    except InvalidRequest as exc:
        raise InvalidRequest([FieldProblem(_under(prefix, p.path), p.message) for p in exc.problems]) from None


def within(prefix: str, exc: RenderError) -> RenderError:
    """A render error (a font or image that cannot be loaded) with its field named from the body's root."""
    if isinstance(exc, InvalidRequest):
        return InvalidRequest([FieldProblem(_under(prefix, p.path), p.message) for p in exc.problems])
    exc.field = _under(prefix, exc.field or "")
    return exc


def _under(prefix: str, path: str) -> str:
    if not path:
        return prefix
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


class _Names(Mapping[str, Scalar]):
    """A variables mapping that has every name and remembers which were asked for."""

    def __init__(self) -> None:
        self.seen: dict[str, None] = {}

    def __contains__(self, name: object) -> bool:
        return True

    def __getitem__(self, name: str) -> Scalar:
        self.seen[name] = None
        return name

    def __iter__(self) -> Iterator[str]:
        return iter(self.seen)

    def __len__(self) -> int:
        return len(self.seen)
