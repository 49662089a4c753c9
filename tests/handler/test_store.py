"""The in-memory and filesystem stores: conditional writes that never clobber, atomic files, no escaping."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from handler.store import FileStore, MemoryStore, StoredObject, StoreError


@pytest.fixture(params=["memory", "file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> MemoryStore | FileStore:
    return MemoryStore() if request.param == "memory" else FileStore(tmp_path / "store")


def test_round_trip(store: MemoryStore | FileStore) -> None:
    assert not store.exists("img/a.png")
    assert store.get("img/a.png") is None
    assert store.put("img/a.png", b"png bytes", "image/png")
    assert store.exists("img/a.png")
    assert store.get("img/a.png") == StoredObject(b"png bytes", "image/png")


def test_a_second_write_never_clobbers(store: MemoryStore | FileStore) -> None:
    assert store.put("img/a.png", b"first", "image/png")
    assert not store.put("img/a.png", b"second", "image/png")
    found = store.get("img/a.png")
    assert found is not None
    assert found.data == b"first"


def test_racing_writers_store_one_object(store: MemoryStore | FileStore) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(16)

    def write(i: int) -> None:
        barrier.wait()
        results.append(store.put("img/race.png", f"writer {i}".encode(), "image/png"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    found = store.get("img/race.png")
    assert found is not None
    assert found.data.startswith(b"writer ")


def test_files_leave_no_temporaries_behind(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.put("img/a.png", b"x" * 100_000, "image/png")
    store.put("img/a.png", b"y", "image/png")
    assert sorted(p.name for p in (tmp_path / "img").iterdir()) == ["a.png"]


@pytest.mark.parametrize("key", ["../outside.png", "/etc/passwd", "img/../../x.png", ""])
def test_keys_cannot_leave_the_store(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="leaves the store"):
        FileStore(tmp_path / "store").put(key, b"x", "image/png")


def test_an_unwritable_folder_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        FileStore(blocker).put("img/a.png", b"x", "image/png")
