"""Async layer API requests: a job (the validated request, where to deliver, how to sign), how it runs, and the two
ways it is started: a worker thread locally, or on Lambda an asynchronous invocation of the function itself (so the
201 goes back at once and nothing runs after the response)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from handler.errors import BodyTooLarge
from handler.service import OgService
from handler.settings import Settings
from handler.webhooks import WebhookSender, failure_payload, success_payload
from renderer import RenderError, parse_request

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger("ogedge")
JOB_KEY = "ogedge_job"
LAMBDA_ASYNC_PAYLOAD_LIMIT = 256 * 1024


@dataclass(frozen=True)
class Job:
    request: dict[str, Any]  # the normalised request (JSON form)
    webhook_url: str
    key_index: int | None  # which API key signed the call (the key itself never travels)

    def to_event(self) -> dict[str, Any]:
        return {JOB_KEY: {"request": self.request, "webhook_url": self.webhook_url, "key_index": self.key_index}}

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Job:
        job = event[JOB_KEY]
        return cls(job["request"], job["webhook_url"], job.get("key_index"))


def secret_for(settings: Settings, key_index: int | None) -> str | None:
    """The webhook signing secret: ``OGEDGE_WEBHOOK_SECRET``, else the API key the request came with."""
    if settings.webhook_secret:
        return settings.webhook_secret
    return settings.api_keys[key_index] if key_index is not None and key_index < len(settings.api_keys) else None


def run_job(job: Job, service: OgService, sender: WebhookSender, secret: str | None) -> bool:
    """Render (or find) the image and deliver it, or deliver the failure; True if the webhook took it."""
    try:
        outcome = service.obtain(parse_request(job.request), want_bytes=True)
        assert outcome.data is not None
        data: dict[str, Any] = {"buffer": base64.b64encode(outcome.data).decode(), "mime_type": outcome.mime_type}
        payload = success_payload(data)
    except RenderError as exc:
        payload = failure_payload(str(exc))
    except Exception:
        log.exception("async render failed")
        payload = failure_payload("internal error")
    delivered = sender.deliver(job.webhook_url, payload, secret)
    log.info(json.dumps({"route": "webhook", "delivered": delivered, "success": payload["success"]}))
    return delivered


class Dispatcher(Protocol):
    def submit(self, job: Job) -> None: ...


@dataclass
class ThreadDispatcher:
    """Runs jobs on a small pool of worker threads in this process (``ogedge serve``)."""

    service: OgService
    sender: WebhookSender
    settings: Settings
    pool: ThreadPoolExecutor

    def submit(self, job: Job) -> None:
        self.pool.submit(run_job, job, self.service, self.sender, secret_for(self.settings, job.key_index))


@dataclass
class LambdaDispatcher:
    """Invokes this very function asynchronously with the job as its event."""

    function_name: str
    client: Any = None  # a boto3 Lambda client, built on the first async request of a cold start

    def submit(self, job: Job) -> None:
        payload = json.dumps(job.to_event(), separators=(",", ":")).encode()
        if len(payload) > LAMBDA_ASYNC_PAYLOAD_LIMIT:
            raise BodyTooLarge(
                f"an async request may be at most {LAMBDA_ASYNC_PAYLOAD_LIMIT // 1024} KB here: give images by URL,"
                " or leave out webhook_url"
            )
        if self.client is None:
            import boto3  # noqa: PLC0415 - only on Lambda, only when an async request comes

            self.client = boto3.client("lambda")
        self.client.invoke(FunctionName=self.function_name, InvocationType="Event", Payload=payload)
