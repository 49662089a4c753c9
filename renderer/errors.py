"""Typed errors raised by the renderer. No HTTP here: the edge maps each kind to a status in one table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with a request: where (a dotted path such as ``layers[2].font_size_in_px``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class RenderError(Exception):
    """Base of everything the renderer raises on purpose. ``field`` names the part of the request at fault."""

    code = "render_error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidRequest(RenderError):
    """The request does not validate (shape, types, ranges, unknown or unsupported layer types)."""

    code = "invalid_request"

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else FieldProblem("", "invalid request")
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first.message + more, first.path or None)


class AssetError(RenderError):
    """A font or image named by the request cannot be fetched, decoded or used."""

    code = "asset_error"


class FontLoadError(AssetError):
    code = "font_error"


class ImageLoadError(AssetError):
    code = "image_error"


class EncodeError(RenderError):
    """The finished canvas could not be encoded in the requested format."""

    code = "encode_error"


class UnsupportedFeature(RenderError):
    """A valid request asks for something this renderer cannot do (background removal): refused, never faked."""

    code = "unsupported"
