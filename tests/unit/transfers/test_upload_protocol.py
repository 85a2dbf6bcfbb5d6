"""The chunk protocol of uploads: offsets, resume, refusals, CRC-32 per chunk, md5, disk full, cancel."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sys
import threading
import zlib
from pathlib import Path

import pytest

from colab_panel.errors import TransferError, UploadOffsetMismatch
from colab_panel.transfers import md5_follower
from colab_panel.transfers import upload as upload_module
from colab_panel.transfers.upload import PARTS_DIR, UploadStore

DATA = os.urandom(1000)


def _send(store: UploadStore, upload_id: str, data: bytes, start: int, chunk: int) -> None:
    for offset in range(start, len(data), chunk):
        store.write_chunk(upload_id, offset, data[offset:offset + chunk], crc32=zlib.crc32(data[offset:offset + chunk]))


def test_chunks_in_order_make_the_file_with_its_md5(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "sub/a.bin", size_bytes=len(DATA), last_modified_ms=5)
    assert up.committed_bytes == 0 and not up.done
    _send(store, up.id, DATA, 0, 300)
    done = store.wait_for_md5(up.id, 10)
    assert done.done and done.md5 == hashlib.md5(DATA).hexdigest() and done.md5_error is None
    assert (tmp_path / "sub" / "a.bin").read_bytes() == DATA
    assert not (tmp_path / PARTS_DIR).exists()  # nothing of the upload's own is left


def test_a_half_file_never_appears_under_its_name(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    store.write_chunk(up.id, 0, DATA[:400])
    assert not (tmp_path / "a.bin").exists()


def test_out_of_order_and_duplicate_chunks_are_refused_with_the_offset(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    store.write_chunk(up.id, 0, DATA[:400])
    with pytest.raises(UploadOffsetMismatch) as ahead:
        store.write_chunk(up.id, 800, DATA[800:])
    assert ahead.value.committed_bytes == 400
    with pytest.raises(UploadOffsetMismatch) as again:
        store.write_chunk(up.id, 0, DATA[:400])  # sent twice (its answer was lost)
    assert again.value.committed_bytes == 400
    _send(store, up.id, DATA, 400, 400)
    assert (tmp_path / "a.bin").read_bytes() == DATA


@pytest.mark.parametrize("arrived", [bytes([DATA[0] ^ 0xFF]) + DATA[1:400], DATA[:399] + bytes([DATA[399] ^ 1]), DATA[:200]],
                         ids=["first byte changed", "one bit flipped", "cut short"])
def test_a_damaged_chunk_is_not_committed_and_can_be_sent_again(tmp_path: Path, arrived: bytes):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    with pytest.raises(TransferError, match="damaged"):
        store.write_chunk(up.id, 0, arrived, crc32=zlib.crc32(DATA[:400]))  # the browser's CRC of what it read
    assert store.status(up.id).committed_bytes == 0
    assert store.begin(tmp_path, "a.bin", size_bytes=len(DATA)).committed_bytes == 0  # a reload resumes at 0
    _send(store, up.id, DATA, 0, 400)  # sent again whole: neither file nor md5 holds the refused bytes
    assert (tmp_path / "a.bin").read_bytes() == DATA
    assert store.wait_for_md5(up.id, 10).md5 == hashlib.md5(DATA).hexdigest()


def test_a_damaged_last_chunk_leaves_no_file_under_its_name(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    store.write_chunk(up.id, 0, DATA[:600])
    with pytest.raises(TransferError, match="damaged"):
        store.write_chunk(up.id, 600, DATA[600:999] + b"?", crc32=zlib.crc32(DATA[600:]))
    assert not (tmp_path / "a.bin").exists() and store.status(up.id).committed_bytes == 600


def test_a_newer_request_supersedes_one_still_arriving_which_then_writes_nothing(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    stale = DATA[:100] + b"\0" * 300  # what a hung connection would still deliver, were it allowed

    def hung_connection():
        yield memoryview(stale[:100])
        # the page gave up on this connection and sent the chunk again, which commits first
        store.write_chunk(up.id, 0, DATA[:400], crc32=zlib.crc32(DATA[:400]))
        yield memoryview(stale[100:])

    with pytest.raises(UploadOffsetMismatch) as superseded:
        store.receive_chunk(up.id, 0, 400, hung_connection(), crc32=zlib.crc32(stale))
    assert superseded.value.committed_bytes == 400
    _send(store, up.id, DATA, 400, 300)
    assert (tmp_path / "a.bin").read_bytes() == DATA


def test_a_new_process_resumes_where_the_last_one_committed(tmp_path: Path):
    first = UploadStore()
    up = first.begin(tmp_path, "a.bin", size_bytes=len(DATA), last_modified_ms=7)
    first.write_chunk(up.id, 0, DATA[:600])
    # bytes written past the last acknowledged chunk (a write the answer never went out for)
    with open(tmp_path / PARTS_DIR / f"{up.id}.part", "ab") as part:
        part.write(b"junk")
    second = UploadStore()  # a restarted kernel, or a reloaded page asking again
    again = second.begin(tmp_path, "a.bin", size_bytes=len(DATA), last_modified_ms=7)
    assert again.id == up.id and again.committed_bytes == 600
    _send(second, again.id, DATA, 600, 300)
    done = second.wait_for_md5(up.id, 10)  # the first 600 bytes hashed from disk, the rest as written
    assert done.md5 == hashlib.md5(DATA).hexdigest()
    assert (tmp_path / "a.bin").read_bytes() == DATA


def test_a_changed_file_starts_over(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA), last_modified_ms=7)
    store.write_chunk(up.id, 0, DATA[:600])
    other = store.begin(tmp_path, "a.bin", size_bytes=len(DATA), last_modified_ms=8)
    assert other.id != up.id and other.committed_bytes == 0


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/etc/passwd", "a//b", "./a", "", "a\\b", "a\0b",
                                  f"{PARTS_DIR}/x"])
def test_names_that_leave_the_folder_are_refused(tmp_path: Path, name: str):
    with pytest.raises(TransferError):
        UploadStore().begin(tmp_path / "dest", name, size_bytes=1)
    assert not (tmp_path / "x").exists() and not (tmp_path / "dest").exists()


def test_a_link_inside_the_folder_cannot_carry_a_file_out(tmp_path: Path):
    (tmp_path / "dest").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "dest" / "link").symlink_to(tmp_path / "outside")
    store = UploadStore()
    up = store.begin(tmp_path / "dest", "link/a.bin", size_bytes=3)
    with pytest.raises(TransferError, match="outside"):
        store.write_chunk(up.id, 0, b"abc")
    assert not (tmp_path / "outside" / "a.bin").exists()


def test_an_existing_file_is_not_replaced_unless_asked(tmp_path: Path):
    (tmp_path / "a.bin").write_bytes(b"old")
    with pytest.raises(TransferError, match="already exists"):
        UploadStore().begin(tmp_path, "a.bin", size_bytes=3)
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=3, replace=True)
    store.write_chunk(up.id, 0, b"new")
    assert (tmp_path / "a.bin").read_bytes() == b"new"


def test_more_than_the_disk_holds_is_refused_before_writing(tmp_path: Path):
    with pytest.raises(TransferError, match="free"):
        UploadStore().begin(tmp_path / "dest", "a.bin", size_bytes=2**62)
    assert not (tmp_path / "dest").exists()


def test_disk_full_mid_way_leaves_no_half_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    store.write_chunk(up.id, 0, DATA[:400])

    def full(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(upload_module, "_commit_state", full)
    with pytest.raises(TransferError, match="disk is full"):
        store.write_chunk(up.id, 400, DATA[400:800])
    assert sorted(p.name for p in tmp_path.rglob("*")) == []  # partial upload removed, space freed


def test_cancel_removes_the_partial_file_and_never_a_finished_one(tmp_path: Path):
    store = UploadStore()
    done = store.begin(tmp_path, "done.bin", size_bytes=3)
    store.write_chunk(done.id, 0, b"abc")
    half = store.begin(tmp_path, "half.bin", size_bytes=len(DATA))
    store.write_chunk(half.id, 0, DATA[:400])
    store.cancel(done.id)
    store.cancel(half.id)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["done.bin"]
    with pytest.raises(TransferError, match="unknown"):
        store.write_chunk(half.id, 400, DATA[400:])


def test_an_empty_file_is_done_at_once(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "empty", size_bytes=0)
    assert up.done and store.wait_for_md5(up.id, 10).md5 == hashlib.md5(b"").hexdigest()
    assert (tmp_path / "empty").read_bytes() == b""


def test_asking_again_after_the_last_answer_was_lost_says_done(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=3)
    store.write_chunk(up.id, 0, b"abc")
    store.wait_for_md5(up.id, 10)
    again = store.begin(tmp_path, "a.bin", size_bytes=3)
    assert again.done and again.md5 == hashlib.md5(b"abc").hexdigest()


def test_the_same_file_uploads_again_once_the_first_copy_was_removed(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=3)
    store.write_chunk(up.id, 0, b"abc")
    (tmp_path / "a.bin").unlink()
    again = store.begin(tmp_path, "a.bin", size_bytes=3)
    assert not again.done and again.committed_bytes == 0
    store.write_chunk(again.id, 0, b"abc")
    assert (tmp_path / "a.bin").read_bytes() == b"abc"


class _HeldMd5:
    """hashlib.md5 whose updates wait until `release` is set: the md5 falls behind the writer."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        real = hashlib.md5
        held = self

        class Slow:
            def __init__(self, *args: object, **kwargs: object) -> None:
                self._md5 = real(*args, **kwargs)

            def update(self, data: object) -> None:
                held.release.wait(10)
                self._md5.update(data)

            def hexdigest(self) -> str:
                return self._md5.hexdigest()

        monkeypatch.setattr(md5_follower.hashlib, "md5", Slow)


