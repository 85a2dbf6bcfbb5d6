"""Checkpoints that survive the runtime's end: keep them on Drive while training, restore the newest.

    keeper = keep_on_drive("/content/ckpt", DRIVE_FOLDER, keep_last=3)   # before training
    restore_latest(DRIVE_FOLDER, "/content/ckpt")                          # first cell of the next runtime

Framework adapters (`checkpoints.keras`, `.lightning`, `.huggingface`) flush the watcher where the
framework saves; each imports its framework only when used.
"""

from __future__ import annotations

from colab_panel.checkpoints.restore import restore_latest
from colab_panel.checkpoints.watcher import KeepOnDrive, keep_on_drive

__all__ = ["KeepOnDrive", "keep_on_drive", "restore_latest"]
