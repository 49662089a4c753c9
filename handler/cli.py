"""The ``ogedge`` command. Verbs: ``render`` (more arrive with the product: serve, build, meta, sign, crop, ...)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from handler.fetch import HttpsFetcher
from handler.settings import Settings, SettingsError
from renderer import InvalidRequest, RenderError, RenderOptions, render

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
_EXTENSIONS = {"jpeg": "jpg", "tiff": "tif"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ogedge", description="Open Graph images, rendered without a browser.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    render_cmd = verbs.add_parser("render", help="render one layer request (JSON) to an image file")
    render_cmd.add_argument("request", help="the layer request, a JSON file ('-' reads standard input)")
    render_cmd.add_argument("-o", "--out", help="where to write the image (default: beside the request)")
    return parser


def _read_request(source: str) -> Any:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(_fail(f"cannot read {source}: {exc.strerror or exc}", EXIT_BAD_INPUT)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(_fail(f"{source} is not valid JSON: {exc}", EXIT_BAD_INPUT)) from None


def _fail(message: str, status: int) -> int:
    print(f"ogedge: {message}", file=sys.stderr)
    return status


def _default_out(source: str, fmt: str) -> Path:
    stem = "ogedge" if source == "-" else Path(source).stem
    return Path(f"{stem}.{_EXTENSIONS.get(fmt, fmt)}")


def cmd_render(args: argparse.Namespace, settings: Settings) -> int:
    data = _read_request(args.request)
    fetch = HttpsFetcher(settings.fetch_timeout_s, settings.fetch_max_bytes)
    try:
        image = render(data, fetch=fetch, options=RenderOptions(max_source_pixels=settings.max_source_pixels))
    except InvalidRequest as exc:
        for problem in exc.problems:
            print(f"ogedge: invalid request: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RenderError as exc:
        return _fail(str(exc), EXIT_FAILED)
    for warning in image.warnings:
        print(f"ogedge: warning: {warning}", file=sys.stderr)
    out = Path(args.out) if args.out else _default_out(args.request, image.mime_type.split("/")[1])
    out.write_bytes(image.data)
    print(f"wrote {out} ({image.width}x{image.height} {image.mime_type}, {len(image.data)} bytes)")
    return EXIT_OK


_VERBS = {"render": cmd_render}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    return _VERBS[args.verb](args, settings)


if __name__ == "__main__":
    sys.exit(main())
