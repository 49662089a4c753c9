"""Where rendered images live: one protocol, and the in-memory and filesystem stores (S3 is in ``s3store``).

Objects are immutable and content-addressed: a key names exactly one rendering, so a write never needs to replace
anything. ``put`` is conditional: it writes only if the key is absent and says whether it wrote. Any failure of the
backing service (timeouts, 5xx, throttling, a full disk) is a ``StoreError``, which callers degrade around.
"""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

IMMUTABLE = "public, max-age=31536000, immutable"


class StoreError(Exception):
    """The store could not answer (the backing service failed); not a property of the request."""


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str


class CacheStore(Protocol):
    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``; raises ``StoreError``."""
        ...

    def get(self, key: str) -> StoredObject | None:
        """The object under ``key``, or None; raises ``StoreError``."""
        ...

    def put(self, key: str, data: bytes, content_type: str) -> bool:
        """Store ``data`` under ``key`` unless something is there already (never clobbers); True if this call wrote
        it. Stored objects carry ``Cache-Control: IMMUTABLE``. Raises ``StoreError``."""
        ...


class MemoryStore:
    """A dict behind a lock: for unit tests and single-process use."""

    def __init__(self) -> None:
        self.objects: dict[str, StoredObject] = {}
        self._lock = threading.Lock()

    def exists(self, key: str) -> bool:
        return key in self.objects

    def get(self, key: str) -> StoredObject | None:
        return self.objects.get(key)

    def put(self, key: str, data: bytes, content_type: str) -> bool:
        with self._lock:
            if key in self.objects:
                return False
            self.objects[key] = StoredObject(data, content_type)
            return True


_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".tif": "image/tiff",
}


class FileStore:
    """Objects as files under ``root``. Writes go to a temporary file in the same folder and are linked into place,
    which fails if the name exists: a reader sees a whole file or none, and a racing writer never clobbers."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()) or not key or key.startswith("/"):
            raise ValueError(f"object key {key!r} leaves the store")
        return path

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def get(self, key: str) -> StoredObject | None:
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(f"cannot read {key}: {exc}") from exc
        return StoredObject(data, _TYPES.get(path.suffix, "application/octet-stream"))

    def put(self, key: str, data: bytes, content_type: str) -> bool:
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.link(tmp, path)
            finally:
                os.unlink(tmp)
        except FileExistsError:
            return False
        except OSError as exc:
            raise StoreError(f"cannot write {key}: {exc}") from exc
        return True
