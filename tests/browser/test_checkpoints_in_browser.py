"""The Staging tab's Checkpoints section in JupyterLab: Start a watcher on a folder holding a
finished checkpoint, see its status line report the push, find one md5-verified copy on the
Drive emulator, Restore latest into another folder (the same bytes), then Stop."""

from __future__ import annotations

import hashlib
import os
import time

from browser.conftest import ARTIFACTS
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook

from colab_panel.demo.drive_sample import emulator_env
from colab_panel.drive.emulator import DriveEmulator

FOLDER_ID = "1CheckpointsFolderCheckpointsFo00"
PANEL_CELL = "from colab_panel import Panel\nPanel()"
CKPT = bytes(range(256)) * 400  # 100 KiB of a "model"


def _on_drive(emu: DriveEmulator, title: str) -> list[tuple[str, str | None]]:
    store = emu.store
    with store.lock:
        return [(i.id, i.md5) for i in store.children(FOLDER_ID) if i.title == title and not store.is_trashed(i)]


def test_watch_push_restore_and_stop(page, tmp_path):
    watched, restored = tmp_path / "ckpt", tmp_path / "restored"
    watched.mkdir()
    ckpt = watched / "epoch-001.pt"
    ckpt.write_bytes(CKPT)
    old = time.time() - 30  # finished a while ago: the first push takes it
    os.utime(ckpt, (old, old))
    manifest = {"items": [{"title": "checkpoints", "folder": True, "id": FOLDER_ID}]}
    with DriveEmulator(manifest=manifest) as emu:
        env = emulator_env(emu)
        write_notebook(tmp_path / "ckpt.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
            run_notebook(page, server, "ckpt.ipynb")
            page.locator(".cp-tabs .cp-tabbar button", has_text="Staging").click()
            page.locator(".cp-checkpoints-local input").fill(str(watched))
            page.locator(".cp-checkpoints-folder input").fill(f"https://drive.google.com/drive/folders/{FOLDER_ID}")
            page.locator("button.cp-checkpoints-start").click()

            status = page.locator(".cp-checkpoints-status")
            page.wait_for_selector(".cp-checkpoints-status:has-text('kept 1 on Drive')", timeout=60_000)
            line = status.inner_text()
            assert line.startswith(f"{watched} → Drive folder {FOLDER_ID}") and "last push" in line, line
            assert "0 pending" in line, line
            assert _on_drive(emu, "epoch-001.pt") and [md5 for _, md5 in _on_drive(emu, "epoch-001.pt")] == \
                [hashlib.md5(CKPT).hexdigest()]
            assert page.locator("button.cp-checkpoints-stop").is_enabled()

            page.locator(".cp-checkpoints-restore-dir input").fill(str(restored))
            page.locator("button.cp-checkpoints-restore").click()
            page.wait_for_selector(".cp-checkpoints-outcome:has-text('Restored epoch-001.pt')", timeout=60_000)
            assert (restored / "epoch-001.pt").read_bytes() == CKPT
            assert "md5-verified" in page.locator(".cp-checkpoints-outcome").inner_text()
            page.set_viewport_size({"width": 1280, "height": 1400})
            page.locator(".cp-checkpoints").screenshot(path=str(ARTIFACTS / "checkpoints_section.png"))

            page.locator("button.cp-checkpoints-stop").click()
            page.wait_for_selector(".cp-checkpoints-outcome:has-text('Stopped; every finished checkpoint is on Drive')",
                                   timeout=60_000)
            assert "stopped" in status.inner_text()
            assert page.locator("button.cp-checkpoints-start").is_enabled()
            assert page.locator(".cp-checkpoints-outcome .cp-error").count() == 0
        assert len(_on_drive(emu, "epoch-001.pt")) == 1  # one copy, never a duplicate
