"""Reading the site file from ``s3://bucket/key``, cheaply when it has not changed (conditional GET on the ETag)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def parse_s3_url(url: str) -> tuple[str, str]:
    bucket, _, key = url.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise ValueError(f"{url!r} is not an s3://bucket/key URL")
    return bucket, key


def s3_reader(client: Any, url: str) -> Callable[[str | None], tuple[bytes | None, str]]:
    bucket, key = parse_s3_url(url)

    def read(last: str | None) -> tuple[bytes | None, str]:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 - boto is loaded lazily

        try:
            extra = {"IfNoneMatch": last} if last else {}
            response = client.get_object(Bucket=bucket, Key=key, **extra)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("304", "NotModified") and last is not None:
                return None, last
            raise OSError(f"s3://{bucket}/{key}: {code or exc}") from None
        except BotoCoreError as exc:
            raise OSError(f"s3://{bucket}/{key}: {exc}") from None
        return response["Body"].read(), str(response.get("ETag", ""))

    return read
