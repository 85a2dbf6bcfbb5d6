"""Creating a Drive item happens exactly once, even when Drive stored it but the answer was lost.

The emulator's `lose_answer` fault does what a dropped connection does at the worst moment: the
request is carried out (the folder or file exists), then the connection closes before any
answer. The client (`connection.DriveHttp`) never resends such a POST blindly: with an ID chosen
up front (files.generateIds) the next attempt looks that ID up and finds the item stored, and a
resend anyway meets Drive's 409 on the ID.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from googleapiclient.errors import HttpError

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging.sync import push
from support.drive import child_id, drive_fixtures


emu, drive = drive_fixtures("results")


def _named(emu: DriveEmulator, parent: str, title: str) -> list:
    return [i for i in emu.store.children(parent) if i.title == title]


def test_emulator_generates_ids_and_refuses_a_reused_or_unknown_one(emu: DriveEmulator) -> None:
    service = emu.build_service()
    answer = service.files().generateIds(maxResults=5).execute()
    assert answer["kind"] == "drive#generatedIds" and answer["space"] == "drive"
    ids = answer["ids"]
    assert len(ids) == len(set(ids)) == 5
    assert len(service.files().generateIds().execute()["ids"]) == 10  # Drive's default
    for bad in (0, 1001):
        with pytest.raises(HttpError) as caught:
            service.files().generateIds(maxResults=bad).execute()
        assert caught.value.resp.status == 400
    body = {"id": ids[0], "title": "chosen", "mimeType": "application/vnd.google-apps.folder"}
    made = service.files().insert(body=body).execute()
    assert made["id"] == ids[0]
    with pytest.raises(HttpError) as caught:
        service.files().insert(body={**body, "title": "again"}).execute()
    assert caught.value.resp.status == 409 and b"duplicate" in caught.value.content
    with pytest.raises(HttpError) as caught:
        service.files().insert(body={**body, "id": "1notAnIdDriveGaveOut0000000000000"}).execute()
    assert caught.value.resp.status == 400
    assert [i.id for i in _named(emu, emu.root_id, "chosen")] == [ids[0]]
    assert not _named(emu, emu.root_id, "again")


def test_folder_creation_whose_answer_is_lost_makes_one_folder(emu: DriveEmulator, drive: Drive) -> None:
    parent = child_id(emu, "results")
    emu.faults.lose_answer(method="POST", path="/drive/v2/files", times=1)
    made = drive.mkdir("runs", parent)
    assert not emu.faults.pending  # the answer really was lost
    assert [i.id for i in _named(emu, parent, "runs")] == [made.id]
    assert len(_creates(emu, "/drive/v2/files")) == 1  # found by its ID, not sent again


@pytest.mark.parametrize("size", [200_000, 6 * 1024 * 1024], ids=["multipart", "resumable"])
def test_upload_whose_answer_is_lost_makes_one_file(emu: DriveEmulator, drive: Drive, tmp_path: Path,
                                                    size: int) -> None:
    parent = child_id(emu, "results")
    local = tmp_path / "model.bin"
    local.write_bytes(os.urandom(size))
    # The request that stores the file: the multipart POST, or the resumable session's last PUT.
    emu.faults.lose_answer(method="PUT" if size > 5 * 1024 * 1024 else "POST", path="/upload/drive/v2/files", times=1)
    item = drive.upload(local, parent)
    assert not emu.faults.pending
    copies = _named(emu, parent, "model.bin")
    assert [c.id for c in copies] == [item.id]
    assert copies[0].md5 == hashlib.md5(local.read_bytes()).hexdigest()


def test_push_under_lost_answers_leaves_one_copy_of_every_file_and_folder(emu: DriveEmulator, drive: Drive,
                                                                          tmp_path: Path) -> None:
    local = tmp_path / "run"
    for sub in ("ckpt", "logs/train"):
        (local / sub).mkdir(parents=True)
    (local / "ckpt" / "e1.pt").write_bytes(os.urandom(100_000))
    (local / "logs" / "train" / "events.log").write_text("step 1\n")
    (local / "notes.txt").write_text("run 1\n")
    old = 1_000_000_000
    for path in local.rglob("*"):
        os.utime(path, (old, old))
    folder = child_id(emu, "results")
    emu.faults.lose_answer(method="POST", path="/drive/v2/files", times=2)  # folder creation
    emu.faults.lose_answer(method="POST", path="/upload/drive/v2/files", times=2)  # uploads
    report = push(local, folder, drive=drive, progress=None)
    assert report.changed == 3 and not emu.faults.pending
    ckpt = _named(emu, folder, "ckpt")
    logs = _named(emu, folder, "logs")
    assert len(ckpt) == 1 and len(logs) == 1 and len(_named(emu, folder, "notes.txt")) == 1
    assert len(_named(emu, ckpt[0].id, "e1.pt")) == 1
    train = _named(emu, logs[0].id, "train")
    assert len(train) == 1 and len(_named(emu, train[0].id, "events.log")) == 1
    assert push(local, folder, drive=drive, progress=None).changed == 0


def test_copy_whose_answer_is_lost_makes_one_copy(emu: DriveEmulator, drive: Drive, tmp_path: Path) -> None:
    parent = child_id(emu, "results")
    local = tmp_path / "a.txt"
    local.write_text("original")
    source = drive.upload(local, parent)
    emu.faults.lose_answer(method="POST", path="/copy", times=1)
    made = drive.copy(source.id, title="a copy.txt", parent=parent)
    assert not emu.faults.pending
    assert [i.id for i in _named(emu, parent, "a copy.txt")] == [made.id]
    assert len(_creates(emu, "/copy")) == 1  # found by its ID, not sent again


def test_a_create_resent_after_a_lost_answer_meets_409_and_finds_its_item(emu: DriveEmulator, drive: Drive,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the item not found by the look-up (a replica lagging behind), the resend with the
    same ID is refused with 409, and that too is taken as "made": still one folder."""
    import colab_panel.drive.create_once as create_once_module

    parent = child_id(emu, "results")
    real_lookup = create_once_module.lookup
    misses = iter([True])
    monkeypatch.setattr(create_once_module, "lookup",
                        lambda d, http, fid: None if next(misses, False) else real_lookup(d, http, fid))
    emu.faults.lose_answer(method="POST", path="/drive/v2/files", times=1)
    made = drive.mkdir("runs", parent)
    assert [i.id for i in _named(emu, parent, "runs")] == [made.id]
    assert len(_creates(emu, "/drive/v2/files")) == 2  # resent once, refused with 409


def _creates(emu: DriveEmulator, path_end: str) -> list:
    return [r for r in emu.requests.records if r.method == "POST" and r.path.endswith(path_end)]
