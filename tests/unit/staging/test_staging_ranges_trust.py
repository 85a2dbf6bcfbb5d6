"""A kept `.part` of a ranged download is trusted piece by piece: each recorded piece is read
back on resume and kept only if its bytes still have the CRC-32 recorded when they were written
(what a crash did not flush reads as zeros, or as nothing)."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

from colab_panel.staging.parallel_ranges import _load_done, _Recorder

SIZE = 300_000
EXPECTED = ("md5", "0" * 32)


def _written(tmp_path: Path) -> tuple[Path, Path, bytes]:
    data = os.urandom(SIZE)
    part, sidecar = tmp_path / "big.bin.part", tmp_path / "big.bin.part.ranges"
    part.write_bytes(data)
    record = _Recorder(sidecar, SIZE, EXPECTED, [])
    for start in range(0, SIZE, 100_000):
        record.add(start, start + 100_000, zlib.crc32(data[start:start + 100_000]))
    return part, sidecar, data


def test_pieces_whose_bytes_are_intact_are_kept(tmp_path: Path) -> None:
    part, sidecar, _ = _written(tmp_path)
    kept = _load_done(part, sidecar, SIZE, EXPECTED)
    assert [(s, e) for s, e, _ in kept] == [(0, 100_000), (100_000, 200_000), (200_000, 300_000)]


def test_a_piece_that_was_not_flushed_is_fetched_again(tmp_path: Path) -> None:
    part, sidecar, _ = _written(tmp_path)
    with open(part, "r+b") as f:  # what the disk holds after a crash lost the middle piece's pages
        f.seek(150_000)
        f.write(bytes(4096))
    kept = _load_done(part, sidecar, SIZE, EXPECTED)
    assert [(s, e) for s, e, _ in kept] == [(0, 100_000), (200_000, 300_000)]


def test_a_record_without_checksums_is_not_trusted(tmp_path: Path) -> None:
    part, sidecar, _ = _written(tmp_path)
    sidecar.write_text(json.dumps({"size": SIZE, "hash": "md5:" + "0" * 32, "done": [[0, SIZE]]}))
    assert _load_done(part, sidecar, SIZE, EXPECTED) == []


def test_a_record_of_another_version_is_not_trusted(tmp_path: Path) -> None:
    part, sidecar, _ = _written(tmp_path)
    assert _load_done(part, sidecar, SIZE, ("md5", "1" * 32)) == []
