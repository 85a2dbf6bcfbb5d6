"""Corrupt data and cancel: a worded StagingError subclass, and dest exactly as it was."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import InsufficientSpace, StagingCancelled, StagingError, UnsafeArchiveError
from colab_panel.staging import check_space, extract_archive, human_bytes
from staging_archives import make_dest, snapshot, tar_member, write_tar, write_zip

MANY = [(f"d{i % 7}/f{i:04d}.txt", b"%d" % i * 100) for i in range(600)]


class CancelAfter(threading.Event):
    """A cancel event that turns itself on after `checks` looks: a deterministic "mid-way"."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self._left = checks
        self._lock = threading.Lock()

    def is_set(self) -> bool:
        with self._lock:
            self._left -= 1
            if self._left <= 0:
                self.set()
        return super().is_set()


def test_zip_crc_mismatch_is_corrupt_not_unsafe(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", MANY + [("z.txt", b"payload-payload")], method=zipfile.ZIP_STORED)
    blob = bytearray(archive.read_bytes())
    blob[blob.find(b"payload-payload")] ^= 0xFF
    archive.write_bytes(bytes(blob))
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(StagingError, match="CRC") as err:
        extract_archive(archive, dest)
    assert not isinstance(err.value, UnsafeArchiveError)
    assert snapshot(dest) == before


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz", "w:zst"])
def test_truncated_compressed_tar(tmp_path: Path, mode: str) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member(n, d) for n, d in MANY], mode=mode)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(StagingError) as err:
        extract_archive(archive, dest)
    assert any(w in str(err.value) for w in ("corrupt", "ends inside", "cut short"))
    assert snapshot(dest) == before


def test_garbage_inside_gzip_stream(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tgz", [tar_member(n, d) for n, d in MANY], mode="w:gz")
    blob = bytearray(archive.read_bytes())
    for i in range(200, 260):
        blob[i] ^= 0x55
    archive.write_bytes(bytes(blob))
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(StagingError):
        extract_archive(archive, dest)
    assert snapshot(dest) == before


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_cancel_mid_way_leaves_nothing(tmp_path: Path, kind: str) -> None:
    if kind == "zip":
        archive = write_zip(tmp_path / "a.zip", MANY)
    else:
        archive = write_tar(tmp_path / "a.tgz", [tar_member(n, d) for n, d in MANY], mode="w:gz")
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    cancel = CancelAfter(60)
    with pytest.raises(StagingCancelled, match="^Cancelled"):
        extract_archive(archive, dest, cancel=cancel, workers=2)
    assert cancel.is_set()
    assert snapshot(dest) == before


def test_cancel_from_the_progress_callback(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member(n, d) for n, d in MANY])
    cancel = threading.Event()
    with pytest.raises(StagingCancelled):
        extract_archive(archive, tmp_path / "new", cancel=cancel, progress=lambda p: cancel.set())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.tar"]  # no dest, no temp folder


def test_space_check_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(InsufficientSpace) as err:
        check_space(tmp_path / "not" / "yet", 10**18)
    message = str(err.value)
    assert "needs 888.2 PB" in message and "free on /" in message  # 10**18 bytes in 1024s
    check_space(tmp_path, 1)


def test_staging_speaks_the_same_units_as_the_rest_of_the_panel() -> None:
    from colab_panel import units

    assert human_bytes is units.human_bytes  # one convention (1024s, as df -h and nvidia-smi)


def test_progress_callback_errors_do_not_break_extraction(tmp_path: Path) -> None:
    def broken(_: object) -> None:
        raise RuntimeError("bar is broken")

    archive = write_zip(tmp_path / "a.zip", MANY)
    assert len(extract_archive(archive, tmp_path / "out", progress=broken)) == len(MANY)


def test_plain_tar_cut_at_a_member_boundary_is_refused(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "a.tar", [tar_member("a.txt", b"x" * 512), tar_member("b.txt", b"y" * 512)])
    archive.write_bytes(archive.read_bytes().rstrip(b"\0"))  # drop the end-of-archive blocks
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(StagingError, match="cut short"):
        extract_archive(archive, dest)
    assert snapshot(dest) == before


@pytest.mark.parametrize("maps_left", [None, 0, 2])
def test_large_stored_member_crc_is_checked(tmp_path: Path, maps_left: int | None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if maps_left is not None:  # the portable path, taken when (after some windows) the source can't be mapped
        import mmap

        from colab_panel.staging import bulk_copy

        real_mmap, left = mmap.mmap, [maps_left]

        def mapping(*args: object, **kwargs: object) -> mmap.mmap:
            if not left[0]:
                raise OSError(19, "No such device")
            left[0] -= 1
            return real_mmap(*args, **kwargs)  # type: ignore[arg-type]
        monkeypatch.setattr(bulk_copy, "_WINDOW", 1024 * 1024)
        monkeypatch.setattr(bulk_copy.mmap, "mmap", mapping)
    big = bytes(range(256)) * (6 * 4096)  # 6 MB: the bulk-copy path
    archive = write_zip(tmp_path / "a.zip", [("big.bin", big)], method=zipfile.ZIP_STORED)
    extract_archive(archive, tmp_path / "ok")
    assert (tmp_path / "ok/big.bin").read_bytes() == big
    blob = bytearray(archive.read_bytes())
    blob[3_000_000] ^= 0xFF
    archive.write_bytes(bytes(blob))
    dest = make_dest(tmp_path)
    before = snapshot(dest)
    with pytest.raises(StagingError, match="CRC"):
        extract_archive(archive, dest)
    assert snapshot(dest) == before
