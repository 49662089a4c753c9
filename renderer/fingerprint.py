"""The cache key of a request: blake3 of its canonical form, with the renderer and font-set versions.

The canonical form is the normalised model (so both dialects give one key) as compact JSON with sorted keys, fields
left at their defaults omitted (so adding an optional field later does not change existing keys), and
``webhook_url`` left out (it changes where a result goes, not its bytes). Bump ``RENDERER_VERSION`` whenever the
same request would render different pixels; ``FONTSET_VERSION`` is checked against the bundled files by a test.
"""

from __future__ import annotations

import json

from blake3 import blake3

from renderer.model import RenderRequest

RENDERER_VERSION = "2"  # 2: antialiased rotation, text coverage in 64 levels, new layer kinds
FONTSET_VERSION = "2"  # Inter 4.001 and the families of renderer/fonts/sources.json
_NOT_IN_KEY = {"webhook_url"}


def canonical(request: RenderRequest) -> bytes:
    data = request.model_dump(mode="json", exclude=_NOT_IN_KEY, exclude_defaults=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fingerprint(request: RenderRequest) -> str:
    """64 hex digits naming exactly one rendering."""
    hasher = blake3(f"ogedge/r{RENDERER_VERSION}/f{FONTSET_VERSION}\n".encode())
    hasher.update(canonical(request))
    return hasher.hexdigest()
