"""For large sites on AWS: ``ogedge publish`` puts the site file (with any content folder's pages merged in) where
the deployed function reads it, and ``ogedge warm`` renders all (or the changed) pages ahead of time through direct
invocations of the function, in concurrent batches, reporting progress and failures.

The invoker is injected: ``LambdaInvoker`` calls the deployed function; ``LocalInvoker`` calls a handler in this
process (the same code path, for tests and for checking a build before deploying)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from handler.build import Page, plan
from handler.s3site import parse_s3_url
from handler.site import Site

WARM_RECORD = "warm.json"


class Invoker(Protocol):
    def invoke(self, event: Mapping[str, Any]) -> dict[str, Any]: ...


@dataclass
class LambdaInvoker:
    client: Any  # boto3 Lambda client
    function: str

    def invoke(self, event: Mapping[str, Any]) -> dict[str, Any]:
        response = self.client.invoke(
            FunctionName=self.function, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
        )
        payload = json.loads(response["Payload"].read() or b"{}")
        if response.get("FunctionError"):
            message = payload.get("errorMessage", "the function failed") if isinstance(payload, dict) else payload
            raise RuntimeError(str(message))
        return dict(payload)


@dataclass
class LocalInvoker:
    handler: Callable[[Any, Any], Any]

    def invoke(self, event: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self.handler(dict(event), None))


@dataclass
class WarmReport:
    warmed: list[str] = field(default_factory=list)
    hits: int = 0
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"warmed {len(self.warmed)} ({self.hits} already stored), skipped {len(self.skipped)} unchanged, "
            f"failed {len(self.failed)}"
        )


def merged_site(site: Site, pages: Iterable[Page]) -> dict[str, Any]:
    """The site file as the function reads it: its own pages and a content folder's."""
    data = site.model_dump(mode="json", exclude_none=True)
    data["pages"] = {p.slug: {"template": p.template, "vars": p.vars} for p in pages}
    data.pop("content", None)
    return data


def publish(site_json: Mapping[str, Any], destination: str, client: Any) -> str:
    bucket, key = parse_s3_url(destination)
    body = json.dumps(site_json, ensure_ascii=False, indent=1).encode()
    response = client.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")
    return str(response.get("ETag", ""))


def _batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def warm(
    site: Site,
    pages: list[Page],
    invoker: Invoker,
    *,
    batch: int = 25,
    concurrency: int = 4,
    record: Path | None = None,
    changed_only: bool = False,
    progress: bool = False,
) -> WarmReport:
    """Send every page (or, with ``changed_only``, those whose key differs from the last warm) to the function."""
    report = WarmReport()
    planned, report.failed = plan(site, pages, "png")
    last: dict[str, str] = {}
    if record is not None and record.is_file():
        last = json.loads(record.read_text()).get("keys", {})
    keys = {p.slug: p.key for p in planned}
    todo = [slug for slug in keys if not (changed_only and last.get(slug) == keys[slug])]
    report.skipped = [slug for slug in keys if slug not in todo]
    bar = tqdm(total=len(todo), unit="page", disable=not progress, desc="ogedge warm")

    def send(slugs: list[str]) -> list[dict[str, Any]]:
        try:
            results = invoker.invoke({"slugs": slugs}).get("results", [])
        except Exception as exc:  # the whole batch failed (throttling, a timeout): report every page of it
            results = [{"slug": s, "success": False, "error": str(exc)} for s in slugs]
        bar.update(len(slugs))
        return list(results)

    with ThreadPoolExecutor(max(1, concurrency)) as pool:
        for results in pool.map(send, _batches(todo, max(1, batch))):
            for result in results:
                if result.get("success"):
                    report.warmed.append(result["slug"])
                    report.hits += result.get("cache") == "hit"
                else:
                    report.failed.append((str(result.get("slug")), str(result.get("error"))))
    bar.close()
    if record is not None:
        done = {slug: keys[slug] for slug in report.warmed} | {s: last[s] for s in report.skipped if s in last}
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({"keys": done}, indent=1))
    return report
