"""A loopback Google Drive API v2 emulator that unmodified PyDrive2 and googleapiclient can talk to.

    from colab_panel.drive.emulator import DriveEmulator
    with DriveEmulator(root="some/dir") as emu:
        drive = emu.pydrive2_drive()          # a real pydrive2.drive.GoogleDrive
        emu.faults.fail(status=503, times=2)  # script what goes wrong next
        assert emu.requests.count(method="GET") == ...

Run it by hand with ``python -m colab_panel.drive.emulator --root DIR``.
The heavy pieces (cryptography, googleapiclient) are imported only when a server starts
or a client is built, so importing this package stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["DriveEmulator", "build_service", "pydrive2_drive"]

if TYPE_CHECKING:
    from colab_panel.drive.emulator.client import build_service, pydrive2_drive
    from colab_panel.drive.emulator.server import DriveEmulator


def __getattr__(name: str) -> Any:
    # Lazy re-exports: the server pulls in http.server/ssl, the client pulls in googleapiclient.
    if name == "DriveEmulator":
        from colab_panel.drive.emulator.server import DriveEmulator

        return DriveEmulator
    if name in ("build_service", "pydrive2_drive"):
        from colab_panel.drive.emulator import client

        return getattr(client, name)
    raise AttributeError(name)
