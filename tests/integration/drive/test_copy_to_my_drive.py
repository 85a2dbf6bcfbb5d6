"""'Copy to my Drive' and 'Add to My Drive' against the emulator, as another user's shared folder.

Nothing is downloaded (no media request reaches the emulator), a retry after a failure half-way
finishes the copy without duplicates, and an over-quota file still copies and its copy downloads.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from colab_panel.drive.copying import add_shortcut, copy_to_my_drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.errors import DriveError, DriveNotFound, DriveQuotaExceeded
from support.drive import emulator_drive

SHARED = "1SharedSetSharedSetSharedSetSha00"
BIG = "1BigPartBigPartBigPartBigPartBig00"
ANYONE = [{"type": "anyone", "role": "reader", "withLink": True}]


@pytest.fixture
def emu() -> Iterator[DriveEmulator]:
    manifest = {
        "accounts": [{"email": "alice@example.com", "name": "Alice", "token": "alice-token"}],
        "items": [{"title": "dataset", "id": SHARED, "owner": "alice@example.com", "permissions": ANYONE,
                   "children": [
                       {"title": "train.bin", "id": BIG, "owner": "alice@example.com", "content": "t" * 5000},
                       {"title": "labels.csv", "owner": "alice@example.com", "content": "x,y\n"},
                       {"title": "val", "owner": "alice@example.com", "children": [
                           {"title": "v1.bin", "owner": "alice@example.com", "content": "v1"},
                           {"title": "v2.bin", "owner": "alice@example.com", "content": "v2"}]}]}],
    }
    with DriveEmulator(manifest=manifest) as emulator:
        yield emulator


def _tree(emu: DriveEmulator, folder_id: str, prefix: str = "") -> dict[str, tuple[str, str | None]]:
    out = {}
    for child in emu.store.children(folder_id):
        path = prefix + child.title
        out[path] = (child.owner, emu.store.md5_of(child))
        if child.is_folder:
            out.update(_tree(emu, child.id, path + "/"))
    return out


def test_copy_a_shared_folder_server_side_recursively(emu):
    with emulator_drive(emu) as drive:
        report = copy_to_my_drive(f"https://drive.google.com/drive/folders/{SHARED}", drive=drive)
    assert report.files_copied == 4 and report.folders_made == 2 and report.files_reused == 0
    assert report.bytes_copied == 5000 + 4 + 2 + 2
    assert "4 file(s)" in report.describe() and "copied by Drive" in report.describe()
    source, copy = _tree(emu, SHARED), _tree(emu, report.copy.id)
    assert set(copy) == set(source) == {"train.bin", "labels.csv", "val", "val/v1.bin", "val/v2.bin"}
    assert all(owner == "me@example.com" for owner, _ in copy.values())
    assert {p: md5 for p, (_, md5) in copy.items()} == {p: md5 for p, (_, md5) in source.items()}
    assert emu.store.get(report.copy.id).parents == [emu.root_id]
    assert not [r for r in emu.requests.records if r.media], "no bytes may pass through the runtime"


def test_a_retry_after_a_failure_finishes_without_duplicates(emu):
    copies = [0]

    def third_copy(info) -> bool:
        if not info.path.endswith("/copy"):
            return False
        copies[0] += 1
        return copies[0] == 3

    emu.faults.fail(status=400, reason="badRequest", path=third_copy, message="scripted failure")
    with emulator_drive(emu) as drive:
        with pytest.raises(DriveError):
            copy_to_my_drive(SHARED, drive=drive)
        report = copy_to_my_drive(SHARED, drive=drive)
    assert report.files_reused == 2 and report.files_copied == 2 and report.folders_made == 0
    [top] = [i for i in emu.store.children(emu.root_id) if i.title == "dataset"]
    assert top.id == report.copy.id
    assert sorted(_tree(emu, top.id)) == ["labels.csv", "train.bin", "val", "val/v1.bin", "val/v2.bin"]


def test_over_quota_file_still_copies_and_the_copy_downloads(emu, tmp_path):
    emu.web.exceed_download_quota(BIG)
    with emulator_drive(emu) as drive:
        with pytest.raises(DriveQuotaExceeded):
            drive.download(BIG, tmp_path / "direct.bin")
        report = copy_to_my_drive(BIG, drive=drive)
        path = drive.download(report.copy, tmp_path / "copy.bin")
    assert path.read_bytes() == b"t" * 5000 and report.copy.title == "train.bin"


def test_add_to_my_drive_makes_one_shortcut(emu):
    with emulator_drive(emu) as drive:
        first = add_shortcut(SHARED, drive=drive)
        again = add_shortcut(SHARED, drive=drive)
    assert first.id == again.id and first.shortcut_target_id == SHARED
    shortcuts = [i for i in emu.store.children(emu.root_id) if i.shortcut_target == SHARED]
    assert len(shortcuts) == 1 and shortcuts[0].title == "dataset"
    assert not [r for r in emu.requests.records if r.media]


def test_copy_of_something_you_cannot_see_says_so(emu):
    with emulator_drive(emu) as drive:
        with pytest.raises(DriveNotFound, match="is visible to this account"):
            copy_to_my_drive("1NoSuchNoSuchNoSuchNoSuchNoSuch00", drive=drive)


def test_cli_copy_and_shortcut(emu, monkeypatch, capsys):
    from colab_panel.cli import main
    from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA, ENV_EMULATOR_TOKEN

    monkeypatch.setenv(ENV_EMULATOR, emu.base_url)
    monkeypatch.setenv(ENV_EMULATOR_TOKEN, emu.token)
    monkeypatch.setenv(ENV_EMULATOR_CA, str(emu.ca_cert_path))
    assert main(["drive", "copy", f"https://drive.google.com/drive/folders/{SHARED}", "--title", "mine"]) == 0
    assert "Copied mine into your Drive" in capsys.readouterr().out
    assert main(["drive", "copy", SHARED, "--title", "mine"]) == 0  # a rerun reuses, never duplicates
    assert "4 already there from an earlier run" in capsys.readouterr().out
    assert main(["drive", "shortcut", SHARED]) == 0
    assert "added a shortcut to dataset" in capsys.readouterr().out
    assert main(["drive", "copy", "1NoSuchNoSuchNoSuchNoSuchNoSuch00"]) == 1
    assert capsys.readouterr().err.startswith("colab-panel: No Drive file or folder")


def test_public_names():
    import colab_panel

    assert colab_panel.copy_to_my_drive is copy_to_my_drive and colab_panel.add_shortcut is add_shortcut


def test_drive_tab_buttons_copy_and_add_a_shortcut(emu, tmp_path):
    from colab_panel.controllers.drive import DriveController
    from colab_panel.views.drive import DriveTab

    with emulator_drive(emu) as drive:
        c = DriveController(drive, default_dest=tmp_path / "dl")
        tab = DriveTab(c, page_rows=10)
        try:
            c.refresh()
            c.settle()
            assert tab.copy_mine_button.disabled  # nothing selected yet
            c.open(f"https://drive.google.com/drive/folders/{SHARED}")
            c.settle()
            c.select(BIG)
            assert not tab.copy_mine_button.disabled
            tab.copy_mine_button.click()
            assert c.error == "" and "Copied train.bin into your Drive" in c.message
            tab.shortcut_button.click()
            assert c.error == "" and "Added a shortcut to 'train.bin'" in c.message
            c.select(None)
            c.copy_to_my_drive()
            assert c.error == "Select a file or folder in the list first."
        finally:
            c.close()
            tab.close()
    [copied] = [i for i in emu.store.children(emu.root_id) if i.title == "train.bin" and not i.shortcut_target]
    assert copied.owner == "me@example.com" and emu.store.md5_of(copied) == emu.store.md5_of(emu.store.get(BIG))
    assert [i.shortcut_target for i in emu.store.children(emu.root_id) if i.shortcut_target] == [BIG]


def test_one_listing_per_destination_folder_not_per_file(emu):
    with emulator_drive(emu) as drive:
        copy_to_my_drive(SHARED, drive=drive)
        emu.requests.clear()
        again = copy_to_my_drive(SHARED, drive=drive)  # everything reused: only listings, no copies
    lists = [r for r in emu.requests.records if r.method == "GET" and r.path == "/drive/v2/files"]
    assert again.files_reused == 4 and again.files_copied == 0
    # destination: My Drive, the copy, its val/ — plus the source's two folders
    assert len(lists) == 5, [r.query.get("q") for r in lists]
