"""An md5 follower that the writer outruns waits for the last chunk (or a pause), then hashes it all."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from colab_panel.transfers import md5_follower
from colab_panel.transfers.md5_follower import Md5Follower

MIB = 1024 * 1024
DATA = os.urandom(8 * MIB)


class _Done:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.result: tuple[str | None, str | None] | None = None

    def __call__(self, md5: str | None, error: str | None) -> None:
        self.result = (md5, error)
        self.event.set()


def _hashed_within_5_s(follower: Md5Follower, expected: int) -> int:
    """The follower's hashed bytes once they reach `expected` (or as they are after 5 s)."""
    for _ in range(500):
        if follower.hashed_bytes == expected:
            break
        threading.Event().wait(0.01)
    return follower.hashed_bytes


@pytest.fixture
def part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(md5_follower, "LAG_BYTES", 2 * MIB)
    path = tmp_path / "a.part"
    path.write_bytes(DATA)
    return path


def test_an_outrun_md5_waits_for_the_last_chunk(part: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(md5_follower, "PAUSE_S", 60.0)  # the writer never seems to pause here
    done = _Done()
    follower = Md5Follower(part, len(DATA), done)
    try:
        follower.advance(6 * MIB)  # 6 MiB ahead of the md5: more than LAG_BYTES
        assert not done.event.wait(0.5)
        assert follower.hashed_bytes == 0  # it let the writer have the cores
        follower.advance(len(DATA))  # the last chunk: the follower wakes and hashes everything
        assert done.event.wait(10)
        assert done.result == (hashlib.md5(DATA).hexdigest(), None)
    finally:
        follower.close()


def test_an_outrun_md5_hashes_once_the_writer_pauses(part: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(md5_follower, "PAUSE_S", 0.2)  # a dropped connection: no chunk for a while
    follower = Md5Follower(part, len(DATA), _Done())
    try:
        follower.advance(6 * MIB)
        assert _hashed_within_5_s(follower, 6 * MIB) == 6 * MIB
    finally:
        follower.close()


def test_closing_an_outrun_md5_ends_its_thread_at_once(part: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(md5_follower, "PAUSE_S", 60.0)
    before = threading.active_count()
    follower = Md5Follower(part, len(DATA), _Done())
    follower.advance(6 * MIB)
    assert threading.active_count() == before + 1  # waiting for the writer
    closing = threading.Thread(target=follower.close)
    closing.start()
    closing.join(5)
    assert not closing.is_alive()
    assert threading.active_count() == before


def test_an_md5_that_keeps_up_hashes_as_the_chunks_come(part: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(md5_follower, "PAUSE_S", 60.0)
    follower = Md5Follower(part, len(DATA), _Done())
    try:
        follower.advance(MIB)  # within LAG_BYTES: no waiting
        assert _hashed_within_5_s(follower, MIB) == MIB
    finally:
        follower.close()
