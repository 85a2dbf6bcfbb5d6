"""The chunk protocol of uploads: offsets, resume, refusals, disk full, cancel."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from colab_panel.errors import TransferError, UploadOffsetMismatch
from colab_panel.transfers import upload as upload_module
from colab_panel.transfers.upload import PARTS_DIR, UploadStore

DATA = os.urandom(1000)


def _send(store: UploadStore, upload_id: str, data: bytes, start: int, chunk: int) -> None:
    for offset in range(start, len(data), chunk):
        store.write_chunk(upload_id, offset, data[offset:offset + chunk],
                          sha256_hex=hashlib.sha256(data[offset:offset + chunk]).hexdigest())


def test_chunks_in_order_make_the_file_with_its_md5(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "sub/a.bin", size_bytes=len(DATA), last_modified_ms=5)
    assert up.committed_bytes == 0 and not up.done
    _send(store, up.id, DATA, 0, 300)
    done = store.status(up.id)
    assert done.done and done.md5 == hashlib.md5(DATA).hexdigest()
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


def test_a_damaged_chunk_is_not_written(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    with pytest.raises(TransferError, match="damaged"):
        store.write_chunk(up.id, 0, DATA[:400], sha256_hex=hashlib.sha256(b"other").hexdigest())
    assert store.status(up.id).committed_bytes == 0


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
    done = second.status(up.id)
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
    monkeypatch.setattr(upload_module, "_write_state", full)
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
    up = UploadStore().begin(tmp_path, "empty", size_bytes=0)
    assert up.done and up.md5 == hashlib.md5(b"").hexdigest()
    assert (tmp_path / "empty").read_bytes() == b""


def test_asking_again_after_the_last_answer_was_lost_says_done(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=3)
    store.write_chunk(up.id, 0, b"abc")
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


def _hashed_while_arriving(store: UploadStore, upload_id: str, offset: int, data: bytes, block: int = 128):
    """What the endpoint does: the chunk's hashes fed block by block as its bytes arrive."""
    hashes = store.receive(upload_id, offset)
    view = memoryview(data)
    for at in range(0, len(data), block):
        hashes.feed(view[at:at + block])
    return hashes


def test_chunks_hashed_while_they_arrive_make_the_same_file_and_md5(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    for offset in range(0, len(DATA), 300):
        chunk = DATA[offset:offset + 300]
        with _hashed_while_arriving(store, up.id, offset, chunk) as hashes:
            store.write_chunk(up.id, offset, chunk, sha256_hex=hashlib.sha256(chunk).hexdigest(), hashes=hashes)
    done = store.status(up.id)
    assert done.done and done.md5 == hashlib.md5(DATA).hexdigest()
    assert (tmp_path / "a.bin").read_bytes() == DATA


def test_a_chunk_damaged_on_the_way_is_refused_when_hashed_while_arriving(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    damaged = b"x" + DATA[1:400]
    with _hashed_while_arriving(store, up.id, 0, damaged) as hashes, pytest.raises(TransferError, match="damaged"):
        store.write_chunk(up.id, 0, damaged, sha256_hex=hashlib.sha256(DATA[:400]).hexdigest(), hashes=hashes)
    assert store.status(up.id).committed_bytes == 0
    _send(store, up.id, DATA, 0, 400)  # the md5 holds nothing of the refused chunk
    assert store.status(up.id).md5 == hashlib.md5(DATA).hexdigest()


def test_hashes_of_other_bytes_than_the_chunk_are_not_trusted(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    with _hashed_while_arriving(store, up.id, 0, DATA[:300]) as hashes:  # fed fewer bytes than written
        store.write_chunk(up.id, 0, DATA[:400], sha256_hex=hashlib.sha256(DATA[:400]).hexdigest(), hashes=hashes)
    _send(store, up.id, DATA, 400, 400)
    assert store.status(up.id).md5 == hashlib.md5(DATA).hexdigest()


def test_hashing_threads_end_when_the_chunk_never_arrives(tmp_path: Path):
    import threading
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    before = threading.active_count()
    with _hashed_while_arriving(store, up.id, 0, DATA[:100]):
        pass  # the connection dropped mid-body: write_chunk is never called
    assert threading.active_count() == before


def test_a_chunk_hashed_without_its_sha256_is_still_checked_when_one_comes(tmp_path: Path):
    store = UploadStore()
    up = store.begin(tmp_path, "a.bin", size_bytes=len(DATA))
    hashes = store.receive(up.id, 0, sha256=False)  # the browser sent no SHA-256 (no SubtleCrypto)
    with hashes:
        hashes.feed(memoryview(b"x" + DATA[1:400]))
        with pytest.raises(TransferError, match="damaged"):  # but one is given here: it is computed
            store.write_chunk(up.id, 0, b"x" + DATA[1:400], sha256_hex=hashlib.sha256(DATA[:400]).hexdigest(),
                              hashes=hashes)
    with store.receive(up.id, 0, sha256=False) as hashes:
        hashes.feed(memoryview(DATA[:400]))
        store.write_chunk(up.id, 0, DATA[:400], hashes=hashes)
    _send(store, up.id, DATA, 400, 400)
    assert store.status(up.id).md5 == hashlib.md5(DATA).hexdigest()
