"""The Drive tab's "Copy to my Drive" and "Add to My Drive" in JupyterLab: a file someone else
shared is copied server-side into My Drive (same bytes, a new ID, no second copy when pressed
again), then a shortcut to it is put in My Drive. The kernel talks to a Drive emulator."""

from __future__ import annotations

import base64
import hashlib

from browser.conftest import ARTIFACTS
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook
from support.polling import poll_until

from colab_panel.demo.drive_sample import emulator_env
from colab_panel.drive.emulator import DriveEmulator

FOLDER_ID = "1DriveCopyShareFolderDriveCopyS00"
PAPER_ID = "1DriveCopyPaperDriveCopyPaperDri00"
PAPER = b"%PDF-1.4 the paper\n" * 300
PANEL_CELL = "from colab_panel import Panel\nPanel()"
ROWS = ".cp-drive-table .cp-ft-row"
ALICE = "alice@example.com"


def _mine(emu: DriveEmulator) -> list:
    """The items directly in my My Drive, as (title, md5, shortcut target, id)."""
    store = emu.store
    with store.lock:
        return [(i.title, i.md5, i.shortcut_target, i.id) for i in store.children(store.root_id)]


def test_copy_to_my_drive_then_add_a_shortcut(page, tmp_path):
    manifest = {"accounts": [{"email": ALICE, "name": "Alice"}], "items": [
        {"title": "shared by alice", "folder": True, "id": FOLDER_ID, "owner": ALICE,
         "permissions": [{"type": "user", "role": "reader", "emailAddress": "me@example.com"}],
         "children": [{"title": "paper.pdf", "id": PAPER_ID, "owner": ALICE, "contentBase64": base64.b64encode(PAPER).decode()}]},
    ]}
    md5 = hashlib.md5(PAPER).hexdigest()
    with DriveEmulator(manifest=manifest) as emu:
        env = emulator_env(emu)
        assert _mine(emu) == []
        write_notebook(tmp_path / "copy.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
            run_notebook(page, server, "copy.ipynb")
            page.locator(".cp-drive-link input").fill(f"https://drive.google.com/drive/folders/{FOLDER_ID}")
            page.locator("button.cp-drive-open").click()
            row = page.locator(ROWS, has=page.locator(".cp-ft-name", has_text="paper.pdf")).first
            row.wait_for(timeout=60_000)
            row.click()
            copy = page.locator("button.cp-drive-copy-mine")
            page.wait_for_function("() => !document.querySelector('button.cp-drive-copy-mine').disabled")
            page.wait_for_selector(".cp-drive-details:has-text('Shared with you by its owner')")  # not "Private"

            copy.click()
            status = page.locator(".cp-drive-status")
            page.wait_for_selector(".cp-drive-status:has-text('Copied paper.pdf into your Drive')", timeout=60_000)
            assert poll_until(lambda: len(_mine(emu)) == 1, timeout_s=30), _mine(emu)
            (title, copied_md5, target, copy_id), = _mine(emu)
            assert (title, copied_md5, target) == ("paper.pdf", md5, None) and copy_id != PAPER_ID
            assert copy_id in status.inner_text() and "1 file(s)" in status.inner_text()

            copy.click()  # again: the copy already there is found, not made twice
            page.wait_for_selector(".cp-drive-status:has-text('already there from an earlier run')", timeout=60_000)
            assert len(_mine(emu)) == 1

            page.locator("button.cp-drive-add-shortcut").click()
            page.wait_for_selector(".cp-drive-status:has-text('Added a shortcut')", timeout=60_000)
            assert poll_until(lambda: len(_mine(emu)) == 2, timeout_s=30), _mine(emu)
            shortcuts = [m for m in _mine(emu) if m[2] is not None]
            assert [(t, target) for t, _, target, _ in shortcuts] == [("paper.pdf", PAPER_ID)]
            page.locator(".cp-drive").screenshot(path=str(ARTIFACTS / "drive_copy_buttons.png"))
            assert page.locator(".cp-drive-err-selection").inner_text() == ""
