"""The Staging tab's Checkpoints section against the loopback Drive emulator: start a watcher from the
panel, see its status line (folder -> Drive, last push, pending, kept N), see the notice when the
runtime nears its limit and everything was flushed, stop it, and Restore latest, md5-verified."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import pytest

from colab_panel.controllers.checkpoints import CheckpointsController
from colab_panel.views.checkpoints import CheckpointsSection
from support.drive import child_id

FAST = {"interval_s": 0.1, "settle_s": 0.05}


def _write(path: Path, size: int, age_s: float = 30) -> None:
    path.write_bytes(os.urandom(size))
    t = time.time() - age_s
    os.utime(path, (t, t))


def _poll_until(controller: CheckpointsController, condition, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        controller.poll()  # the panel's tick, in the main thread
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out; status={controller.status!r} error={controller.error!r}")


def test_start_shows_status_then_stop_and_restore_latest(emu, drive, tmp_path):
    local = tmp_path / "run"
    local.mkdir()
    _write(local / "epoch-0.pt", 50_000, age_s=60)
    folder = child_id(emu, "ckpt")
    controller = CheckpointsController(drive=drive, keeper_options=FAST)
    view = CheckpointsSection(controller)
    try:
        view.local_dir.value = str(local)
        view.drive_folder.value = f"https://drive.google.com/drive/folders/{folder}"
        view.keep_last.value = 2
        view.start_button.click()
        assert controller.running and view.stop_button.disabled is False and view.start_button.disabled
        # Training goes on: one checkpoint per epoch, each pushed once it is finished.
        for epoch in (1, 2):
            _poll_until(controller, lambda: f"kept {epoch} " in controller.status)
            _write(local / f"epoch-{epoch}.pt", 50_000 + epoch, age_s=60 - epoch)
        def on_drive() -> list[str]:
            return sorted(i.title for i in emu.store.children(folder)
                          if not emu.store.is_trashed(i) and i.title.startswith("epoch"))

        _poll_until(controller, lambda: "kept 2" in controller.status and on_drive() == ["epoch-1.pt", "epoch-2.pt"])
        status = view.status.value
        assert str(local) in status and folder in status and "last push" in status and "0 pending" in status
        assert on_drive() == ["epoch-1.pt", "epoch-2.pt"]  # keep last 2: the oldest was trashed

        view.stop_button.click()
        assert not controller.running and "Stopped" in controller.message
        assert not any(t.name == "colab_panel-keep" for t in threading.enumerate())

        restored_into = tmp_path / "next-runtime"
        view.restore_dir.value = str(restored_into)
        view.restore_button.click()
        _poll_until(controller, lambda: not controller.restoring)
        restored = restored_into / "epoch-2.pt"
        assert controller.error == "" and str(restored) in controller.message
        assert hashlib.md5(restored.read_bytes()).digest() == hashlib.md5((local / "epoch-2.pt").read_bytes()).digest()
        assert str(restored) in view.outcome.value
    finally:
        controller.close()


def test_near_the_runtime_limit_the_flush_is_surfaced(emu, drive, tmp_path):
    local = tmp_path / "run"
    local.mkdir()
    _write(local / "epoch-0.pt", 10_000)
    folder = child_id(emu, "ckpt")
    controller = CheckpointsController(drive=drive, keeper_options={**FAST, "session_age_s": lambda: 11.2 * 3600})
    view = CheckpointsSection(controller)
    try:
        controller.local_dir, controller.drive_folder = str(local), folder
        controller.start()
        _poll_until(controller, lambda: bool(controller.notice))
        assert "near Colab's 12 h limit" in controller.notice and "epoch-0.pt" in controller.notice
        assert "near Colab" in view.notice.value and "cp-checkpoints-notice" in view.notice._dom_classes
    finally:
        controller.close()
    assert not controller.running


@pytest.mark.parametrize(("local", "folder", "words"), [
    ("", "1FolderFolderFolderFolder00", "local folder"),
    ("{tmp}/run", "", "Drive folder"),
    ("{tmp}/run", "not a link", "never has"),
])
def test_bad_input_is_refused_in_words_and_nothing_starts(drive, tmp_path, local, folder, words):
    controller = CheckpointsController(drive=drive, keeper_options=FAST)
    controller.local_dir, controller.drive_folder = local.format(tmp=tmp_path), folder
    assert controller.start() is False
    assert words in controller.error and not controller.running
    assert not any(t.name == "colab_panel-keep" for t in threading.enumerate())
    controller.close()


def test_a_drive_failure_shows_in_words_and_restore_of_an_empty_folder_says_so(emu, drive, tmp_path):
    folder = child_id(emu, "ckpt")
    controller = CheckpointsController(drive=drive, keeper_options=FAST)
    try:
        controller.drive_folder, controller.restore_dir = folder, str(tmp_path / "r")
        controller.restore()
        _poll_until(controller, lambda: not controller.restoring)
        assert "holds no complete checkpoint" in controller.error
        controller.local_dir = str(tmp_path / "run")
        controller.drive_folder = "1NoSuchFolderNoSuchFolderNoSuch00"
        controller.start()
        _poll_until(controller, lambda: bool(controller.error))
        assert controller.running and "1NoSuchFolderNoSuchFolderNoSuch00" in controller.error
    finally:
        controller.close()


def test_panel_close_stops_a_watcher_started_from_the_staging_tab(emu, drive, tmp_path):
    from colab_panel import Panel
    from colab_panel.views.checkpoints import CheckpointsSection as Section

    local = tmp_path / "run"
    local.mkdir()
    _write(local / "epoch-0.pt", 10_000)
    panel = Panel(staging_dir=tmp_path / "data", drive=drive)
    try:
        panel.build_tabs()
        [staging] = [slot.parts for slot in panel.slots if slot.title == "Staging"]
        [section] = [w for w in staging.view.children if isinstance(w, Section)]
        section.local_dir.value, section.drive_folder.value = str(local), child_id(emu, "ckpt")
        section.start_button.click()
        assert section.controller.running
        assert any(t.name == "colab_panel-keep" for t in threading.enumerate())
    finally:
        panel.close()
    assert not any(t.name == "colab_panel-keep" and t.is_alive() for t in threading.enumerate())
    assert not section.controller.running
    assert [i.title for i in emu.store.children(child_id(emu, "ckpt")) if i.title == "epoch-0.pt"] == ["epoch-0.pt"]
