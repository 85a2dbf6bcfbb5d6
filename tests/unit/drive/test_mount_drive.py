"""Mounting Drive from the header: `drive.mount` in Colab from a running cell (Colab asks for access
only there), the call to run when clicked between cells, and what to do elsewhere, in words.

Colab is the stub in tests/colab_stub (colabtools' `mount(mountpoint, force_remount=False,
timeout_ms=120000, readonly=False)` signature), which links `<mountpoint>/MyDrive` to a folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from colab_panel.controllers.header import HeaderController
from colab_panel.drive import mounting
from colab_panel.errors import DriveMountNeedsCell, DriveMountUnavailable, DriveSignInNeedsCell, PanelError
from colab_panel.runtime import frontend

COLAB_STUB = Path(__file__).resolve().parents[2] / "colab_stub"


@pytest.fixture
def colab(monkeypatch, tmp_path):
    """The Colab stub importable, a log of its calls, a running cell unless a test says otherwise."""
    for name in [n for n in sys.modules if n == "google.colab" or n.startswith("google.colab.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(COLAB_STUB))
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("COLAB_STUB_LOG", str(log))
    monkeypatch.setenv("COLAB_STUB_DRIVE_DIR", str(tmp_path / "my-drive"))
    (tmp_path / "my-drive").mkdir()
    monkeypatch.setattr(frontend, "in_running_cell", lambda: True)
    monkeypatch.setattr(frontend, "driven_by_vscode", lambda: False)
    monkeypatch.delenv("VERTEX_PRODUCT", raising=False)

    def calls():
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    yield calls
    for name in [n for n in sys.modules if n == "google.colab" or n.startswith("google.colab.")]:
        del sys.modules[name]  # the stub imported here must not make later tests believe they run in Colab


def test_mount_in_colab_calls_drive_mount_and_says_where(colab, tmp_path):
    point = tmp_path / "content" / "drive"
    result = mounting.mount_drive(point)
    assert (point / "MyDrive").is_dir()
    assert [c["call"] for c in colab()] == ["drive.mount"]
    assert colab()[0]["args"] == {"mountpoint": str(point), "force_remount": False, "readonly": False}
    assert str(point) in result and "Mounted" in result


def test_an_already_mounted_drive_is_not_mounted_again_unless_remounting(colab, tmp_path):
    point = tmp_path / "drive"
    mounting.mount_drive(point)
    again = mounting.mount_drive(point)
    assert "already mounted" in again and "Remount" in again
    assert len(colab()) == 1
    mounting.mount_drive(point, force_remount=True)
    assert [c["args"]["force_remount"] for c in colab()] == [False, True]


def test_a_click_between_cells_says_which_call_to_run_and_calls_nothing(colab, tmp_path, monkeypatch):
    monkeypatch.setattr(frontend, "in_running_cell", lambda: False)
    with pytest.raises(DriveMountNeedsCell) as raised:
        mounting.mount_drive(tmp_path / "drive", force_remount=True)
    message = str(raised.value)
    assert "running cell" in message and "mount_drive(force_remount=True)" in message
    assert isinstance(raised.value, DriveSignInNeedsCell)  # handled like sign-in wherever that is
    assert colab() == []


def test_elsewhere_it_says_what_to_do_in_words(monkeypatch, tmp_path):
    monkeypatch.setattr(frontend, "in_colab", lambda: False)
    with pytest.raises(DriveMountUnavailable) as raised:
        mounting.mount_drive(tmp_path / "drive")
    assert "Colab feature" in str(raised.value) and "connect()" in str(raised.value)
    assert not (tmp_path / "drive").exists()


def test_colab_in_vs_code_is_told_too(colab, tmp_path, monkeypatch):
    monkeypatch.setattr(frontend, "driven_by_vscode", lambda: True)
    with pytest.raises(DriveMountUnavailable, match="VS Code"):
        mounting.mount_drive(tmp_path / "drive")
    assert colab() == []


def test_a_mount_colab_refuses_becomes_words(colab, tmp_path):
    with pytest.raises(DriveMountUnavailable, match="space"):
        mounting.mount_drive(tmp_path / "my drive")  # Colab's own rule: no space in the mount point


def test_header_controller_mounts_and_reports(colab, tmp_path, monkeypatch):
    point = tmp_path / "drive"
    monkeypatch.setattr(mounting, "DRIVE_MOUNT", point)
    controller = HeaderController(staging_dir=tmp_path)
    controller.mount_drive()
    assert controller.mount_error == "" and "Mounted" in controller.mount_message
    assert (point / "MyDrive").is_dir()


def test_header_controller_turns_needs_cell_into_words(colab, tmp_path, monkeypatch):
    monkeypatch.setattr(frontend, "in_running_cell", lambda: False)
    monkeypatch.setattr(mounting, "DRIVE_MOUNT", tmp_path / "drive")
    controller = HeaderController(staging_dir=tmp_path)
    controller.mount_drive(force_remount=True)
    assert "mount_drive(force_remount=True)" in controller.mount_error
    assert controller.mount_message == ""


def test_errors_are_panel_errors():
    assert issubclass(DriveMountUnavailable, PanelError) and issubclass(DriveMountNeedsCell, PanelError)
