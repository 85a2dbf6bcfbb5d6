"""restore_latest: the first cell of the next runtime puts the newest complete checkpoint back.

The newest complete checkpoint is the top-level entry of the Drive folder matching `pattern`
written last (see `newest_complete`); the watcher's catalog on Drive tells
which folder checkpoints are whole and the md5 each file must have. Staging downloads it with
`stage()`: md5-verified against Drive, resumable.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from colab_panel.checkpoints.catalog import CATALOG_NAME, is_checkpoint_name
from colab_panel.drive.interface import DriveClient, DriveSource
from colab_panel.errors import StagingError
from colab_panel.inputs import shown, user_path
from colab_panel.staging.arguments import require_given


def newest_complete(drive: DriveClient, folder: Any, pattern: str | None = None) -> Any:
    """The Drive item (a file or folder at the top of `folder`) of the newest complete checkpoint.

    Newest by when it was written: the catalog's local modification time, which keeps training's
    order even when a first push sends older checkpoints last. One the catalog does not know yet
    is placed by Drive's modification time (for a folder, its newest file's). A file is complete if the catalog's md5 matches, or the catalog
    does not know it yet (the watcher may die between a push and its catalog update; `push`
    only ever sends finished files). A folder is complete only if the catalog says so and Drive
    still matches it, unless there is no catalog at all (a folder pushed by hand).
    """
    from colab_panel.checkpoints.remote import read_remote_catalog

    top: dict[str, Any] = {}
    for item in drive.list(folder):
        if not item.is_shortcut and not item.is_native:
            top.setdefault(item.title, item)
    catalog = read_remote_catalog(drive, folder, top[CATALOG_NAME]) if CATALOG_NAME in top else None
    remote_md5: dict[str, str] = {}
    newest_s: dict[str, float] = {}
    for rel, item in drive.walk(folder):
        if item.is_folder:
            continue
        remote_md5[rel] = (item.md5 or "").lower()
        name = rel.split("/", 1)[0]
        stamp = item.modified.timestamp() if item.modified else 0.0
        newest_s[name] = max(newest_s.get(name, 0.0), stamp)

    def complete(name: str, item: Any) -> bool:
        if catalog is not None and name in catalog.complete:
            return catalog.verified_on(name, remote_md5)
        return not item.is_folder or catalog is None

    def written_s(name: str) -> float:
        if catalog is not None and name in catalog.complete:
            return float(catalog.complete[name]["mtime_s"])
        return newest_s.get(name, 0.0)

    candidates = [(written_s(name), name) for name, item in top.items()
                  if is_checkpoint_name(name, pattern) and name in newest_s and complete(name, item)]
    if not candidates:
        what = f" matching {pattern!r}" if pattern else ""
        raise StagingError(f"The Drive folder '{folder.title or folder.id}' holds no complete checkpoint{what} "
                           "to restore.")
    return top[max(candidates)[1]]


def restore_latest(drive_folder: str, local_dir: str | os.PathLike[str], *, pattern: str | None = None,
                   drive: DriveSource | None = None, cancel: threading.Event | None = None) -> Path:
    """Stage the newest complete checkpoint of the Drive folder into `local_dir`; return its local path.

    A file checkpoint lands at `local_dir/<name>`, a folder checkpoint at `local_dir/<name>/`,
    both md5-verified. Raises StagingError (in words) when the folder holds none. Setting `cancel`
    stops the download (StagingCancelled; nothing half-written is kept).
    """
    from colab_panel.staging.drive_source import drive_for

    require_given(drive_folder, "Drive folder", "the link or ID of the Drive folder the checkpoints were kept in")
    require_given(local_dir, "local folder", "where to put the checkpoint, e.g. /content/ckpt")
    if not isinstance(drive_folder, str):
        raise StagingError(f"The Drive folder must be a link or ID (text), not {shown(drive_folder)}.")
    root = user_path(local_dir, "The local folder", StagingError, allow_empty=True).expanduser()
    with drive_for(drive) as client:
        return _restore(client, drive_folder, root, pattern, cancel)


def _restore(drive: DriveClient, drive_folder: str, root: Path, pattern: str | None, cancel: threading.Event | None) -> Path:
    from colab_panel.staging import stage
    from colab_panel.staging.drive_source import strip_prefix

    folder = drive.resolve(strip_prefix(drive_folder))
    if not folder.is_folder:
        raise StagingError(f"'{folder.title}' on Drive is a file, not a folder of checkpoints.")
    item = newest_complete(drive, folder, pattern)
    if item.is_folder:
        staged = stage(f"drive:{item.id}", root / item.title, drive=drive, progress=None, cancel=cancel)
        return Path(staged.path)
    staged = stage(f"drive:{item.id}", root, drive=drive, progress=None, extract=False, cancel=cancel)
    return Path(staged.path) / item.title
