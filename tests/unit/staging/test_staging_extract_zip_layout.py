"""Zip bombs built from overlapping members, and local headers that disagree with the central
directory: refused in words before a single byte is written, dest exactly as it was."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from colab_panel.errors import UnsafeArchiveError
from colab_panel.staging import extract_archive, zip_extract
from staging_archives import make_dest, patch_zip_sizes, snapshot, write_zip
import zip_bombs


@pytest.fixture
def no_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if extraction gets as far as making its staging folder."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the zip was accepted far enough to start writing")
    monkeypatch.setattr(zip_extract, "StagingArea", refuse)


def refused(archive: Path, dest: Path, words: str) -> None:
    before = snapshot(dest)
    with pytest.raises(UnsafeArchiveError) as err:
        extract_archive(archive, dest)
    assert words in str(err.value)
    assert snapshot(dest) == before


def test_quoted_overlap_bomb_is_refused_before_writing(tmp_path: Path, no_writes: None) -> None:
    # 7 KB that inflates to 150 MB: every header agrees, only the spans give it away.
    archive = zip_bombs.quoted_overlap(tmp_path / "q.zip", entries=50, kernel_size=3_000_000)
    assert archive.stat().st_size < 10_000
    refused(archive, make_dest(tmp_path), "overlap")


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2])
@pytest.mark.parametrize("same_name", [False, True])
def test_full_overlap_bomb_is_refused_before_writing(tmp_path: Path, no_writes: None, method: int,
                                                     same_name: bool) -> None:
    archive = zip_bombs.full_overlap(tmp_path / "f.zip", entries=20, kernel_size=3_000_000, method=method,
                                     same_name=same_name)
    refused(archive, make_dest(tmp_path), "overlap" if same_name else "local header")


def test_member_overlapping_the_central_directory_is_refused(tmp_path: Path, no_writes: None) -> None:
    archive = write_zip(tmp_path / "a.zip", [("a.txt", b"x" * 100)], method=zipfile.ZIP_STORED)
    patch_zip_sizes(archive, "a.txt", file_size=200, compress_size=200)
    refused(archive, make_dest(tmp_path), "overlap")


# (field, offset in the 30-byte local header, struct format, new value)
MISMATCHES = [
    ("name", 30, "3s", b"b.t"),
    ("method", 8, "<H", zipfile.ZIP_STORED),
    ("crc", 14, "<I", 12345),
    ("compressed size", 18, "<I", 7),
    ("size", 22, "<I", 99),
]


@pytest.mark.parametrize("field, at, fmt, value", MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_local_header_disagreeing_with_central_directory_is_refused(tmp_path: Path, no_writes: None, field: str,
                                                                     at: int, fmt: str, value: object) -> None:
    archive = write_zip(tmp_path / "a.zip", [("a.t", b"hello " * 50)])
    blob = bytearray(archive.read_bytes())
    struct.pack_into(fmt, blob, at, value)
    archive.write_bytes(bytes(blob))
    refused(archive, make_dest(tmp_path), "local header")


def test_streamed_zip_with_data_descriptors_still_extracts(tmp_path: Path) -> None:
    class Unseekable(io.RawIOBase):  # zipfile writes sizes after the data when it cannot seek back
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: bytes) -> int:  # type: ignore[override]
            self.data += b
            return len(b)

    out = Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            with zf.open(f"f{i}.txt", "w") as f:
                f.write(b"line %d\n" % i * 1000)
    archive = tmp_path / "s.zip"
    archive.write_bytes(bytes(out.data))
    with zipfile.ZipFile(archive) as zf:
        assert all(i.flag_bits & 0x08 for i in zf.infolist())
    paths = extract_archive(archive, tmp_path / "dest")
    assert [p.read_bytes() for p in paths] == [b"line %d\n" % i * 1000 for i in range(3)]


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_bzip2_and_lzma_members_longer_than_declared_are_unsafe(tmp_path: Path, method: int) -> None:
    archive = write_zip(tmp_path / "a.zip", [("big.bin", bytes(100_000))], method=method)
    patch_zip_sizes(archive, "big.bin", file_size=1000)
    refused(archive, make_dest(tmp_path), "'big.bin' expands past its declared size")


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
@pytest.mark.parametrize("size", [0, 1, 5_000_000])
def test_bzip2_and_lzma_members_extract(tmp_path: Path, method: int, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    archive = write_zip(tmp_path / "a.zip", [("m.bin", data), ("n.txt", b"next")], method=method)
    paths = extract_archive(archive, tmp_path / "dest")
    assert [p.read_bytes() for p in paths] == [data, b"next"]


def test_zip64_local_headers_and_a_self_extracting_prefix_still_extract(tmp_path: Path) -> None:
    archive = tmp_path / "z64.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("big.txt", "w", force_zip64=True) as f:  # local sizes 0xFFFFFFFF + zip64 extra
            f.write(b"hello " * 1000)
        zf.writestr("small.txt", "x")
    sfx = tmp_path / "sfx.zip"  # a stub before the zip: every offset is shifted
    sfx.write_bytes(b"#!/bin/sh\necho stub\n" * 100 + archive.read_bytes())
    for path, dest in ((archive, tmp_path / "d1"), (sfx, tmp_path / "d2")):
        assert [p.read_bytes() for p in extract_archive(path, dest)] == [b"hello " * 1000, b"x"]
