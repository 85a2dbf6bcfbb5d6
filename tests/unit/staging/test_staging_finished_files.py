"""finished_files: who holds a file open for writing (real fds, read back through /proc), and the settle check."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from colab_panel.staging import finished_files

pytestmark = pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux /proc")


def test_open_for_writing_tells_in_place_writers_from_appenders_and_readers(tmp_path: Path) -> None:
    in_place, appended, read, idle = (tmp_path / n for n in ("ckpt.pt", "train.log", "data.bin", "old.pt"))
    for path in (in_place, appended, read, idle):
        path.write_bytes(b"x")
    with open(in_place, "r+b"), open(appended, "ab"), open(read, "rb"):
        writers = finished_files.open_for_writing([in_place, appended, read, idle])
    assert writers.in_place == {str(in_place.resolve()): os.getpid()}
    assert writers.appending == {str(appended.resolve()): os.getpid()}


def test_check_waits_once_and_names_what_changed_or_is_written_in_place(tmp_path: Path) -> None:
    old, fresh, growing, held = (tmp_path / n for n in ("old.pt", "fresh.pt", "growing.log", "held.pt"))
    for path in (old, fresh, growing, held):
        path.write_bytes(b"1234")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # another writer appends while we wait
        sleeps.append(seconds)
        with open(growing, "ab") as f:
            f.write(b"more")

    with open(held, "r+b"):
        readiness = finished_files.check(tmp_path, ["old.pt", "fresh.pt", "growing.log", "held.pt"],
                                         settle_s=0.5, sleep=sleep)
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 0.5
    assert set(readiness.unfinished) == {"growing.log", "held.pt"}
    assert "changed within the last 0.5 s" in readiness.unfinished["growing.log"]
    assert f"open for writing by pid {os.getpid()}" in readiness.unfinished["held.pt"]
    assert set(readiness.snapshots) == {"old.pt", "fresh.pt"}


def test_nothing_recent_means_no_wait(tmp_path: Path) -> None:
    path = tmp_path / "a.pt"
    path.write_bytes(b"a")
    os.utime(path, (1_000_000_000, 1_000_000_000))
    readiness = finished_files.check(tmp_path, ["a.pt"], settle_s=5, sleep=lambda s: pytest.fail("waited"))
    assert readiness.unfinished == {} and "a.pt" in readiness.snapshots
