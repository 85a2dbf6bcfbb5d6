"""`KeptStream`: bytes read are kept in a `.part`; a rerun replays the prefix its checkpoint vouches
for (CRC-32 read back) and reads only the rest from the source."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from colab_panel.disk.atomic import part_path
from colab_panel.staging.kept_stream import KeptStream, checkpoint_path
from colab_panel.staging.sources import LocalFileSource

SIZE = 200_000


class CountingSource(LocalFileSource):
    """A local file as a source that records where each open starts."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.opened_at: list[int] = []

    def open_range(self, start: int) -> tuple[BinaryIO, int]:
        self.opened_at.append(start)
        return super().open_range(start)


def _read(stream: KeptStream, n: int) -> bytes:
    out = b""
    while len(out) < n and (chunk := stream.read(min(8192, n - len(out)))):
        out += chunk
    return out


def _source(tmp_path: Path) -> tuple[CountingSource, bytes]:
    data = os.urandom(SIZE)
    (tmp_path / "set.tar").write_bytes(data)
    return CountingSource(tmp_path / "set.tar"), data


def test_a_stopped_stream_is_replayed_then_continued_where_it_stopped(tmp_path: Path) -> None:
    source, data = _source(tmp_path)
    final = tmp_path / "dl" / "set.tar"
    first = KeptStream(source, final)
    assert _read(first, 120_000) == data[:120_000]
    first.close(keep=True)
    again = KeptStream(source, final)
    assert again.replayed_bytes == 120_000
    assert _read(again, SIZE) == data
    assert source.opened_at == [0, 120_000]
    again.close(keep=False)
    assert not part_path(final).exists() and not checkpoint_path(final).exists()


def test_kept_bytes_that_do_not_match_their_checkpoint_are_fetched_again(tmp_path: Path) -> None:
    source, data = _source(tmp_path)
    final = tmp_path / "dl" / "set.tar"
    first = KeptStream(source, final)
    _read(first, 120_000)
    first.close(keep=True)
    with open(part_path(final), "r+b") as f:  # what a crash of the machine may leave: unflushed pages as zeros
        f.seek(60_000)
        f.write(bytes(4096))
    again = KeptStream(source, final)
    assert again.replayed_bytes == 0
    assert _read(again, SIZE) == data and source.opened_at[-1] == 0


def test_bytes_past_the_last_checkpoint_are_not_trusted(tmp_path: Path) -> None:
    source, data = _source(tmp_path)
    final = tmp_path / "dl" / "set.tar"
    first = KeptStream(source, final)
    _read(first, 50_000)
    first.close(keep=True)  # checkpoint at 50,000
    with open(part_path(final), "ab") as f:  # a killed run wrote more, never checkpointed
        f.write(b"\0" * 30_000)
    again = KeptStream(source, final)
    assert again.replayed_bytes == 50_000
    assert _read(again, SIZE) == data
