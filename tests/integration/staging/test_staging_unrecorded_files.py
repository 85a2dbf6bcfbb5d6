"""Files a killed folder stage finished but never recorded (the manifest is saved about once a
second) are not fetched again: a file at its final name with the listing's size and md5 is done.
A file there with the right size but other bytes is fetched again and replaced."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import child_id, seeded_emulator

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging import stage
from colab_panel.staging.manifest import MANIFEST_NAME

FILES = 12


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[DriveEmulator]:
    with seeded_emulator(tmp_path / "seed", {f"ds/f{i:02d}.bin": os.urandom(5000 + i) for i in range(FILES)}) as e:
        yield e


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
