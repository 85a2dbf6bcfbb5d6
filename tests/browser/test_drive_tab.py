"""The Drive tab in JupyterLab: paste a folder link, open a subfolder, breadcrumbs, Up, and a
destructive action that asks first. The kernel talks to a Drive emulator in this process."""

from __future__ import annotations

import os

from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA, ENV_EMULATOR_TOKEN
from colab_panel.drive.emulator import DriveEmulator
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook

PROJECT_ID = "1DriveTabProjectDriveTabProject00"
PANEL_CELL = "from colab_panel import Panel\nPanel()"
SCREENSHOT = os.environ.get("DRIVE_TAB_SCREENSHOT")  # e.g. /tmp/drive_tab_lab.png to look at the tab


def test_paste_link_open_subfolder_breadcrumbs_and_confirm(page, tmp_path):
    manifest = {"items": [
        {"title": "project", "id": PROJECT_ID, "children": [
            {"title": "data", "children": [{"title": "train.csv", "content": "x,y\n1,2\n"}]},
            {"title": "notes.txt", "content": "hello\n"},
        ]},
        {"title": "elsewhere.txt", "content": "x"},
    ]}
    with DriveEmulator(manifest=manifest) as emu:
        env = {ENV_EMULATOR: emu.base_url, ENV_EMULATOR_TOKEN: emu.token, ENV_EMULATOR_CA: str(emu.ca_cert_path)}
        write_notebook(tmp_path / "drive.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
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

            page.locator(".cp-drive-list select").select_option(label=rows.first.inner_text())
            page.locator("button.cp-drive-delete").click()
            bar = page.locator(".cp-drive-confirm")
            bar.wait_for(state="visible")
            assert "Delete 'train.csv' permanently? This cannot be undone" in bar.inner_text()
            if SCREENSHOT:
                page.screenshot(path=SCREENSHOT, full_page=True)
            with emu.store.lock:
                assert any(item.title == "train.csv" for item in emu.store.items.values())
            page.locator("button.cp-drive-confirm-no").click()
            bar.wait_for(state="hidden")

            crumbs.filter(has_text="project").click()
            rows.filter(has_text="notes.txt").wait_for()
            with emu.store.lock:
                assert any(item.title == "train.csv" for item in emu.store.items.values())
