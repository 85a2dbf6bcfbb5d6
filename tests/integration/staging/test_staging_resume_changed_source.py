"""An interrupted Drive-folder stage keeps its `.part`s; when a file changed on Drive in between,
the rerun notices (the part records the identity of what it holds) and fetches that file again,
instead of resuming stale bytes into a ChecksumMismatch."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import child_id, seeded_emulator

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.emulator.store import now
from colab_panel.errors import StagingError
from colab_panel.staging import parallel_ranges, stage
from colab_panel.staging.progress import Progress

SIZE = 1024 * 1024


DRIVE_OPTIONS = {"chunk_size": 64 * 1024}  # for the `drive` fixture (conftest)


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[DriveEmulator]:
    files = {"ds/done.txt": b"small and finished first", "ds/data.bin": os.urandom(SIZE)}
    with seeded_emulator(tmp_path / "seed", files) as e:
        yield e


def _parts(dest: Path) -> list[Path]:
    return sorted(p for p in dest.rglob("*.part"))


def _interrupt(emu: DriveEmulator, drive: Drive, folder: str, dest: Path) -> None:
    """Stage until ~a third of data.bin is in, then every media request drops: the .part stays."""
    emu.faults.bandwidth(2 * 1024 * 1024)
    broken = threading.Event()

    def break_network(p: Progress) -> None:
        if p.phase == "download" and p.bytes_done >= SIZE // 3 and not broken.is_set():
            broken.set()
            emu.faults.reset(after_bytes=10, times=None, media=True)

    with pytest.raises(StagingError):
        stage(folder, dest, drive=drive, progress=break_network, workers=2)
    assert _parts(dest), "the interrupted file should have kept its .part"
    emu.faults.clear()


def _change_on_drive(emu: DriveEmulator, title: str, data: bytes) -> None:
    [item] = [i for i in emu.store.items.values() if i.title == title]
    with emu.store.lock:
        item.blob, item.size, item.md5 = emu.store.write_blob(data)
        item.modified = now()
        item.version += 1


@pytest.mark.parametrize("ranged", [False, True], ids=["one-stream", "parallel-ranges"])
def test_a_file_changed_on_drive_after_an_interrupted_folder_stage_is_fetched_again(
        emu: DriveEmulator, drive: Drive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ranged: bool) -> None:
    monkeypatch.setattr(parallel_ranges, "PARALLEL_MIN_BYTES", 256 * 1024 if ranged else 64 * SIZE)
    folder = child_id(emu, "ds")
    dest = tmp_path / "ds"
    _interrupt(emu, drive, folder, dest)
    new = os.urandom(SIZE)  # same size: only the content tells the versions apart
    _change_on_drive(emu, "data.bin", new)
    result = stage(folder, dest, drive=drive, progress=None, workers=2)
    assert result.files == 2 and not result.cached
    assert (dest / "data.bin").read_bytes() == new
    assert (dest / "done.txt").read_bytes() == b"small and finished first"
    assert _parts(dest) == [] and not (dest / ".colab_panel-download").exists()


def test_an_unchanged_file_still_resumes_from_its_part(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    folder = child_id(emu, "ds")
    dest = tmp_path / "ds"
    _interrupt(emu, drive, folder, dest)
    kept = sum(p.stat().st_size for p in _parts(dest))
    emu.requests.clear()
    stage(folder, dest, drive=drive, progress=None, workers=2)
    fetched = [r.headers.get("range", "") for r in emu.requests if r.media]
    assert fetched and fetched[0].startswith(f"bytes={kept}-")  # resumed, not refetched
    assert _parts(dest) == []


def test_a_kept_part_whose_bytes_were_not_flushed_is_fetched_again(emu: DriveEmulator, drive: Drive,
                                                                    tmp_path: Path) -> None:
    folder = child_id(emu, "ds")
    dest = tmp_path / "ds"
    _interrupt(emu, drive, folder, dest)
    [part] = _parts(dest)
    with open(part, "r+b") as f:  # after a crash of the machine, unflushed pages read back as zeros
        f.seek(part.stat().st_size // 2)
        f.write(bytes(4096))
    result = stage(folder, dest, drive=drive, progress=None, workers=2)
    assert result.files == 2
    [item] = [i for i in emu.store.items.values() if i.title == "data.bin"]
    assert (dest / "data.bin").read_bytes() == item.blob.read_bytes()
    assert _parts(dest) == []
