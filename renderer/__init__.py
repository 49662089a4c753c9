"""ogedge's renderer: a layer request in, image bytes out. Pure and deterministic: no network, environment or clock.

from renderer import render
image = render({"dimensions": {...}, "layers": [...]}, fetch=my_fetcher)
image.data, image.mime_type, image.width, image.height
"""

from renderer.errors import (
    AssetError,
    EncodeError,
    FieldProblem,
    FontLoadError,
    ImageLoadError,
    InvalidRequest,
    RenderError,
)
from renderer.layers.base import Fetch
from renderer.limits import Limits, RenderTimeout
from renderer.model import RenderRequest, parse_request
from renderer.pipeline import RenderedImage, RenderOptions, render

__all__ = [
    "AssetError",
    "EncodeError",
    "Fetch",
    "FieldProblem",
    "FontLoadError",
    "ImageLoadError",
    "InvalidRequest",
    "Limits",
    "RenderError",
    "RenderOptions",
    "RenderRequest",
    "RenderTimeout",
    "RenderedImage",
    "parse_request",
    "render",
]
