"""Mount Google Drive at /content/drive in Colab (`drive.mount`), or say in words what to do elsewhere.

    mount_drive()                      # in a cell: Colab asks for access, then Drive is a folder
    mount_drive(force_remount=True)    # after Drive's files changed elsewhere, or a stale mount

Colab asks for Drive access through the kernel's stdin, which a front end answers only for a
running cell: from a button between cells `drive.mount` would wait forever. So a click outside a
cell raises `DriveMountNeedsCell` naming the one-line call to run, as sign-in does.
"""

from __future__ import annotations

import os
from pathlib import Path

from colab_panel.errors import DriveMountNeedsCell, DriveMountUnavailable
from colab_panel.runtime import frontend
from colab_panel.runtime.paths import DRIVE_MOUNT, drive_mounted

__all__ = ["mount_call", "mount_drive"]

NOT_COLAB = ("Drive mounting is a Colab feature. Here use colab_panel.connect() (or the Drive tab) to "
             "reach Drive through its API, and stage() to copy a dataset to local disk; a Drive folder "
             "on your own computer can be used as an ordinary path.")
COLAB_VSCODE = ("Colab in VS Code cannot mount Drive (Colab's access prompt needs the browser). Use "
                "colab_panel.connect() (or the Drive tab) to reach Drive through its API instead.")


def mount_call(force_remount: bool = False) -> str:
    """The one line to run in a cell that mounts Drive."""
    return f"from colab_panel import mount_drive; mount_drive({'force_remount=True' if force_remount else ''})"


def mount_drive(mountpoint: str | os.PathLike[str] | None = None, *, force_remount: bool = False) -> str:
    """Mount Drive at `mountpoint` (default /content/drive); return what happened, in words.

    `DriveMountUnavailable` outside Colab, in Colab in VS Code, or when Colab refuses;
    `DriveMountNeedsCell` when called between cells (a button), with the call to run instead.
    """
    point = Path(mountpoint) if mountpoint is not None else DRIVE_MOUNT
    if not frontend.in_colab():
        raise DriveMountUnavailable(NOT_COLAB, reason="notColab")
    if frontend.driven_by_vscode():
        raise DriveMountUnavailable(COLAB_VSCODE, reason="colabVsCode")
    if drive_mounted(point) and not force_remount:
        return (f"Drive is already mounted at {point}: its files are under {point / 'MyDrive'}. "
                "Remount it if files changed on Drive do not show here.")
    if not frontend.in_running_cell():
        raise DriveMountNeedsCell(
            "Colab asks for Drive access only from a running cell, not from a button. Run this in a new "
            f"cell and allow access when asked:  {mount_call(force_remount)}")
    from google.colab import drive  # lazy: exists only in Colab

    try:
        drive.mount(str(point), force_remount=force_remount)
    except Exception as exc:  # ValueError (a bad mount point), TimeoutError, Colab's "mount failed"
        raise DriveMountUnavailable(f"Colab could not mount Drive at {point}: {exc}", reason="mountFailed") from None
    return f"Mounted Google Drive at {point}: your files are under {point / 'MyDrive'}."