def test_the_last_answer_does_not_wait_for_the_md5_which_follows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    held = _HeldMd5(monkeypatch)
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    _send(store, up.id, DATA, 0, 400)
    done = store.status(up.id)
    assert done.done and done.md5 is None and done.md5_error is None  # in place, md5 still being hashed
    assert (tmp_path / "a.bin").read_bytes() == DATA
    held.release.set()
    assert store.wait_for_md5(up.id, 10).md5 == hashlib.md5(DATA).hexdigest()


def test_the_md5_is_of_the_bytes_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    held = threading.Event()  # the follower reads nothing until the file has changed (a held md5
    real_preadv = os.preadv  # alone left a race: the follower could read the bytes before the change)

    def held_preadv(*args: object) -> int:
        held.wait(10)
        return real_preadv(*args)
    monkeypatch.setattr(md5_follower.os, "preadv", held_preadv)
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    _send(store, up.id, DATA, 0, 400)
    with open(tmp_path / "a.bin", "r+b") as landed:  # changed on disk before the md5 got there
        landed.seek(900)
        landed.write(b"!")
    held.set()
    assert store.wait_for_md5(up.id, 10).md5 == hashlib.md5((tmp_path / "a.bin").read_bytes()).hexdigest()


def test_no_md5_thread_outlives_the_store_or_a_cancel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    held = _HeldMd5(monkeypatch)
    before = threading.active_count()
    store = UploadStore()
    first = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    store.write_chunk(first.id, 0, DATA[:400])
    second = store.begin(tmp_path, "b.bin", size_bytes=len(DATA))
    store.write_chunk(second.id, 0, DATA[:400])
    assert threading.active_count() == before + 2  # each follower is hashing (held)
    # cancel and close wait for the block being hashed, then no thread is left
    closing = threading.Thread(target=lambda: (store.cancel(first.id), store.close()))
    closing.start()
    held.release.set()
    closing.join(10)
    assert threading.active_count() == before
    assert sorted(p.name for p in tmp_path.rglob("*.part")) == [f"{second.id}.part"]


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own nice value is Linux's")
def test_the_md5_is_hashed_at_a_lower_priority_than_the_upload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    seen = []
    real = hashlib.md5

    class Watched:
        def __init__(self, *args: object, **kwargs: object) -> None:
            self._md5 = real(*args, **kwargs)

        def update(self, data: object) -> None:
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            self._md5.update(data)

        def hexdigest(self) -> str:
            return self._md5.hexdigest()

    monkeypatch.setattr(md5_follower.hashlib, "md5", Watched)
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    _send(store, up.id, DATA, 0, 500)
    assert store.wait_for_md5(up.id, 10).md5 == real(DATA).hexdigest()
    ours = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert seen and all(nice == min(19, ours + 10) for nice in seen)


