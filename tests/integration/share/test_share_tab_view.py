"""The Share tab's controller and view against the emulator: clicks, confirm bar, undo, batch."""

from __future__ import annotations

import pytest

from colab_panel.controllers.share import ShareController
from colab_panel.share import ShareHistory
from colab_panel.views.share import ShareTab


@pytest.fixture
def tab(drive):
    controller = ShareController(drive=drive, history=ShareHistory())
    view = ShareTab(controller)
    yield view
    controller.close()
    view.close()


def test_show_links_and_sharing(tab, known):
    tab.target.value = f"https://drive.google.com/file/d/{known.file_id}/view"
    tab.show_button.click()
    c = tab.controller
    assert c.error == ""
    assert set(tab.copy_buttons) >= {"view", "download", "gdown", "wget", "curl", "markdown", "embed"}
    assert tab.copy_buttons["download"].text == f"https://drive.google.com/uc?export=download&id={known.file_id}"
    assert "report.txt" in tab.title.value
    assert "Owner: <b>me@example.com</b>" in tab.sharing.value and "Link sharing: <b>off</b>" in tab.sharing.value
    assert "virus" in tab.note.value
    tab.qr_toggle.value = True
    assert "<svg" in tab.qr.value and f"/file/d/{known.file_id}/view" in tab.qr.value


def test_share_only_after_confirm_then_undo(tab, known, grants):
    tab.target.value = known.file_id
    tab.show_button.click()
    tab.anyone.value = "reader"
    tab.email.value = "bob@example.com"
    tab.person_role.value = "writer"
    tab.notify.value = False
    tab.review_button.click()
    assert tab.confirm_bar.layout.display == ""
    assert "anyone with the link: no access → can view (widens access)" in tab.plan.value
    assert "Link sharing: off" not in tab.plan.value and "link sharing: off" in tab.plan.value  # the Now column
    assert tab.confirm_button.button_style == "danger"
    assert grants(known.file_id) == {}  # reviewing applies nothing

    tab.confirm_button.click()
    assert grants(known.file_id) == {("anyone", "", True): "reader", ("user", "bob@example.com", True): "writer"}
    assert tab.confirm_bar.layout.display == "none"
    assert "bob@example.com" in tab.sharing.value and tab.anyone.value == "reader"
    assert not tab.undo_button.disabled and tab.email.value == ""

    tab.undo_button.click()
    assert grants(known.file_id) == {}
    assert tab.undo_button.disabled and "Undone." in tab.message.value


def test_cancel_applies_nothing(tab, known, grants):
    tab.target.value = known.folder_id
    tab.show_button.click()
    tab.anyone.value = "writer"
    tab.review_button.click()
    assert "everything inside it" in tab.plan.value
    tab.cancel_button.click()
    assert tab.confirm_bar.layout.display == "none" and grants(known.folder_id) == {}
    tab.controller.confirm()
    assert "nothing to confirm" in tab.error.value


def test_bad_input_shows_words_not_tracebacks(tab, known):
    tab.show_button.click()
    assert "Paste a Drive file or folder ID or link first" in tab.error.value
    tab.target.value = "https://example.com/x"
    tab.show_button.click()
    assert "not a Google Drive" in tab.error.value
    tab.target.value = "1NoSuchNoSuchNoSuchNoSuchNoSuch00"
    tab.show_button.click()
    assert "No Drive file or folder with ID" in tab.error.value
    tab.target.value = known.file_id
    tab.show_button.click()
    tab.email.value = "bob@"
    tab.review_button.click()
    assert "is not an email address" in tab.error.value and tab.confirm_bar.layout.display == "none"
    tab.target.value = known.readonly_id
    tab.show_button.click()
    tab.email.value = ""
    tab.anyone.value = "reader"
    tab.review_button.click()
    tab.confirm_button.click()
    assert "no right to change who can open" in tab.error.value


def test_batch_list_export_and_share_all(tab, known, grants, tmp_path):
    tab.folder.value = known.folder_id
    tab.list_button.click()
    assert tab.batch_table.value.count("<tr>") == known.batch + 1
    tab.export_path.value = str(tmp_path / "links.csv")
    tab.export_button.click()
    assert (tmp_path / "links.csv").read_text().startswith("name,id,kind,link,path,download\n")
    tab.batch_role.value = "commenter"
    tab.batch_review.click()
    assert tab.confirm_bar.layout.display == "" and tab.batch_confirm_slot.children == (tab.confirm_bar,)
    assert tab.confirm_slot.children == ()
    assert f"{known.batch} file(s): part0.csv, part1.csv, part2.csv, part3.csv" in tab.plan.value
    assert "anyone with the link: no access → can comment (widens access)" in tab.plan.value
    tab.confirm_button.click()
    roles = {row.id: grants(row.id).get(("anyone", "", True)) for row in tab.controller.batch_rows}
    assert set(roles.values()) == {"commenter"}
    tab.undo_button.click()
    roles = {row.id: grants(row.id).get(("anyone", "", True)) for row in tab.controller.batch_rows}
    assert set(roles.values()) == {None}


def test_undo_that_gives_access_back_waits_for_confirm(tab, known, grants):
    c = tab.controller
    tab.target.value = known.file_id
    tab.show_button.click()
    tab.anyone.value = "writer"
    tab.review_button.click()
    tab.confirm_button.click()
    tab.anyone.value = "off"
    tab.review_button.click()
    assert tab.confirm_button.button_style == "primary"  # narrowing: still confirmed, not alarming
    tab.confirm_button.click()
    assert grants(known.file_id) == {}
    tab.undo_button.click()
    assert c.pending_kind == "undo" and grants(known.file_id) == {}
    tab.confirm_button.click()
    assert grants(known.file_id) == {("anyone", "", True): "writer"}


def test_the_drive_tabs_selection_is_offered_and_loaded_without_a_metadata_read(drive, emulator, known):
    from colab_panel.controllers.drive import DriveController
    from colab_panel.tabs import PanelContext, PanelOptions
    from colab_panel.tabs.share import build_share_tab

    drive_tab = DriveController(drive)
    ctx = PanelContext(options=PanelOptions(drive=drive), shared={"drive": drive_tab})
    parts = build_share_tab(ctx)
    view = parts.view
    try:
        assert view.use_selection.layout.display == "none"
        drive_tab.selection = drive.get(known.doc_id)
        assert view.use_selection.layout.display == "" and "Plan" in view.use_selection.description
        def metadata_reads() -> int:
            return sum(1 for r in emulator.requests.records
                       if r.method == "GET" and r.path == f"/drive/v2/files/{known.doc_id}")

        reads = metadata_reads()
        view.use_selection.click()
        assert metadata_reads() == reads
        assert "export_docx" in view.copy_buttons and view.target.value == known.doc_id
        assert "Owner: <b>me@example.com</b>" in view.sharing.value
    finally:
        for closeable in parts.closeables:
            closeable.close()
        drive_tab.close()
        view.close()
