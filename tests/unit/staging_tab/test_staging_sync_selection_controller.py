"""StagingController: periodic-push input checks and the Drive selection offer, without a network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import traitlets

from colab_panel.controllers.staging import StagingController, drive_link
from colab_panel.drive.items import FOLDER_MIME, DriveItem
from colab_panel.views.staging import StagingTab

DOC = DriveItem(id="doc1", title="Notes", mime_type="application/vnd.google-apps.document")
FOLDER = DriveItem(id="fold1", title="runs", mime_type=FOLDER_MIME, resource_key="0-key")


def test_sync_interval_and_folders_are_checked_in_words(tmp_path: Path) -> None:
    c = StagingController(live=True)
    with pytest.raises(traitlets.TraitError, match="Push every"):
        c.sync_minutes = 0
    assert not c.start_sync() and "Give both" in c.error
    c.push_local, c.push_folder = str(tmp_path / "missing"), "fold1"
    assert not c.start_sync() and "is not a folder" in c.error and not c.syncing


def test_stop_before_the_first_push_says_so(tmp_path: Path) -> None:
    made: list[Any] = []

    class FakeSync:  # records what the controller asked for; never pushes
        def __init__(self, local: str, folder: str, interval_s: float, **kwargs: Any) -> None:
            self.args, self.last_run_at, self.closed = (local, folder, interval_s, kwargs), None, False
            made.append(self)

        def close(self) -> None:
            self.closed = True

    c = StagingController(live=True, sync_factory=FakeSync)
    c.push_local, c.push_folder, c.sync_minutes = str(tmp_path), "fold1", 2.5
    assert c.start_sync() and c.syncing
    assert not c.start_sync() and "already running" in c.error
    assert made[0].args[:3] == (str(tmp_path), "fold1", 150.0) and made[0].args[3]["immediately"]
    c.close()
    assert made[0].closed and not c.syncing and c.sync_status == "Periodic push stopped before its first push."


def test_selection_offer_refuses_a_google_doc_and_keeps_a_resource_key() -> None:
    c = StagingController(live=True)
    view = StagingTab(c)
    assert not c.use_suggestion() and "Nothing is selected" in c.error
    c.suggest(DOC)
    assert view.use_selection.layout.display == "" and view.push_to_selection.layout.display == "none"
    view.use_selection.click()
    assert "Google document" in view.error.value and c.source == ""
    c.suggest(FOLDER)
    view.push_to_selection.click()
    assert c.push_folder == "https://drive.google.com/drive/folders/fold1?resourcekey=0-key" == drive_link(FOLDER)
    c.suggest(None)
    assert view.use_selection.layout.display == "none"