def test_a_caught_up_md5_holds_no_thread(tmp_path: Path):
    before = threading.active_count()
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    store.write_chunk(up.id, 0, DATA[:400])
    for _ in range(500):  # the follower ends once it has hashed the 400 committed bytes
        if threading.active_count() == before:
            break
        threading.Event().wait(0.01)
    assert threading.active_count() == before


def test_each_committed_chunk_starts_its_way_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    started = []
    monkeypatch.setattr(upload_module, "start_writeback", lambda fd, offset, size: started.append((offset, size)))
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    with pytest.raises(TransferError, match="damaged"):
        store.write_chunk(up.id, 0, DATA[:400], crc32=zlib.crc32(DATA[:399]))
    assert started == []  # a refused chunk is no part of the file: nothing to hurry to disk
    _send(store, up.id, DATA, 0, 400)
    # so the fsync before the rename into place finds (almost) nothing left to write
    assert started == [(0, 400), (400, 400), (800, 200)]
    assert (tmp_path / "a.bin").read_bytes() == DATA


def test_the_committed_offset_is_rewritten_in_place(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA), last_modified_ms=7)
    with open(tmp_path / PARTS_DIR / f"{up.id}.json", "rb") as state:  # the file begin() made
        store.write_chunk(up.id, 0, DATA[:9])
        store.write_chunk(up.id, 9, DATA[9:600])  # the offset grows a digit: the record's size does not
        # still that file (no new file and rename per chunk), holding the new offset
        assert json.loads(state.read())["committed_bytes"] == 600
    assert UploadStore().begin(tmp_path, "a.bin", size_bytes=len(DATA), last_modified_ms=7).committed_bytes == 600


def test_a_state_file_of_the_earlier_format_still_resumes(tmp_path: Path):
    up = UploadStore().begin(tmp_path, "a.bin", size_bytes=len(DATA), last_modified_ms=7)
    (tmp_path / PARTS_DIR / f"{up.id}.part").write_bytes(DATA[:300])
    (tmp_path / PARTS_DIR / f"{up.id}.json").write_text(
        '{"name": "a.bin", "size_bytes": %d, "committed_bytes": 300}' % len(DATA))
    again = UploadStore().begin(tmp_path, "a.bin", size_bytes=len(DATA), last_modified_ms=7)
    assert again.committed_bytes == 300
