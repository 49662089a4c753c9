"""``ogedge build``: every page of a site rendered to ``<out>/<slug>.<ext>`` by worker processes, incrementally.

``<out>/og-manifest.json`` maps each slug to its file, blake3 key, size, type and alt text. A page whose key is
unchanged (and whose file is there) is skipped; files of pages that are gone are removed. Files are written to a
temporary name and renamed, so a reader never sees half an image.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from handler.fetch import HttpsFetcher
from handler.meta import alt_text
from handler.service import FILE_EXTENSIONS
from handler.settings import Settings
from handler.site import MissingVariable, Scalar, Site, UnknownTemplate
from renderer import Fetch, RenderError, RenderOptions, parse_request, render
from renderer.encode import MIME_TYPES
from renderer.fingerprint import fingerprint

MANIFEST = "og-manifest.json"


@dataclass(frozen=True)
class Page:
    slug: str
    template: str
    vars: dict[str, Scalar]


@dataclass(frozen=True)
class Planned:
    slug: str
    request: dict[str, Any]  # validated and normalised, JSON form (what a worker process receives)
    key: str
    file: str
    width: int
    height: int
    mime_type: str
    alt: str

    def entry(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "key": self.key,
            "width": self.width,
            "height": self.height,
            "mime_type": self.mime_type,
            "alt": self.alt,
        }


@dataclass
class BuildReport:
    rendered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"rendered {len(self.rendered)}, unchanged {len(self.unchanged)}, removed {len(self.removed)}, "
            f"failed {len(self.failed)} in {self.seconds:.1f} s"
        )


def site_pages(site: Site) -> list[Page]:
    return [Page(slug, page.template, dict(page.vars)) for slug, page in site.pages.items()]


def plan(site: Site, pages: Iterable[Page], fmt: str) -> tuple[list[Planned], list[tuple[str, str]]]:
    """Each page filled, validated and keyed; the pages that cannot be, with the reason."""
    planned: list[Planned] = []
    failed: list[tuple[str, str]] = []
    for page in pages:
        try:
            data = site.request_for(page.template, page.vars)
            request = parse_request({**data, "output_format": fmt} if isinstance(data, dict) else data)
        except (RenderError, MissingVariable, UnknownTemplate) as exc:
            failed.append((page.slug, str(exc)))
            continue
        size = request.dimensions
        planned.append(
            Planned(
                page.slug,
                request.model_dump(mode="json"),
                fingerprint(request),
                f"{page.slug}.{FILE_EXTENSIONS[request.output_format]}",
                size.width_in_px,
                size.height_in_px,
                MIME_TYPES[request.output_format],
                alt_text(request),
            )
        )
    return planned, failed


def read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    try:
        pages = json.loads((out / MANIFEST).read_text())["pages"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return pages if isinstance(pages, dict) else {}


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- worker processes ------------------------------------------------------------------------------------------

_worker: tuple[Fetch, RenderOptions] | None = None


def _start_worker(settings: Settings) -> None:
    global _worker  # noqa: PLW0603 - one per worker process
    _worker = (HttpsFetcher(settings.https_client()), settings.render_options())


def _render_to(request: dict[str, Any], target: str) -> str | None:
    """Render one page into ``target``; None, or why it failed."""
    assert _worker is not None
    fetch, options = _worker
    try:
        image = render(request, fetch=fetch, options=options)
    except RenderError as exc:
        return str(exc)
    _write_atomically(Path(target), image.data)
    return None


def _render_all(todo: list[Planned], out: Path, workers: int, settings: Settings, progress: bool) -> dict[str, str]:
    failures: dict[str, str] = {}
    bar = tqdm(total=len(todo), unit="page", disable=not progress, desc="ogedge build")
    if workers <= 1:
        _start_worker(settings)
        for item in todo:
            if error := _render_to(item.request, str(out / item.file)):
                failures[item.slug] = error
            bar.update()
    else:
        with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(settings,)) as pool:
            futures: dict[Future[str | None], str] = {
                pool.submit(_render_to, item.request, str(out / item.file)): item.slug for item in todo
            }
            for future, slug in futures.items():
                if error := future.result():
                    failures[slug] = error
                bar.update()
    bar.close()
    return failures


def build(
    site: Site,
    pages: Iterable[Page],
    out: Path,
    settings: Settings,
    *,
    workers: int = 1,
    fmt: str = "png",
    progress: bool = False,
) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    planned, report.failed = plan(site, pages, fmt)
    old = read_manifest(out)
    todo = [p for p in planned if old.get(p.slug, {}).get("key") != p.key or not (out / p.file).is_file()]
    report.unchanged = [p.slug for p in planned if p not in todo]
    failures = _render_all(todo, out, workers, settings, progress)
    report.failed += sorted(failures.items())
    report.rendered = [p.slug for p in todo if p.slug not in failures]
    current = {p.slug: p.entry() for p in planned if p.slug not in failures}
    failed = {slug for slug, _ in report.failed}
    for slug, entry in old.items():
        if slug in failed:  # a page that failed now keeps its last good image
            current[slug] = entry
            continue
        stale = slug not in current or current[slug]["file"] != entry.get("file")
        if stale and isinstance(entry.get("file"), str) and ".." not in entry["file"]:
            (out / entry["file"]).unlink(missing_ok=True)
            if slug not in current:
                report.removed.append(slug)
    manifest = {"version": 1, "pages": dict(sorted(current.items()))}
    _write_atomically(out / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
    report.seconds = time.perf_counter() - started
    return report
