from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest

from handler.s3site import parse_s3_url, s3_reader


class FakeS3:
    def __init__(self) -> None:
        self.body, self.etag, self.gets, self.failure = b'{"templates": {}}', '"v1"', 0, None

    def head_object(self, **kw: Any) -> dict[str, Any]:
        if self.failure:
            raise self.failure
        return {"ETag": self.etag}

    def get_object(self, **kw: Any) -> dict[str, Any]:
        self.gets += 1
        return {"Body": BytesIO(self.body), "ETag": self.etag}


def test_the_body_is_read_only_when_the_etag_changes() -> None:
    s3 = FakeS3()
    read = s3_reader(s3, "s3://bucket/site.json")
    assert read(None) == (s3.body, '"v1"')
    assert read('"v1"') == (None, '"v1"')
    assert s3.gets == 1
    s3.body, s3.etag = b'{"templates": {"a": {}}}', '"v2"'
    assert read('"v1"') == (s3.body, '"v2"')


@pytest.mark.parametrize("failure", [TypeError("a parser bug"), ConnectionError("reset")])
def test_any_failure_is_an_os_error(failure: Exception) -> None:
    s3 = FakeS3()
    s3.failure = failure  # type: ignore[assignment]
    with pytest.raises(OSError, match=r"s3://bucket/site.json"):
        s3_reader(s3, "s3://bucket/site.json")(None)


def test_s3_urls() -> None:
    assert parse_s3_url("s3://bucket/config/site.json") == ("bucket", "config/site.json")


@pytest.mark.parametrize("url", ["s3://bucket", "s3:///key", "bucket/key"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(ValueError, match="not an s3://bucket/key URL"):
        parse_s3_url(url)
