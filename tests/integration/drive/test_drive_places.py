"""The Drive tab's places, search, multi-selection and hand-offs, against the emulator over real HTTPS."""

from __future__ import annotations

from typing import Any

import pytest

from colab_panel.controllers.drive import DriveController
from colab_panel.drive.client import Drive
from colab_panel.drive.retry import RetryPolicy

TEAM_ID = "0ATeamTeamTeamTeamUk9PVA"


@pytest.fixture
def manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    manifest = dict(manifest)
    manifest["items"] = [*manifest["items"],
                         {"title": "starred report.pdf", "starred": True, "content": "r"},
                         {"title": "old draft.txt", "trashed": True, "content": "d"}]
    manifest["sharedDrives"] = [{"name": "Team data", "id": TEAM_ID,
                                 "members": [{"email": "me@example.com", "role": "organizer"}],
                                 "children": [{"title": "team", "children": [{"title": "team report.csv", "content": "a"}]}]}]
    return manifest


@pytest.fixture
def controller(emulator, tmp_path):
    drive = Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path,
                               retry=RetryPolicy(sleep=lambda s: None))
    c = DriveController(drive, default_dest=tmp_path / "dl")
    c.refresh()
    c.settle()
    yield c
    c.close()
    drive.close()


def titles(c: DriveController) -> list[str]:
    return [i.title for i in c.visible]


def test_places_list_what_drive_would(controller: DriveController) -> None:
    controller.open_place("starred")
    controller.settle()
    assert titles(controller) == ["starred report.pdf"] and controller.breadcrumbs == [("place:starred", "Starred")]
    controller.open_place("shared")
    controller.settle()
    assert titles(controller) == ["alice-shares-with-everyone.txt"]
    controller.open_place("trash")
    controller.settle()
    assert titles(controller) == ["old draft.txt"] and controller.place == "trash"
    controller.open_place("drives")
    controller.settle()
    assert titles(controller) == ["Team data"]
    controller.open_item(TEAM_ID)  # a shared drive opens like a folder
    controller.settle()
    assert controller.place == "" and titles(controller) == ["team"]
    controller.open_item(controller.visible[0].id)
    controller.settle()
    assert titles(controller) == ["team report.csv"] and [t for _, t in controller.breadcrumbs] == ["Team data", "team"]
    controller.up()
    assert controller.folder_id == TEAM_ID
    controller.open_place("mydrive")
    controller.settle()
    assert "many" in titles(controller) and controller.place == ""
    controller.open_place("nowhere")
    assert "no place called" in controller.error


def test_search_finds_names_across_drive_paged(controller: DriveController, emulator) -> None:
    controller.search("f1")
    assert controller.listing  # the first page (7) at once, the rest from a thread
    controller.settle()
    assert titles(controller) == [f"f1{i}.txt" for i in range(10)] and controller.place == "search"
    assert controller.breadcrumbs == [("place:search", "Search: f1")]
    controller.search("report")
    controller.settle()
    assert titles(controller) == ["starred report.pdf", "team report.csv"]  # shared drives too
    controller.search("  ")
    assert controller.error_at == "search" and "Type part of a name" in controller.error


def test_restore_and_empty_trash_with_confirm(controller: DriveController, emulator) -> None:
    controller.open_place("trash")
    controller.settle()
    controller.select_ids([controller.visible[0].id])
    controller.restore()
    assert "Restored 1 item" in controller.message and titles(controller) == []
    controller.open_place("mydrive")
    controller.settle()
    doomed = [i.id for i in controller.visible if i.title in ("a.txt", "big.bin")]
    controller.select_ids(doomed)
    controller.trash(confirm=True)
    controller.open_place("trash")
    controller.settle()
    assert titles(controller) == ["a.txt", "big.bin"]
    controller.empty_trash()
    assert controller.pending == "empty_trash" and "cannot be undone" in controller.confirm_message
    assert all(emulator.store.get(i) is not None for i in doomed)  # nothing yet
    controller.confirm()
    controller.settle()
    assert controller.message == "Emptied the trash." and titles(controller) == []
    assert all(emulator.store.get(i) is None for i in doomed)


