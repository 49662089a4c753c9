"""Reading the site file from ``s3://bucket/key``, cheaply when it has not changed (a HEAD compares the ETag; the
body is read only when it differs). Any failure is an ``OSError``, so the last good site keeps serving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def parse_s3_url(url: str) -> tuple[str, str]:
    if not url.startswith("s3://"):
        raise ValueError(f"{url!r} is not an s3://bucket/key URL")
    bucket, _, key = url.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise ValueError(f"{url!r} is not an s3://bucket/key URL")
    return bucket, key


def s3_reader(client: Any, url: str) -> Callable[[str | None], tuple[bytes | None, str]]:
    bucket, key = parse_s3_url(url)

    def read(last: str | None) -> tuple[bytes | None, str]:
        try:
            tag = str(client.head_object(Bucket=bucket, Key=key).get("ETag", ""))
            if last is not None and tag == last:
                return None, last
            response = client.get_object(Bucket=bucket, Key=key)
            return response["Body"].read(), str(response.get("ETag", tag))
        except Exception as exc:  # botocore's ClientError, BotoCoreError, and its own parsing failures alike
            raise OSError(f"s3://{bucket}/{key}: {exc}") from None

    return read
