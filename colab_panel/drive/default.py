"""Which Drive the plain calls (sharing, copying) use when none is passed: one signed-in
connection per process.

`colab_panel.drive.auth.connect()` builds a new connection on every call; sharing calls made
one after the other (plan, apply, undo) should share one, so it is made once and kept here.
`set_default_drive(drive)` replaces it (the panel, tests and the CLI pass their own).
"""

from __future__ import annotations

import threading

from colab_panel.drive.interface import DriveClient

__all__ = ["default_drive", "set_default_drive"]

_lock = threading.Lock()
_drive: DriveClient | None = None


def default_drive() -> DriveClient:
    """The session's Drive connection (signs in on first use: see `colab_panel.drive.auth.connect`)."""
    global _drive
    with _lock:
        if _drive is None:
            from colab_panel.drive.auth import connect  # lazy: PyDrive2/googleapiclient are heavy

            _drive = connect()
        return _drive


def set_default_drive(drive: DriveClient | None) -> None:
    """Use `drive` for share calls made without one (None: sign in again on next use)."""
    global _drive
    with _lock:
        _drive = drive