def test_multi_selection_download_move_trash(controller: DriveController, emulator, tmp_path) -> None:
    by_title = {i.title: i for i in controller.items}
    controller.select_ids([by_title["a.txt"].id, by_title["big.bin"].id, by_title["sub"].id])
    assert controller.selection is None and len(controller.selected_items) == 3
    controller.download(dest=str(tmp_path / "out") + "/")
    assert not controller.error, controller.error
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "big.bin"]
    assert "Saved 2 files" in controller.message and "Left out 1 folder" in controller.message

    controller.select_ids([by_title["a.txt"].id, by_title["empty.bin"].id])
    controller.move(by_title["sub"].id)
    controller.settle()
    assert "Moved 2 items to 'sub'" in controller.message and "a.txt" not in titles(controller)

    controller.open_item(by_title["many"].id)
    controller.settle()
    three = [i.id for i in controller.visible[:3]]
    controller.select_ids(three)
    controller.trash()
    assert controller.confirm_message.startswith("Move 3 items to the trash?")
    controller.select_ids([])  # the selection changing after the question does not change the answer
    controller.confirm()
    controller.settle()
    assert controller.message == "Moved 3 items to the trash." and len(controller.items) == 17
    assert all(emulator.store.is_trashed(emulator.store.get(i)) for i in three)
    controller.rename("x")
    assert controller.error_at == "name"


def test_hand_to_share_and_staging_reaches_listeners(controller: DriveController) -> None:
    heard: list[tuple[str, list[str]]] = []
    remove = controller.on_hand(lambda target, items: heard.append((target, [i.title for i in items])))
    by_title = {i.title: i for i in controller.items}
    controller.select_ids([by_title["a.txt"].id, by_title["big.bin"].id])
    assert controller.hand_to("share") and heard == [("share", ["a.txt", "big.bin"])]
    assert not controller.hand_to("printer") and "Cannot hand items" in controller.error
    remove()
    assert not controller.hand_to("share") and "not in this panel" in controller.error
    controller.select_ids([])
    assert not controller.hand_to("staging") and controller.error_at == "selection"


def test_panel_share_and_stage_buttons_switch_tabs_and_hand_the_selection_over(emulator, tmp_path) -> None:
    from colab_panel.panel import Panel

    drive = Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path,
                               retry=RetryPolicy(sleep=lambda s: None))
    panel = Panel(staging_dir=tmp_path, drive=drive)
    try:
        panel.build_tabs(0)
        drive_tab = panel.slots[0].parts
        c = drive_tab.view.controller
        c.settle()
        by_title = {i.title: i for i in c.items}
        c.select_ids([by_title["a.txt"].id, by_title["big.bin"].id])
        drive_tab.view.share_button.click()
        titles = [s.title for s in panel.slots]
        assert panel._tab.selected_index == titles.index("Share")
        share = panel._context.shared["share"]
        assert [r.name for r in share.batch_rows] == ["a.txt", "big.bin"]

        panel._tab.selected_index = 0
        drive_tab.view.stage_button.click()  # two selected: said in the Drive tab, no switch
        assert panel._tab.selected_index == 0 and "one file or folder at a time" in c.error
        c.select(by_title["big.bin"].id)
        drive_tab.view.stage_button.click()
        assert panel._tab.selected_index == titles.index("Staging")
        assert by_title["big.bin"].id in panel._context.shared["staging"].source
    finally:
        panel.close()
        drive.close()


def test_the_demo_drive_has_something_in_every_place(tmp_path) -> None:
    from colab_panel.demo.drive_sample import sample_manifest, write_sample_files
    from colab_panel.drive.emulator import DriveEmulator

    with DriveEmulator(manifest=sample_manifest(write_sample_files(tmp_path))) as emu:
        drive = Drive.for_emulator(emu.base_url, emu.token, emu.ca_cert_path)
        c = DriveController(drive)
        try:
            seen = {}
            for place in ("shared", "drives", "starred", "trash"):
                c.open_place(place)
                c.settle()
                seen[place] = titles(c)
            assert seen == {"shared": ["Lab protocol"], "drives": ["Team datasets"], "starred": ["Training log"],
                            "trash": ["old-results.csv"]}
        finally:
            c.close()
            drive.close()
