"""``GET /openapi.json``: the HTTP surface described for clients and fuzzers, the request schema generated from the
renderer's models (the current dialect; the older one is accepted too)."""

from __future__ import annotations

from functools import cache
from typing import Any

from renderer import RenderRequest

_ERROR = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"const": False},
        "error": {"type": "string"},
        "code": {"type": "string"},
        "field": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "object"}},
    },
}
_SUCCESS = {
    "type": "object",
    "required": ["success", "data"],
    "properties": {
        "success": {"const": True},
        "data": {
            "type": "object",
            "properties": {
                "buffer": {"type": "string", "contentEncoding": "base64"},
                "url": {"type": "string"},
                "key": {"type": "string"},
                "mime_type": {"type": "string"},
                "warnings": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}
_ASYNC = {"type": "object", "properties": {"success": {"const": True}, "async": {"const": True}, "message": {}}}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _generate(summary: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": [
                {
                    "name": "response",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["json", "image", "url"]},
                },
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RenderRequest"}}},
            },
            "responses": {
                "200": {
                    "description": "the image",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Success"}},
                        "image/*": {"schema": {"type": "string", "format": "binary"}},
                    },
                },
                "201": {
                    "description": "accepted; the result goes to webhook_url",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Async"}}},
                },
                "400": _error("invalid request (the field is named)"),
                "401": _error("missing or wrong bearer key"),
                "413": _error("body too large"),
                "422": _error("a font or image that cannot be loaded, or a processing failure"),
                "429": _error("rate limited; see Retry-After"),
            },
        }
    }


@cache
def spec() -> dict[str, Any]:
    request = RenderRequest.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = request.pop("$defs", {})
    og = {
        "get": {
            "summary": "the Open Graph image of a page (a redirect to the stored object)",
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "302": {"description": "redirect to the immutable object"},
                "200": {"description": "the image (inline mode, or while the store is down)"},
                "400": _error("bad path"),
                "403": _error("bad signature"),
                "404": _error("unknown slug"),
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "ogedge", "version": "1", "description": "Open Graph images without a browser."},
        "paths": {
            "/image-generation/v1/generate": _generate("render a layer request"),
            "/image-generation/v1/render": _generate("render a layer request (older path)"),
            "/og/{name}": og,
            "/healthz": {"get": {"responses": {"200": {"description": "alive"}}}},
        },
        "components": {
            "schemas": {**definitions, "RenderRequest": request, "Success": _SUCCESS, "Error": _ERROR, "Async": _ASYNC},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
