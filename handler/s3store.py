"""The S3 store: ``CacheStore`` over an injected boto3 S3 client, and the one place that client is built.

boto3 is slow to import, so nothing here imports it (or botocore) at module level: ``make_s3_client`` imports it
when the composition root calls it, and the botocore exception classes are looked up only when a call has failed.
"""

from __future__ import annotations

from typing import Any

from handler.store import IMMUTABLE, StoredObject, StoreError

# Error codes as botocore reports them: the S3 ``Code`` from the XML body, or the bare status for a body-less HEAD.
_MISSING = frozenset({"NoSuchKey", "NotFound", "404"})
_TAKEN = frozenset({"PreconditionFailed", "412", "ConditionalRequestConflict"})
_UNSUPPORTED = frozenset({"NotImplemented", "501"})


def make_s3_client(connect_timeout_s: float = 2.0, read_timeout_s: float = 5.0, max_attempts: int = 3) -> Any:
    """An S3 client for ``S3Store``: SigV4, short timeouts, standard retries with ``max_attempts`` attempts in all.

    Build it once per process. Region, credentials and the endpoint come from boto3's usual sources, so a local
    server is reached by setting ``AWS_ENDPOINT_URL_S3``; path-style addressing keeps such servers working.
    """
    import boto3  # noqa: PLC0415  (cold start: only when a client is built)
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        signature_version="s3v4",
        connect_timeout=connect_timeout_s,
        read_timeout=read_timeout_s,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        s3={"addressing_style": "path"},
    )
    return boto3.session.Session().client("s3", config=config)


def _failures() -> tuple[type[Exception], ...]:
    """What a botocore call raises when the service or the network fails (evaluated only after a failure)."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    return ClientError, BotoCoreError


def _code(exc: Exception) -> str:
    """The S3 error code of a service error ("NoSuchKey", "412", ...); empty for transport errors."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code or str(status or "")


class S3Store:
    """Objects in one S3 bucket, written with ``Cache-Control: IMMUTABLE`` and their content type.

    ``client`` is a boto3 S3 client (see ``make_s3_client``), injected so that it is built once and tests can stub it.
    A missing bucket is a ``StoreError`` on ``get``/``put``; ``exists`` cannot tell it from a missing key (HEAD has no
    body) and answers False. The role needs ``s3:ListBucket`` on the bucket as well as ``s3:GetObject`` and
    ``s3:PutObject``: without it S3 answers 403 rather than 404 for a missing key, which is a ``StoreError`` here.
    """

    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except _failures() as exc:
            if _code(exc) in _MISSING:
                return False
            raise self._error("check", key, exc) from exc
        return True

    def get(self, key: str) -> StoredObject | None:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
            data: bytes = response["Body"].read()
        except _failures() as exc:
            if _code(exc) in _MISSING:
                return None
            raise self._error("read", key, exc) from exc
        return StoredObject(data, str(response.get("ContentType") or "application/octet-stream"))

    def put(self, key: str, data: bytes, content_type: str) -> bool:
        """Write ``data`` under ``key`` only if nothing is there; True if this call wrote it.

        A HEAD comes first, and a key already there is answered False without sending the body. Then the write is
        conditional (``If-None-Match: *``), so of writers racing past the HEAD exactly one wins and nothing is
        clobbered: 412 Precondition Failed means another writer got there first, and so does 409
        ConditionalRequestConflict (a concurrent write of the key was in flight); both are answered False.

        The HEAD is what keeps servers that accept ``If-None-Match`` and ignore it (``rclone serve s3`` 1.75) from
        replacing an object. A server that refuses it (501 Not Implemented) gets a plain PUT. On either kind two
        writers racing past the HEAD may both write and both answer True: keys are content hashes, so both wrote the
        same bytes and the stored object is the same either way.
        """
        if self.exists(key):
            return False
        try:
            self._put(key, data, content_type, IfNoneMatch="*")
        except _failures() as exc:
            code = _code(exc)
            if code in _TAKEN:
                return False
            if code not in _UNSUPPORTED:
                raise self._error("write", key, exc) from exc
            self._put_unconditionally(key, data, content_type)
        return True

    def _put_unconditionally(self, key: str, data: bytes, content_type: str) -> None:
        try:
            self._put(key, data, content_type)
        except _failures() as exc:
            raise self._error("write", key, exc) from exc

    def _put(self, key: str, data: bytes, content_type: str, **condition: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, CacheControl=IMMUTABLE, **condition
        )

    def _error(self, action: str, key: str, exc: Exception) -> StoreError:
        return StoreError(f"cannot {action} {key} in s3://{self.bucket}: {exc}")
