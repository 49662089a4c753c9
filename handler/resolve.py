"""From ``/og/<slug>.<ext>`` (and its query) to a validated render request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handler.errors import BadPath, BadSignature, UnknownSlug
from handler.signing import SIGNATURE_PARAM, verify
from handler.site import SLUG, Site
from renderer import RenderRequest, parse_request

EXTENSIONS = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "webp": "webp"}
TEMPLATE_PARAM = "template"


@dataclass(frozen=True)
class OgName:
    slug: str
    fmt: str

    @classmethod
    def parse(cls, name: str) -> OgName:
        slug, dot, ext = name.rpartition(".")
        if not dot or ext.lower() not in EXTENSIONS:
            raise BadPath(f"{name[:200]!r} must end in .png, .jpg or .webp", "path")
        if ".." in slug or not SLUG.fullmatch(slug):
            raise BadPath(
                f"{slug[:200]!r} is not a valid slug (letters, digits, '-', '_', '.', and '/' between parts)", "path"
            )
        return cls(slug, EXTENSIONS[ext.lower()])


@dataclass(frozen=True)
class Signing:
    keys: tuple[str, ...]
    allow_unsigned: bool


def resolve(site: Site, name: OgName, path: str, query: Sequence[tuple[str, str]], signing: Signing) -> RenderRequest:
    """A page of the site, or (with ``template=`` in the query) a signed dynamic page."""
    params = dict(query)
    if TEMPLATE_PARAM in params:
        _check_signature(path, query, signing)
        variables = {k: v for k, v in params.items() if k not in (TEMPLATE_PARAM, SIGNATURE_PARAM)}
        data = site.request_for(params[TEMPLATE_PARAM], variables)
    else:
        page = site.pages.get(name.slug)
        if page is None:
            raise UnknownSlug(f"no page {name.slug!r} in the site", "path")
        data = site.request_for(page.template, page.vars)
    if isinstance(data, dict):
        data = {**data, "output_format": name.fmt}
    return parse_request(data)


def _check_signature(path: str, query: Sequence[tuple[str, str]], signing: Signing) -> None:
    signature = dict(query).get(SIGNATURE_PARAM)
    if signature is None:
        if signing.allow_unsigned:
            return
        raise BadSignature("this URL must be signed (sig=...); see `ogedge sign`", SIGNATURE_PARAM)
    if not signing.keys or not verify(signing.keys, path, query, signature):
        raise BadSignature("the signature does not match this URL", SIGNATURE_PARAM)
