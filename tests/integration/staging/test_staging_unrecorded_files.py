"""Files a killed folder stage finished but never recorded (the manifest is saved about once a
second) are not fetched again: a file at its final name with the listing's size and md5 is done.
A file there with the right size but other bytes is fetched again and replaced."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging import stage
from colab_panel.staging.manifest import MANIFEST_NAME
from support.drive import child_id, emulator_drive

FILES = 12


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[DriveEmulator]:
    seed = tmp_path / "seed" / "ds"
    seed.mkdir(parents=True)
    for i in range(FILES):
        (seed / f"f{i:02d}.bin").write_bytes(os.urandom(5000 + i))
    with DriveEmulator(root=tmp_path / "seed", max_page_size=1000) as emulator:
        yield emulator


@pytest.fixture
def drive(emu: DriveEmulator) -> Iterator[Drive]:
    with emulator_drive(emu) as d:
        yield d


def _forget_files(dest: Path) -> None:
    """The manifest as a run killed before its next save leaves it: no file recorded, not complete."""
    path = dest / MANIFEST_NAME
    data = json.loads(path.read_text())
    data["files"], data["complete"], data["summary"] = {}, False, {}
    path.write_text(json.dumps(data))


def test_finished_but_unrecorded_files_are_not_fetched_again(emu: DriveEmulator, drive: Drive,
                                                             tmp_path: Path) -> None:
    folder, dest = child_id(emu, "ds"), tmp_path / "ds"
    stage(folder, dest, drive=drive, progress=None)
    _forget_files(dest)
    emu.requests.clear()
    result = stage(folder, dest, drive=drive, progress=None)
    assert result.files == FILES and not result.cached
    assert emu.requests.count(media=True) == 0
    assert len(json.loads((dest / MANIFEST_NAME).read_text())["files"]) == FILES  # recorded now


def test_a_file_of_the_right_size_but_other_bytes_is_fetched_again(emu: DriveEmulator, drive: Drive,
                                                                   tmp_path: Path) -> None:
    folder, dest = child_id(emu, "ds"), tmp_path / "ds"
    stage(folder, dest, drive=drive, progress=None)
    _forget_files(dest)
    wrong = dest / "f03.bin"
    good = wrong.read_bytes()
    wrong.write_bytes(bytes(len(good)))
    emu.requests.clear()
    stage(folder, dest, drive=drive, progress=None)
    assert {r.path for r in emu.requests if r.media} == {"/drive/v2/files/" + _id(emu, "f03.bin")}
    assert wrong.read_bytes() == good


def _id(emu: DriveEmulator, title: str) -> str:
    [item] = [i for i in emu.store.items.values() if i.title == title]
    return item.id
