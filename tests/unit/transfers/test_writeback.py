"""Starting a file range's writeback early: a hint that works on Linux and never fails a write."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from colab_panel.transfers.writeback import start_writeback


@pytest.mark.skipif(sys.platform != "linux", reason="sync_file_range is Linux's")
def test_a_written_range_is_sent_on_its_way_to_disk(tmp_path: Path):
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        os.write(fd, b"x" * 100_000)
        assert start_writeback(fd, 0, 100_000) is True
    finally:
        os.close(fd)
    assert (tmp_path / "f").read_bytes() == b"x" * 100_000


def test_a_bad_descriptor_is_only_a_missed_hint(tmp_path: Path):
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    os.close(fd)
    assert start_writeback(fd, 0, 10) is False  # no exception: the fsync at the end still writes all
