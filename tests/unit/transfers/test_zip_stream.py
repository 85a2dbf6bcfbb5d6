"""A folder streamed as one zip: the bytes unzip to the same tree, memory stays bounded."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from pathlib import Path

from colab_panel.transfers.zip_stream import write_zip


class _Unseekable:
    """A socket-like sink: write only."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def write(self, data: bytes) -> None:
        self.buffer.write(data)


def test_the_zip_unzips_to_the_same_files(tmp_path: Path):
    src = tmp_path / "run"
    (src / "ckpt" / "deep").mkdir(parents=True)
    (src / "empty").mkdir()
    files = {"a.txt": b"hello", "ckpt/model.bin": os.urandom(3 * 1024 * 1024 + 7),
             "ckpt/deep/é.json": b"{}", "zero": b""}
    for name, data in files.items():
        (src / name).write_bytes(data)
    (src / "link").symlink_to(src / "a.txt")  # links are left out
    sink = _Unseekable()
    assert write_zip(src, sink.write) == len(files)
    with zipfile.ZipFile(io.BytesIO(sink.buffer.getvalue())) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        assert names == set(files) | {"ckpt/", "ckpt/deep/", "empty/"}
        for name, data in files.items():
            assert archive.read(name) == data


def test_memory_stays_bounded_for_a_large_file(tmp_path: Path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:  # sparse: 300 MB that take no disk
        handle.truncate(300 * 1024 * 1024)
    seen = {"bytes": 0}

    def count(data: bytes) -> None:
        seen["bytes"] += len(data)
    tracemalloc.start()
    try:
        write_zip(tmp_path, count)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen["bytes"] > 300 * 1024 * 1024
    assert peak < 16 * 1024 * 1024  # a few 1 MiB blocks, never the file
