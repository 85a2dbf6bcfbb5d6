"""A `.tar.gz` staged from Drive is extracted while it downloads; `kill -9` mid-stream used to
cost the whole download (issue #11). Now the bytes read are kept in a `.part` (with a checkpoint
of how many are trusted), and the rerun replays them through the extractor and fetches only the
rest with a Range request."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import child_id
from support.kill_resume import kill_and_resume

from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging.kept_stream import CHECKPOINT_BYTES

MiB = 1024 * 1024
MEMBERS = 24


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[DriveEmulator, int, dict[str, bytes]]]:
    seed = tmp_path / "seed"
    seed.mkdir()
    members = {f"set/{i:02d}.bin": os.urandom(MiB) for i in range(MEMBERS)}  # random: gzip cannot shrink it
    with tarfile.open(seed / "set.tar.gz", "w:gz", compresslevel=1) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    with DriveEmulator(root=seed, max_page_size=1000) as emu:
        emu.faults.bandwidth(4 * MiB)
        yield emu, (seed / "set.tar.gz").stat().st_size, members


def test_kill_9_mid_stream_then_stage_again_fetches_only_the_rest(
        seeded: tuple[DriveEmulator, int, dict[str, bytes]], tmp_path: Path) -> None:
    emu, size, members = seeded
    dest = tmp_path / "out"
    result = kill_and_resume(emu, child_id(emu, "set.tar.gz"), dest, dataset_bytes=size, kill_at=0.7)
    assert result.killed
    assert result.first_run_bytes >= 0.7 * size
    # Lost: the bytes since the last checkpoint and the request in flight, never the whole stream.
    assert result.refetched_bytes <= CHECKPOINT_BYTES + 3 * MiB, result  # in flight: ~0.5 s at 4 MiB/s
    assert result.second_run_bytes <= size - 0.7 * size + CHECKPOINT_BYTES + 3 * MiB
    for name, data in members.items():
        assert (dest / name).read_bytes() == data
    assert not (dest / ".colab_panel-download").exists()
