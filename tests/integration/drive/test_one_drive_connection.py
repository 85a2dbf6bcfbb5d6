"""One Drive connection per panel: whichever tab needs Drive first signs in, the others use that
connection, and closing the panel closes it (the Drive tab waits for sign-in, as in Colab)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import colab_panel.drive.auth as auth_module
import colab_panel.tabs.drive as drive_tab_module
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.panel import Panel


def _controller(panel: Panel, title: str) -> Any:
    return next(parts.view.controller for parts in panel.tabs if parts.title == title)


def test_the_tabs_share_the_connection_the_first_of_them_made(emulator_env: DriveEmulator, child: Any, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    emulator = emulator_env
    made: list[Any] = []
    closed: list[Any] = []
    real_connect = auth_module.connect

    def counting_connect(auth: str = "auto", **kwargs: Any) -> Any:
        drive = real_connect(auth, **kwargs)
        real_close = drive.close
        drive.close = lambda: (closed.append(drive), real_close())  # type: ignore[method-assign]
        made.append(drive)
        return drive

    monkeypatch.setattr(auth_module, "connect", counting_connect)
    monkeypatch.setattr(drive_tab_module, "in_colab", lambda: True)  # the Drive tab waits for sign_in()
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "epoch1.pt").write_bytes(b"weights " * 100)

    panel = Panel(staging_dir=tmp_path / "data", staging_live=True, transfers=False)
    try:
        panel.build_tabs()
        drive_tab = _controller(panel, "Drive")
        assert not drive_tab.connected and made == []  # building the panel signs in nowhere

        staging = _controller(panel, "Staging")
        staging.push_local, staging.push_folder = str(runs), child(emulator.root_id, "sub").id
        assert staging.push() and staging.wait(timeout=30)
        assert staging.error == "" and staging.push_result.uploaded == ("epoch1.pt",)
        assert len(made) == 1  # the Staging tab signed in

        drive_tab.reconnect()  # what `sign_in()` in a cell tells the Drive tab
        drive_tab.settle(30)
        assert drive_tab.connected and drive_tab.error == ""
        assert drive_tab.drive is made[0]
        assert _controller(panel, "Share").drive is made[0]
        assert len(made) == 1
    finally:
        panel.close()
    assert closed == made  # the panel closed the connection it made, once
