"""What a page's HTML needs: the Open Graph and Twitter tags of its image, with alt text from its text layers."""

from __future__ import annotations

import html

from renderer import RenderRequest
from renderer.markdown import parse_emphasis
from renderer.model import TextLayer


def alt_text(request: RenderRequest) -> str:
    """The card's words, largest type first (the title before the byline), without markdown."""
    texts = sorted(
        (layer for layer in request.layers if isinstance(layer, TextLayer)),
        key=lambda layer: (-layer.font_size_in_px, layer.index),
    )
    words = [" ".join("".join(span.text for span in parse_emphasis(t.text)).split()) for t in texts]
    return " · ".join(w for w in words if w)


def meta_tags(image_url: str, mime_type: str, width: int, height: int, alt: str) -> list[str]:
    def tag(attribute: str, name: str, value: str | int) -> str:
        return f'<meta {attribute}="{name}" content="{html.escape(str(value), quote=True)}">'

    return [
        tag("property", "og:image", image_url),
        tag("property", "og:image:type", mime_type),
        tag("property", "og:image:width", width),
        tag("property", "og:image:height", height),
        tag("property", "og:image:alt", alt),
        tag("name", "twitter:card", "summary_large_image"),
        tag("name", "twitter:image", image_url),
        tag("name", "twitter:image:alt", alt),
    ]
