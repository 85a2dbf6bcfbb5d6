"""`DriveController` verbs and `DriveTab` clicks against the emulator (real HTTPS, PyDrive2 underneath)."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from colab_panel.controllers.drive import DriveController
from colab_panel.drive.client import Drive
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import DriveNotFound
from colab_panel.views.drive import DriveTab


@pytest.fixture
def backend(emulator):
    drive = Drive.for_emulator(emulator.base_url, emulator.token, emulator.ca_cert_path,
                               retry=RetryPolicy(sleep=lambda s: None))
    yield drive
    drive.close()


@pytest.fixture
def controller(backend, tmp_path):
    c = DriveController(backend, default_dest=tmp_path / "dl")
    c.refresh()  # lists My Drive: the first page now, the rest from a thread
    c.settle()
    yield c
    c.close()


@pytest.fixture
def tab(controller):
    return DriveTab(controller, page_rows=10)


def _titles(c):
    return [i.title for i in c.visible]


def pick(tab, *item_ids):
    """Click rows of the table (what the page sends: index ranges of the version it shows)."""
    index = {item.id: i for i, item in enumerate(tab.table.items)}
    rows = sorted(index[i] for i in item_ids)
    tab.table._on_page_msg(tab.table, {"type": "select", "version": tab.table.version,
                                       "ranges": [[i, i + 1] for i in rows], "cursor": rows[-1]}, [])


def answer(tab, yes):
    tab.table._on_page_msg(tab.table, {"type": "answer", "yes": yes}, [])


def test_background_start_connects_lazily_and_lists_the_start_folder(emulator, backend):
    made = []

    def factory():
        made.append(1)
        return backend

    c = DriveController(factory)
    assert made == [] and c.items == []  # nothing happens while the panel paints
    c.start()
    assert c._started.wait(30)
    c.poll()  # as the ticker does, on the kernel's main thread
    assert made == [1] and "many" in _titles(c) and c.breadcrumbs[0][1] == "My Drive"
    assert _titles(c)[:3] == ["many", "sub", "a.txt"] or _titles(c)[0] in ("many", "sub")  # folders first


def test_no_credentials_is_explained(monkeypatch):
    from colab_panel.drive.auth import connect

    for name in ("COLAB_PANEL_DRIVE_EMULATOR", "COLAB_PANEL_DRIVE_SERVICE_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", "/nonexistent-config")
    c = DriveController(lambda: connect())
    c.start()
    assert c._started.wait(30)
    c.poll()
    assert "No Google Drive credentials are available" in c.error and "colab-panel demo" in c.error
    c.open("1abcdefghijklmnopqrstuvwxyz")
    assert "No Google Drive credentials" in c.error


def test_open_bad_text_and_missing_ids_in_words(controller):
    controller.open("not a link")
    assert "Paste a bare file/folder ID" in controller.error and not controller.busy
    missing = "1MissingMissingMissingMissing0000"
    controller.open(f"https://drive.google.com/drive/folders/{missing}")
    assert missing in controller.error and "No Drive file or folder" in controller.error
    controller.open("")
    assert controller.error == "Paste a Drive link or ID first."


def test_open_a_file_link_opens_its_folder_with_it_selected(emulator, controller, child):
    sub = child(emulator.root_id, "sub")
    nested = child(sub.id, "nested.txt")
    controller.open(f"https://drive.google.com/file/d/{nested.id}/view")
    assert controller.folder_id == sub.id and controller.selection.id == nested.id
    assert [t for _, t in controller.breadcrumbs] == ["My Drive", "sub"]


def test_shortcuts_and_native_docs(controller, known, tmp_path):
    controller.select(known.shortcut_id)
    assert controller.selection.is_shortcut
    controller.download(dest=str(tmp_path) + "/")  # the shortcut's target, a Doc, exported
    assert not controller.error, controller.error
    assert controller.last_download.endswith("Notes.pdf")
    controller.select(known.doc_id)
    assert controller.export_format == "pdf"
    controller.export_format = "txt"
    controller.download(dest=str(tmp_path) + "/")
    # Drive's text export of a Doc starts with a byte order mark; utf-8-sig reads past it
    assert (tmp_path / "Notes.txt").read_text(encoding="utf-8-sig").startswith("meeting notes")


def test_filter_sort_and_pages(controller, tab, emulator, child):
    # The table replaced a list box of `page_rows` rows + "Show more": every row is in the table,
    # the page fetches those out of view itself (tests/unit/drive_tab/test_file_table.py).
    controller.open(child(emulator.root_id, "many").id)
    assert len(controller.items) == 7 and controller.listing  # the first page (max_page_size=7) at once
    controller.settle()
    assert len(controller.items) == 20 and not controller.listing and tab.table.row_count == 20
    tab.filter.value = "f1"
    assert _titles(controller) == [f"f1{i}.txt" for i in range(10)] and tab.table.row_count == 10
    tab.table.sort_by = "name"
    tab.table.sort_descending = True  # a header clicked twice
    assert controller.sort_descending and _titles(controller)[0] == "f19.txt"
    assert tab.table.head[0][2] == "f19.txt"
    tab.table.sort_by = "modified"
    assert controller.sort_by == "modified"


def test_view_clicks_navigate_with_breadcrumbs(tab, controller, emulator, child):
    sub = child(emulator.root_id, "sub")
    tab.link.value = f"https://drive.google.com/drive/u/0/folders/{emulator.root_id}?usp=sharing"
    tab.open_button.click()
    pick(tab, sub.id)
    assert controller.selection.id == sub.id and tab.item_id.value == sub.id
    tab.open_selected.click()
    assert [b.description for b in tab.crumbs.children if isinstance(b, widgets.Button)] == ["My Drive", "sub"]
    controller.settle()
    pick(tab, child(sub.id, "deeper").id)
    tab.open_selected.click()
    assert controller.folder.title == "deeper"
    tab.up_button.click()
    assert controller.folder_id == sub.id
    tab.crumbs.children[0].click()
    assert controller.folder_id == emulator.root_id
    tab.up_button.click()
    assert controller.error == "This is the top folder."


def test_download_upload_mkdir_rename_move(tab, controller, emulator, child, seed_dir, tmp_path):
    big = child(emulator.root_id, "big.bin")
    pick(tab, big.id)
    tab.dest.value = str(tmp_path / "out") + "/"
    tab.download_button.click()
    assert not controller.error, controller.error
    assert (tmp_path / "out" / "big.bin").read_bytes() == (seed_dir / "big.bin").read_bytes()
    assert "Saved 'big.bin'" in controller.message and tab.progress.layout.display == "none"

    local = tmp_path / "upload.csv"
    local.write_text("x,y\n")
    tab.upload_path.value = str(local)
    tab.upload_button.click()
    assert controller.selection.title == "upload.csv" and "Uploaded upload.csv" in controller.message
    tab.upload_path.value = str(tmp_path / "missing.bin")
    tab.upload_button.click()
    assert "no file at" in controller.error

    tab.name.value = "runs"
    tab.mkdir_button.click()
    runs = controller.selection
    assert runs.is_folder and runs.title == "runs"
    controller.settle()  # My Drive has more than one page of 7: the rest arrives from a thread
    pick(tab, next(i.id for i in controller.items if i.title == "upload.csv"))
    tab.name.value = "renamed.csv"
    tab.rename_button.click()
    assert controller.selection.title == "renamed.csv"
    tab.move_to.value = f"https://drive.google.com/drive/folders/{runs.id}"
    tab.move_button.click()
    controller.settle()
    assert "Moved 'renamed.csv' to 'runs'" in controller.message
    assert "renamed.csv" not in _titles(controller)
    controller.open(runs.id)
    controller.settle()
    assert _titles(controller) == ["renamed.csv"]


def test_trash_and_delete_ask_first(tab, controller, emulator, child, backend):
    a = child(emulator.root_id, "a.txt")
    controller.settle()
    pick(tab, a.id)
    tab.trash_button.click()  # the confirm is asked in the table now (it was a bar under the actions)
    assert controller.pending == "trash" and tab.table.prompt_yes == "Move to trash"
    assert "Move 'a.txt' to the trash?" in tab.table.prompt
    assert not emulator.store.is_trashed(emulator.store.get(a.id))  # nothing happened yet
    answer(tab, False)
    assert controller.pending == "" and tab.table.prompt == ""
    pick(tab, a.id)
    tab.trash_button.click()
    answer(tab, True)
    assert emulator.store.is_trashed(emulator.store.get(a.id)) and "a.txt" not in _titles(controller)

    empty = child(emulator.root_id, "empty.bin")
    pick(tab, empty.id)
    tab.delete_button.click()
    assert "cannot be undone" in controller.confirm_message
    assert emulator.store.get(empty.id) is not None
    answer(tab, True)
    with pytest.raises(DriveNotFound):
        backend.get(empty.id)
    assert "Deleted 'empty.bin' permanently" in controller.message


def test_nothing_selected_is_explained(tab, controller):
    controller.selection = None
    controller.rename("x")
    assert controller.error == "Select a file or folder in the list first."
    controller.trash()
    assert controller.pending == "" and "Select a file" in controller.error
    controller.confirm()
    assert controller.error == "Nothing is waiting for confirmation."


def test_details_say_who_can_open_it_and_offer_the_id_and_link_to_copy(tab, controller, emulator, backend, child, known):
    a = child(emulator.root_id, "a.txt")
    controller.settle()
    pick(tab, a.id)
    controller.settle()  # the permissions read runs in a thread
    assert controller.sharing == "Private to you"
    details = tab.details.value
    assert "Private to you" in details and a.md5 in details and "Emulated User" in details  # md5, owner
    assert tab.copy_id.text == a.id and tab.item_id.value == a.id
    assert tab.copy_link.text == f"https://drive.google.com/file/d/{a.id}/view"
    assert tab.link_row.layout.display is None and "Direct download" in details

    for email in ("bob@example.com", "carol@corp.example", "dan@example.com"):
        backend.insert_permission(a.id, type="user", role="reader", email=email)
    backend.insert_permission(a.id, type="anyone", role="reader", with_link=True)
    controller.select(known.doc_id)
    controller.select(a.id)  # a newer wish replaces the older one
    controller.settle()
    assert controller.sharing == "Anyone with the link can view; shared with 3 people"
    assert controller.sharing in tab.details.value

    controller.selection = backend.get(f"https://drive.google.com/file/d/{known.keyed_id}/view?resourcekey={known.keyed_key}")
    controller.settle()
    assert controller.sharing == "Anyone with the link can view"
    assert tab.copy_link.text.endswith(f"resourcekey={known.keyed_key}")  # the key rides along
    controller.selection = backend.get(known.alice_file_id)  # Alice's, shared with Bob and me
    controller.settle()
    assert controller.sharing == "Shared with 2 people"

    sub = child(emulator.root_id, "sub")
    controller.select(sub.id)
    controller.settle()
    assert tab.copy_link.text == f"https://drive.google.com/drive/folders/{sub.id}"
    controller.select(None)
    assert tab.id_row.layout.display == "none" and controller.sharing == ""


def test_upload_reports_progress_in_chunks(controller, emulator, backend, tmp_path):
    backend.upload_chunk_size = 256 * 1024  # a resumable upload of several chunks
    seen: list[float] = []
    controller.observe(lambda change: seen.append(change["new"]), "progress")
    local = tmp_path / "weights.bin"
    local.write_bytes(bytes(range(256)) * (6 * 4096 + 17))  # just over 6 MiB: resumable
    controller.upload(str(local))
    assert not controller.error, controller.error
    fractions = [f for f in seen if f >= 0]
    assert len(fractions) >= 5 and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert seen[-1] == -1.0  # the bar hides when done
    assert controller.selection.title == "weights.bin" and controller.selection.size_bytes == local.stat().st_size
