"""The catalog's copy on Drive: read it on a fresh runtime, replace it after a run changed it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from colab_panel.checkpoints.catalog import CATALOG_NAME, Catalog
from colab_panel.drive.interface import DriveClient


def find_catalog(drive: DriveClient, folder: Any) -> Any | None:
    items = [i for i in drive.list(folder) if i.title == CATALOG_NAME and not i.is_folder]
    return items[0] if items else None


def read_remote_catalog(drive: DriveClient, folder: Any, item: Any | None = None) -> Catalog | None:
    """The catalog in the Drive folder (md5-verified download), or None when there is none."""
    item = item if item is not None else find_catalog(drive, folder)
    if item is None:
        return None
    with tempfile.TemporaryDirectory(prefix="colab_panel-keep-") as tmp:
        path = drive.download(item, Path(tmp) / "catalog.json", resume=False)
        return Catalog.from_json(Path(path).read_text())


def write_remote_catalog(drive: DriveClient, folder: Any, local_copy: Path, existing: Any | None) -> None:
    """Upload the catalog, replacing the content of the one already there (same Drive file)."""
    if existing is None:
        existing = find_catalog(drive, folder)
    drive.send_file(local_copy, parent=folder.id, title=CATALOG_NAME, replace=existing)
