"""Where things go by default: the staging root and the Drive mount point."""

from __future__ import annotations

import os
from pathlib import Path

from colab_panel.runtime.frontend import in_colab

DRIVE_MOUNT = Path("/content/drive")


def default_staging_root() -> Path:
    """`/content/data` in Colab (fast local disk), `./data` elsewhere; `COLAB_PANEL_DATA` overrides.

    The one rule for where datasets go: `stage()`'s default destination is this root plus the
    dataset's name."""
    override = os.environ.get("COLAB_PANEL_DATA")
    if override:
        return Path(override).expanduser()
    return Path("/content/data") if in_colab() else Path.cwd() / "data"


def drive_mounted(mount: Path = DRIVE_MOUNT) -> bool:
    """True when Google Drive is mounted (Colab's `drive.mount('/content/drive')`)."""
    return os.path.ismount(mount) or (mount / "MyDrive").is_dir()
