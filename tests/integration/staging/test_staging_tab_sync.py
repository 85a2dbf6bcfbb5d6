"""The Staging tab inside the real Panel, against the Drive emulator: periodic push and the Drive selection.

Periodic push: Start pushes at once (files land on Drive, verified), the tab says what it did,
and closing the panel stops the sync thread. Selection: the Drive tab's selected item becomes
the Staging source with one click, and staging it works.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from support.drive import drive_fixtures
from support.polling import poll_until
from colab_panel.panel import Panel



def _dataset(seed: Path) -> None:
    (seed / "data.bin").write_bytes(b"dataset bytes " * 1000)


emu, drive = drive_fixtures("runs", seed=_dataset, max_page_size=7)  # the emulator's short pages


@pytest.fixture
def panel(drive: Drive, tmp_path: Path) -> Iterator[Panel]:
    p = Panel(staging_dir=tmp_path, drive=drive, staging_live=True)
    try:
        p.build_tabs()
        yield p
    finally:
        p.close()


def _tab(panel: Panel, title: str) -> Any:
    return next(parts.view for parts in panel.tabs if parts.title == title)


def _child(emu: DriveEmulator, title: str) -> str:
    return next(i.id for i in emu.store.children(emu.root_id) if i.title == title)


def _sync_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "colab_panel-sync"]


def test_periodic_push_pushes_and_stops_when_the_panel_closes(emu: DriveEmulator, panel: Panel,
                                                              tmp_path: Path) -> None:
    runs = tmp_path / "checkpoints"
    runs.mkdir()
    (runs / "epoch1.pt").write_bytes(b"weights " * 500)
    tab = _tab(panel, "Staging")
    tab.push_local.value = str(runs)
    tab.push_folder.value = _child(emu, "runs")
    tab.sync_minutes.value = 60.0  # after the first push, the next is far away: only close() can end it
    tab.sync_start.click()
    assert tab.controller.syncing and tab.sync_stop.disabled is False and tab.sync_start.disabled
    assert poll_until(lambda: "Pushed 1 files" in tab.controller.sync_status, timeout_s=30), tab.controller.sync_status
    assert "Next in 60 min" in tab.sync_status.value
    pushed = [i for i in emu.store.children(_child(emu, "runs")) if i.title == "epoch1.pt"]
    assert len(pushed) == 1 and pushed[0].blob is not None and pushed[0].blob.read_bytes() == b"weights " * 500
    assert len(_sync_threads()) == 1

    panel.close()
    assert _sync_threads() == []  # close() joined it: no thread left
    assert not tab.controller.syncing


def test_periodic_push_refuses_a_missing_folder_in_words(emu: DriveEmulator, panel: Panel, tmp_path: Path) -> None:
    tab = _tab(panel, "Staging")
    tab.push_local.value = str(tmp_path / "nope")
    tab.push_folder.value = _child(emu, "runs")
    tab.sync_start.click()
    assert "is not a folder" in tab.error.value and not tab.controller.syncing and _sync_threads() == []


def test_the_drive_tab_selection_becomes_the_source_with_one_click(emu: DriveEmulator, panel: Panel,
                                                                   tmp_path: Path) -> None:
    drive_tab = _tab(panel, "Drive").controller
    staging = _tab(panel, "Staging")
    assert staging.use_selection.layout.display == "none"  # nothing selected yet
    assert poll_until(lambda: any(i.title == "data.bin" for i in drive_tab.items), timeout_s=30)
    drive_tab.select(_child(emu, "data.bin"))
    assert staging.use_selection.layout.display == "" and "data.bin" in staging.use_selection.description
    assert staging.push_to_selection.layout.display == "none"  # a file is no push target
    staging.use_selection.click()
    assert staging.source.value == f"https://drive.google.com/file/d/{_child(emu, 'data.bin')}/view"
    staging.dest.value = str(tmp_path / "out")
    staging.stage_button.click()
    assert staging.controller.wait(timeout=30)
    assert (tmp_path / "out" / "data.bin").read_bytes() == b"dataset bytes " * 1000

    drive_tab.select(_child(emu, "runs"))
    assert staging.push_to_selection.layout.display == ""
    staging.push_to_selection.click()
    assert _child(emu, "runs") in staging.push_folder.value
