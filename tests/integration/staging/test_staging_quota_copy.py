"""stage() meets a shared file's download quota: the error says so and names the call; via_copy stages a copy."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest

from colab_panel import StagingError, stage
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging.quota import DownloadQuotaBlocked
from support.drive import emulator_drive

SHARED = "1QuotaZipQuotaZipQuotaZipQuotaZ00"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data/a.txt", "a" * 100)
        archive.writestr("data/b.txt", "b" * 100)
    return buffer.getvalue()


@pytest.fixture
def emu() -> Iterator[DriveEmulator]:
    import base64

    manifest = {
        "accounts": [{"email": "alice@example.com", "name": "Alice", "token": "alice-token"}],
        "items": [{"title": "set.zip", "id": SHARED, "owner": "alice@example.com",
                   "contentBase64": base64.b64encode(_zip()).decode(),
                   "permissions": [{"type": "anyone", "role": "reader", "withLink": True}]}],
    }
    with DriveEmulator(manifest=manifest) as emulator:
        emulator.web.exceed_download_quota(SHARED)
        yield emulator


def test_quota_error_says_so_and_names_the_call(emu, tmp_path):
    link = f"https://drive.google.com/file/d/{SHARED}/view"
    with emulator_drive(emu) as drive, pytest.raises(DownloadQuotaBlocked) as caught:
        stage(link, tmp_path / "set", drive=drive, progress=None)
    words = str(caught.value)
    assert "over Drive's download quota" in words
    assert f"stage({link!r}, via_copy=True)" in words and "colab-panel stage --via-copy" in words
    assert isinstance(caught.value, StagingError)


def test_via_copy_stages_a_server_side_copy_and_reuses_it(emu, tmp_path):
    with emulator_drive(emu) as drive:
        first = stage(SHARED, tmp_path / "one", drive=drive, progress=None, via_copy=True)
        second = stage(SHARED, tmp_path / "two", drive=drive, progress=None, via_copy=True)
    assert (first.path / "data" / "a.txt").read_text() == "a" * 100
    assert any("Staged from a copy in your Drive" in note for note in first.notes)
    assert any("reused the copy made earlier" in note for note in second.notes)
    copies = [i for i in emu.store.children(emu.root_id) if i.title == "set.zip"]
    assert len(copies) == 1 and copies[0].owner == "me@example.com"


def test_via_copy_for_a_url_is_refused_in_words(tmp_path):
    with pytest.raises(StagingError, match="not a Drive link"):
        stage("https://example.com/set.zip", tmp_path / "x", progress=None, via_copy=True)


def test_a_folder_with_an_over_quota_file_offers_the_copy_and_via_copy_stages_it(tmp_path):
    folder = "1QuotaDirQuotaDirQuotaDirQuotaD00"
    blocked = "1QuotaPartQuotaPartQuotaPartQuo00"
    manifest = {
        "accounts": [{"email": "alice@example.com", "name": "Alice", "token": "alice-token"}],
        "items": [{"title": "shards", "id": folder, "owner": "alice@example.com",
                   "permissions": [{"type": "anyone", "role": "reader", "withLink": True}],
                   "children": [{"title": "a.bin", "owner": "alice@example.com", "content": "a" * 50},
                                {"title": "b.bin", "id": blocked, "owner": "alice@example.com",
                                 "content": "b" * 50}]}],
    }
    with DriveEmulator(manifest=manifest) as emu:
        emu.web.exceed_download_quota(blocked)
        with emulator_drive(emu) as drive:
            with pytest.raises(DownloadQuotaBlocked, match="via_copy=True"):
                stage(folder, tmp_path / "direct", drive=drive, progress=None)
            result = stage(folder, tmp_path / "copied", drive=drive, progress=None, via_copy=True)
    assert (result.path / "b.bin").read_bytes() == b"b" * 50 and result.files == 2


def test_staging_tab_offers_stage_from_a_copy_after_a_quota_error(emu, tmp_path):
    from colab_panel.controllers.staging import StagingController
    from colab_panel.views.staging import StagingTab

    with emulator_drive(emu) as drive:
        controller = StagingController(drive=drive, live=False)
        tab = StagingTab(controller)
        try:
            controller.source, controller.dest = SHARED, str(tmp_path / "set")
            assert tab.via_copy_button.layout.display == "none"
            tab.stage_button.click()
            assert controller.wait(60)
            controller.poll()
            assert "over Drive's download quota" in controller.error and controller.quota_blocked
            assert tab.via_copy_button.layout.display is None
            tab.via_copy_button.click()
            assert controller.wait(60)
            controller.poll()
            assert controller.error == "" and not controller.quota_blocked
            assert "Staged from a copy in your Drive" in controller.message
            assert tab.via_copy_button.layout.display == "none"
            assert (tmp_path / "set" / "data" / "a.txt").exists()
        finally:
            controller.close()
            tab.close()
