"""The ``ogedge`` command: ``render`` one request, ``serve`` the app on the embedded default, ``sign`` a URL."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from handler.build import Page, build, plan, site_pages
from handler.content import content_mapping, load_content
from handler.fetch import HttpsFetcher
from handler.meta import meta_tags
from handler.settings import Settings, SettingsError
from handler.signing import signed_query
from handler.site import Site, SiteError
from handler.warm import WARM_RECORD, LambdaInvoker, merged_site, publish, warm
from renderer import InvalidRequest, RenderError, render

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
_EXTENSIONS = {"jpeg": "jpg", "tiff": "tif"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ogedge", description="Open Graph images, rendered without a browser.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    render_cmd = verbs.add_parser("render", help="render one layer request (JSON) to an image file")
    render_cmd.add_argument("request", help="the layer request, a JSON file ('-' reads standard input)")
    render_cmd.add_argument("-o", "--out", help="where to write the image (default: beside the request)")
    serve = verbs.add_parser("serve", help="serve /og/<slug>.png locally with the filesystem store")
    serve.add_argument("--site", help="the site file (templates and pages); default $OGEDGE_SITE")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--store", help="folder of the filesystem store (default $OGEDGE_STORE_DIR or .ogedge/)")
    serve.add_argument("--no-auth", action="store_true", help="allow the layer API without a key (local use only)")
    serve.add_argument("--no-playground", action="store_true", help="no /playground (default: $OGEDGE_PLAYGROUND, on)")
    build = verbs.add_parser("build", help="render every page of a site into a folder, incrementally")
    build.add_argument("site", help="the site file (templates and pages)")
    build.add_argument("--out", required=True, help="the folder to write <slug>.<ext> and og-manifest.json into")
    build.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPUs)")
    build.add_argument("--format", default="png", choices=["png", "jpeg", "webp", "avif"], help="image format")
    build.add_argument("--content", help="a folder of Markdown files with front matter: more pages")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    meta = verbs.add_parser("meta", help="print the og:/twitter: meta tags of a page (or of --all pages)")
    meta.add_argument("slug", nargs="?", help="the page")
    meta.add_argument("--all", action="store_true", help="every page of the site")
    meta.add_argument("--site", help="the site file; default $OGEDGE_SITE")
    meta.add_argument("--content", help="a content folder, as for build")
    meta.add_argument("--base-url", help="where /og/<slug>.<ext> is served (https); default $OGEDGE_CDN_URL")
    meta.add_argument("--format", default="png", choices=["png", "jpeg", "webp"], help="image format")
    publish = verbs.add_parser("publish", help="upload the site file where the deployed function reads it")
    publish.add_argument("site", help="the site file")
    publish.add_argument("--content", help="a content folder whose pages are merged in")
    publish.add_argument("--to", help="s3://bucket/key (default $OGEDGE_SITE)")
    warm_cmd = verbs.add_parser("warm", help="render all (or changed) pages ahead of time on the deployed function")
    warm_cmd.add_argument("--site", help="the site file; default $OGEDGE_SITE when it is a path")
    warm_cmd.add_argument("--content", help="a content folder, as for build")
    warm_cmd.add_argument("--function", help="the function's name or ARN (default $OGEDGE_FUNCTION)")
    warm_cmd.add_argument("--changed", action="store_true", help="only pages whose key changed since the last warm")
    warm_cmd.add_argument("--batch", type=int, default=25, help="pages per invocation (default 25)")
    warm_cmd.add_argument("--concurrency", type=int, default=4, help="invocations at once (default 4)")
    sign = verbs.add_parser("sign", help="print a signed /og/ URL (query: template=...&name=value...)")
    sign.add_argument("url", help="e.g. '/og/hello.png?template=blog&title=Hello' or a full URL")
    sign.add_argument("--key", help="signing key (default: the first of $OGEDGE_SIGNING_KEYS)")
    crop = verbs.add_parser("crop", help="print where smart cropping would cut a photo for a target size")
    crop.add_argument("photo", help="the photo (any format Pillow reads; EXIF orientation is applied)")
    crop.add_argument("--width", type=_side, required=True, help="target width in px (sets the aspect ratio)")
    crop.add_argument("--height", type=_side, required=True, help="target height in px")
    crop.add_argument("--debug", metavar="OUT.png", help="also write the photo with what the analysis saw drawn on it")
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
    fetch = HttpsFetcher(settings.https_client())
    try:
        image = render(data, fetch=fetch, options=settings.render_options())
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


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from handler import logs  # noqa: PLC0415
    from handler.app import create_app  # noqa: PLC0415
    from handler.main import build_deps  # noqa: PLC0415

    settings = replace(settings, **{k: v for k, v in {"site": args.site, "store_dir": args.store}.items() if v})
    playground = not args.no_playground and settings.playground is not False  # on unless turned off
    settings = replace(settings, store_dir=Path(settings.store_dir), api_no_auth=args.no_auth, playground=playground)
    logs.configure()
    deps = build_deps(settings, serve_objects=True)
    try:
        site = deps.site.current()
    except SiteError as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    base = f"http://{args.host}:{args.port}"
    print(f"ogedge serving {base} (site: {settings.site or 'none'}, store: {settings.store_dir}/)")
    for slug in list(site.pages)[:3]:
        print(f"  {base}/og/{slug}.png")
    if playground:
        print(f"  playground: {base}/playground")
    uvicorn.run(create_app(deps), host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def cmd_sign(args: argparse.Namespace, settings: Settings) -> int:
    key = args.key or (settings.signing_keys[0] if settings.signing_keys else None)
    if not key:
        return _fail("no signing key: pass --key or set OGEDGE_SIGNING_KEYS", EXIT_BAD_INPUT)
    parts = urlsplit(args.url)
    if not parts.path.startswith("/og/"):
        return _fail("the URL's path must start with /og/", EXIT_BAD_INPUT)
    query = signed_query(key, parts.path, parse_qsl(parts.query, keep_blank_values=True))
    print(urlunsplit(parts._replace(query=query)))
    return EXIT_OK


def _pages(site_path: str | None, content: str | None) -> tuple[Site, list[Page], int]:
    """The site and its pages (with a content folder's); problems are printed; the status to exit with."""
    if not site_path:
        raise SystemExit(_fail("no site file: pass it, or set OGEDGE_SITE", EXIT_BAD_INPUT))
    try:
        site = Site.parse(Path(site_path).read_bytes(), site_path)
    except (OSError, SiteError) as exc:
        raise SystemExit(_fail(str(exc), EXIT_BAD_INPUT)) from None
    pages = {page.slug: page for page in site_pages(site)}
    status = EXIT_OK
    if content:
        try:
            mapping = content_mapping(site)
        except ValueError as exc:
            raise SystemExit(_fail(str(exc), EXIT_BAD_INPUT)) from None
        found, problems = load_content(Path(content), mapping)
        for problem in problems:
            print(f"ogedge: skipped {problem}", file=sys.stderr)
        status = EXIT_FAILED if problems else EXIT_OK
        pages.update({p.slug: Page(p.slug, p.template, p.vars) for p in found})
    return site, list(pages.values()), status


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    site, pages, status = _pages(args.site, args.content)
    report = build(
        site,
        pages,
        Path(args.out),
        settings,
        workers=max(1, args.workers),
        fmt=args.format,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    for slug, reason in report.failed:
        print(f"ogedge: {slug}: {reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_FAILED if report.failed else status


def cmd_meta(args: argparse.Namespace, settings: Settings) -> int:
    base = (args.base_url or settings.cdn_url or "").rstrip("/")
    if not base.startswith("https://"):
        return _fail(
            "og:image must be an absolute https URL: pass --base-url https://... or set OGEDGE_CDN_URL", EXIT_BAD_INPUT
        )
    site, pages, status = _pages(args.site or settings.site, args.content)
    if not args.all:
        pages = [p for p in pages if p.slug == args.slug]
        if not pages:
            return _fail(f"no page {args.slug!r} in the site" if args.slug else "name a page, or --all", EXIT_BAD_INPUT)
    planned, failed = plan(site, pages, args.format)
    for item in planned:
        if args.all:
            print(f"<!-- {item.slug} -->")
        url = f"{base}/og/{item.file}"
        print("\n".join(meta_tags(url, item.mime_type, item.width, item.height, item.alt)))
    for slug, reason in failed:
        print(f"ogedge: {slug}: {reason}", file=sys.stderr)
    return EXIT_FAILED if failed else status


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    destination = args.to or settings.site or ""
    if not destination.startswith("s3://"):
        return _fail("say where: --to s3://bucket/key (or set OGEDGE_SITE to one)", EXIT_BAD_INPUT)
    site, pages, status = _pages(args.site, args.content)
    from handler.s3store import make_s3_client  # noqa: PLC0415 - boto3 only for this verb

    try:
        etag = publish(merged_site(site, pages), destination, make_s3_client())
    except Exception as exc:  # boto3 and the network: report, don't trace
        return _fail(f"cannot upload to {destination}: {exc}", EXIT_FAILED)
    print(f"published {len(pages)} pages to {destination} {etag}")
    return status


def cmd_warm(args: argparse.Namespace, settings: Settings) -> int:
    function = args.function or os.environ.get("OGEDGE_FUNCTION", "")
    if not function:
        return _fail("name the deployed function: --function NAME (or set OGEDGE_FUNCTION)", EXIT_BAD_INPUT)
    site_path = args.site or (settings.site if settings.site and not settings.site.startswith("s3://") else None)
    site, pages, status = _pages(site_path, args.content)
    import boto3  # noqa: PLC0415 - only for this verb

    invoker = LambdaInvoker(boto3.client("lambda"), function)
    report = warm(
        site,
        pages,
        invoker,
        batch=args.batch,
        concurrency=args.concurrency,
        changed_only=args.changed,
        record=settings.store_dir / WARM_RECORD,
        progress=sys.stderr.isatty(),
    )
    for slug, reason in report.failed:
        print(f"ogedge: {slug}: {reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_FAILED if report.failed else status


def _side(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 100_000:
        raise argparse.ArgumentTypeError(f"must be between 1 and 100000, not {value}")
    return value


def cmd_crop(args: argparse.Namespace, settings: Settings) -> int:
    from renderer import cropdebug, smartcrop  # noqa: PLC0415 - only this verb analyses photos
    from renderer.decode import decode  # noqa: PLC0415

    try:
        data = Path(args.photo).read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.photo}: {exc.strerror or exc}", EXIT_BAD_INPUT)
    try:  # a target larger than any photo: no JPEG draft scaling, so the box is in the photo's own pixels
        photo = decode(data, settings.max_source_pixels, (1 << 30, 1 << 30), "photo")
    except RenderError as exc:
        return _fail(f"{args.photo}: {exc.message}", EXIT_FAILED)
    findings = smartcrop.analyse(photo)
    box = smartcrop.choose(findings, args.width, args.height)
    print(f"{box.left} {box.top} {box.right} {box.bottom}")
    subject = findings.subject
    placed = "centred: nothing stands out"
    if subject is not None:
        placed = f"on the {subject.kind} at " + " ".join(str(round(v)) for v in subject.box)
    print(f"{box.width}x{box.height} of the {photo.width}x{photo.height} photo, {placed}")
    if args.debug:
        try:
            cropdebug.debug_image(photo, findings, box).save(args.debug)
        except (OSError, ValueError) as exc:  # Pillow: ValueError for an extension it cannot write
            return _fail(f"cannot write {args.debug}: {exc}", EXIT_FAILED)
        print(f"wrote {args.debug}")
    return EXIT_OK


_VERBS = {
    "render": cmd_render,
    "serve": cmd_serve,
    "sign": cmd_sign,
    "build": cmd_build,
    "meta": cmd_meta,
    "publish": cmd_publish,
    "warm": cmd_warm,
    "crop": cmd_crop,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    return _VERBS[args.verb](args, settings)


if __name__ == "__main__":
    sys.exit(main())
