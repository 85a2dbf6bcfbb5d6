"""The Drive tab in JupyterLab: paste a folder link, walk two levels down and back (Up and
breadcrumbs), a destructive action that asks first, the details of a file (md5, owner, sharing),
its ID copied to the real clipboard with the copy button, and a download to a runtime path.
The kernel talks to a Drive emulator in this process."""

from __future__ import annotations

import hashlib
import os

from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA, ENV_EMULATOR_TOKEN
from colab_panel.drive.emulator import DriveEmulator
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook
from support.polling import poll_until

PROJECT_ID = "1DriveTabProjectDriveTabProject00"
NOTES_ID = "1DriveTabNotesDriveTabNotesDrive00"
NOTES = b"hello from the drive tab\n" * 40
PANEL_CELL = "from colab_panel import Panel\nPanel()"
SCREENSHOT = os.environ.get("DRIVE_TAB_SCREENSHOT")  # e.g. /tmp/drive_tab_lab.png to look at the tab


def test_walk_down_and_back_details_copy_id_and_download(page, tmp_path):
    manifest = {"items": [
        {"title": "project", "id": PROJECT_ID, "children": [
            {"title": "data", "children": [
                {"title": "train.csv", "content": "x,y\n1,2\n"},
                {"title": "raw", "children": [{"title": "sample.bin", "content": "raw bytes"}]},
            ]},
            {"title": "notes.txt", "id": NOTES_ID, "content": NOTES.decode()},
        ]},
        {"title": "elsewhere.txt", "content": "x"},
    ]}
    with DriveEmulator(manifest=manifest) as emu:
        env = {ENV_EMULATOR: emu.base_url, ENV_EMULATOR_TOKEN: emu.token, ENV_EMULATOR_CA: str(emu.ca_cert_path)}
        write_notebook(tmp_path / "drive.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
            page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
            run_notebook(page, server, "drive.ipynb")
            rows = page.locator(".cp-drive-list select option")
            rows.filter(has_text="elsewhere.txt").wait_for(timeout=60_000)  # My Drive listed on its own

            page.locator(".cp-drive-link input").fill(f"https://drive.google.com/drive/folders/{PROJECT_ID}?usp=sharing")
            page.locator("button.cp-drive-open").click()
            rows.filter(has_text="notes.txt").wait_for()
            assert rows.count() == 2 and "data/" in rows.first.inner_text()
            crumbs = page.locator("button.cp-drive-crumb")
            assert crumbs.all_inner_texts() == ["My Drive", "project"]

            page.locator(".cp-drive-list select").select_option(label=rows.first.inner_text())
            page.locator("button.cp-drive-open-selected").click()
            rows.filter(has_text="train.csv").wait_for()
            page.wait_for_function("() => document.querySelectorAll('button.cp-drive-crumb').length === 3")
            assert crumbs.all_inner_texts() == ["My Drive", "project", "data"]
            page.locator(".cp-drive-list select").select_option(label=rows.filter(has_text="raw/").inner_text())
            page.locator("button.cp-drive-open-selected").click()  # second level down
            rows.filter(has_text="sample.bin").wait_for()
            page.wait_for_function("() => document.querySelectorAll('button.cp-drive-crumb').length === 4")
            assert crumbs.all_inner_texts() == ["My Drive", "project", "data", "raw"]
            page.locator("button.cp-drive-up").click()  # back up one
            rows.filter(has_text="train.csv").wait_for()
            assert crumbs.all_inner_texts() == ["My Drive", "project", "data"]

            page.locator(".cp-drive-list select").select_option(label=rows.filter(has_text="train.csv").inner_text())
            page.locator("button.cp-drive-delete").click()
            bar = page.locator(".cp-drive-confirm")
            bar.wait_for(state="visible")
            assert "Delete 'train.csv' permanently? This cannot be undone" in bar.inner_text()
            with emu.store.lock:
                assert any(item.title == "train.csv" for item in emu.store.items.values())
            page.locator("button.cp-drive-confirm-no").click()
            bar.wait_for(state="hidden")

            crumbs.filter(has_text="project").click()  # back up the second level by breadcrumb
            rows.filter(has_text="notes.txt").wait_for()
            with emu.store.lock:
                assert any(item.title == "train.csv" for item in emu.store.items.values())

            page.locator(".cp-drive-list select").select_option(label=rows.filter(has_text="notes.txt").inner_text())
            details = page.locator(".cp-drive-details")
            details.filter(has_text="Private to you").wait_for()  # sharing read from Drive's permissions
            text = details.inner_text()
            assert hashlib.md5(NOTES).hexdigest() in text and "Emulated User" in text

            copy_id = page.locator(".cp-drive-copy-id .cp-copy-button")
            copy_id.click()
            page.wait_for_selector(".cp-drive-copy-id .cp-copy-button.cp-copied")
            assert page.evaluate("() => navigator.clipboard.readText()") == NOTES_ID

            dest = tmp_path / "runtime" / "downloads"
            page.locator(".cp-drive-dest input").fill(f"{dest}/")
            page.locator("button.cp-drive-download").click()
            page.locator(".cp-drive-status", has_text="Saved 'notes.txt'").wait_for()
            target = dest / "notes.txt"
            assert poll_until(lambda: target.exists() and target.stat().st_size == len(NOTES), timeout_s=30), \
                f"{target} did not appear with {len(NOTES)} bytes"
            assert (dest / "notes.txt").read_bytes() == NOTES
            if SCREENSHOT:
                page.screenshot(path=SCREENSHOT, full_page=True)
