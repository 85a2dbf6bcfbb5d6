"""push() to the Drive emulator (only changed files travel, verified) and Drive staging on a full disk."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from support.drive import child_id, drive_fixtures
from support.polling import poll_until
from colab_panel.errors import InsufficientSpace, StagingError
from colab_panel.staging import drive_source, stage
from colab_panel.staging.sync import PeriodicSync, push



def _dataset(seed: Path) -> None:
    (seed / "ds").mkdir()
    for i in range(30):
        (seed / "ds" / f"f{i}.bin").write_bytes(os.urandom(100_000))


emu, drive = drive_fixtures("results", seed=_dataset)



def _uploads(emu: DriveEmulator) -> int:
    return sum(1 for r in emu.requests if r.path.startswith("/upload/"))


def test_push_uploads_only_new_or_changed_files_and_verifies_them(emu: DriveEmulator, drive: Drive,
                                                                   tmp_path: Path) -> None:
    local = tmp_path / "run"
    (local / "ckpt").mkdir(parents=True)
    (local / "log.txt").write_text("epoch 1\n")
    (local / "ckpt" / "e1.pt").write_bytes(os.urandom(200_000))
    (local / "ckpt" / "e1.pt.part").write_bytes(b"half")  # never pushed
    folder = child_id(emu, "results")
    first = push(local, f"https://drive.google.com/drive/folders/{folder}", drive=drive, progress=None)
    assert set(first.uploaded) == {"log.txt", "ckpt/e1.pt"} and first.updated == () and first.unchanged == 0
    ckpt_dir = [i for i in emu.store.children(folder) if i.title == "ckpt"]
    assert len(ckpt_dir) == 1
    [stored] = [i for i in emu.store.children(ckpt_dir[0].id) if i.title == "e1.pt"]
    log_id = next(i.id for i in emu.store.children(folder) if i.title == "log.txt")

    time.sleep(0.01)  # a different mtime, as a later epoch would write
    (local / "log.txt").write_text("epoch 1\nepoch 2\n")
    (local / "ckpt" / "e2.pt").write_bytes(os.urandom(150_000))
    emu.requests.clear()
    second = push(local, folder, drive=drive, progress=None)
    assert second.uploaded == ("ckpt/e2.pt",) and second.updated == ("log.txt",) and second.unchanged == 1
    assert _uploads(emu) == 2
    updated = emu.store.get(log_id)
    assert updated is not None and updated.size == len("epoch 1\nepoch 2\n")  # same Drive file, new bytes
    assert stored.id in {i.id for i in emu.store.children(ckpt_dir[0].id)}

    emu.requests.clear()
    third = push(local, folder, drive=drive, progress=None)
    assert third.changed == 0 and third.unchanged == 3 and _uploads(emu) == 0
    assert "up to date" in third.summary()


def test_push_refuses_a_file_as_target_and_a_missing_folder(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    with pytest.raises(StagingError, match="is not a folder on this machine"):
        push(tmp_path / "nope", child_id(emu, "results"), drive=drive, progress=None)
    (tmp_path / "x").mkdir()
    a_file = next(i.id for i in emu.store.children(child_id(emu, "ds")))
    with pytest.raises(StagingError, match="is a file, not a folder"):
        push(tmp_path / "x", a_file, drive=drive, progress=None)


def test_periodic_sync_pushes_and_stops_when_closed(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    local = tmp_path / "run"
    local.mkdir()
    (local / "a.txt").write_text("a")
    sync = PeriodicSync(local, child_id(emu, "results"), interval_s=0.05, drive=drive)
    try:
        poll_until(lambda: sync.last_report is not None, timeout_s=20)
        assert sync.last_report is not None and sync.last_error == ""
    finally:
        sync.close()
    assert not sync.running
    assert [i.title for i in emu.store.children(child_id(emu, "results"))] == ["a.txt"]


def test_folder_too_big_for_the_disk_is_refused_before_downloading(emu: DriveEmulator, drive: Drive,
                                                                   tiny_disk: Path) -> None:
    with pytest.raises(InsufficientSpace, match=r"needs 2\.\d MB, only 2\.0 MB free"):
        stage(f"drive:{child_id(emu, 'ds')}", tiny_disk / "ds", drive=drive, progress=None)
    assert emu.requests.count(media=True) == 0
    assert list(tiny_disk.iterdir()) == []


def test_disk_filling_up_mid_folder_says_so_and_leaves_no_partial_file(emu: DriveEmulator, drive: Drive,
                                                                        tiny_disk: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drive_source, "check_space", lambda dest, needed: None)  # let the real disk run out
    dest = tiny_disk / "ds"
    with pytest.raises(InsufficientSpace, match="filled up"):
        stage(f"drive:{child_id(emu, 'ds')}", dest, drive=drive, progress=None)
    leftovers = [p for p in dest.rglob("*") if p.name.endswith(".part")]
    assert leftovers == []
    whole = [p for p in dest.glob("f*.bin")]
    assert all(p.stat().st_size == 100_000 for p in whole)
