"""An upload that asked for a Drive folder is copied there, subfolders and md5 included."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.drive import emulator_drive
from support.transfers import call

from colab_panel.drive.emulator import DriveEmulator
from colab_panel.transfers.drive_onward import DriveOnward
from colab_panel.transfers.routes import TransferService


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[DriveEmulator]:
    (tmp_path / "seed").mkdir()
    with DriveEmulator(root=tmp_path / "seed", max_page_size=1000) as emulator:
        yield emulator


def test_a_finished_upload_goes_on_to_drive(emu: DriveEmulator, tmp_path: Path):
    data = os.urandom(300_000)
    with emulator_drive(emu) as drive:
        onward = DriveOnward(lambda: drive)
        service = TransferService(default_dest=tmp_path / "in", on_uploaded=onward.submit,
                                  drive_status=onward.status)
        try:
            spec = {"name": "set/x.bin", "size_bytes": len(data), "drive_folder": emu.root_id}
            up = json.loads(call(service, "POST", "/transfers/upload", spec)[2])
            call(service, "PUT", f"/transfers/upload/{up['id']}?offset=0", data)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                status = json.loads(call(service, "GET", f"/transfers/upload/{up['id']}")[2])
                if status["drive"] and not status["drive"].endswith("…"):
                    break
                time.sleep(0.05)
        finally:
            service.close()
            onward.close()
    assert status["drive"] == "On Drive, md5 matches"
    [folder] = [i for i in emu.store.children(emu.root_id) if i.title == "set"]
    [item] = [i for i in emu.store.children(folder.id) if i.title == "x.bin"]
    assert item.md5 == hashlib.md5(data).hexdigest()
