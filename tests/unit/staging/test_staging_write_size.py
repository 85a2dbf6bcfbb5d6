"""Every byte reaches the file in write() calls of at most `writing.WRITE_MAX` bytes, short writes included."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest

from colab_panel.disk import writing
from colab_panel.staging.bulk_copy import copy_range_with_crc


@pytest.fixture
def write_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record each os.write's request; every third call writes only half of it (a disk near full)."""
    sizes: list[int] = []
    real_write = os.write

    def write(fd: int, data: bytes | memoryview) -> int:
        sizes.append(len(data))
        if len(sizes) % 3 == 0 and len(data) > 1:
            return real_write(fd, memoryview(data)[:len(data) // 2])
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    return sizes


@pytest.mark.parametrize("size", [0, 1, writing.WRITE_MAX, writing.WRITE_MAX + 1, 5 * writing.WRITE_MAX + 17])
def test_write_all_writes_everything_in_capped_calls(tmp_path: Path, write_sizes: list[int], size: int) -> None:
    data = os.urandom(size)
    fd = writing.create(str(tmp_path / "f"))
    try:
        writing.write_all(fd, data)
    finally:
        os.close(fd)
    assert (tmp_path / "f").read_bytes() == data
    assert max(write_sizes) <= writing.WRITE_MAX


def test_stored_member_copy_is_exact_and_capped(tmp_path: Path, write_sizes: list[int]) -> None:
    data = os.urandom(9 * 1024 * 1024 + 5)  # more than one 8 MB piece
    src = tmp_path / "src"
    src.write_bytes(b"x" * 1234 + data + b"tail")  # an unaligned start, as a member's data has
    fd_in = os.open(src, os.O_RDONLY)
    fd_out = writing.create(str(tmp_path / "out"))
    try:
        crc = copy_range_with_crc(fd_in, 1234, len(data), fd_out, check=lambda: None, on_bytes=lambda n: None)
    finally:
        os.close(fd_in)
        os.close(fd_out)
    assert crc == zlib.crc32(data)
    assert (tmp_path / "out").read_bytes() == data
    assert max(write_sizes) <= writing.WRITE_MAX
