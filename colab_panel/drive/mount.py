"""IDs of files under Colab's Drive mount (`/content/drive`), and mount paths of IDs.

Colab's Drive FUSE mount exposes each file's Drive ID as the extended attribute
`user.drive.id`, so `id_of_path("/content/drive/MyDrive/data.zip")` needs no API call.
The reverse (`path_of_mounted(id)`) is answered by looking under the mount for a path with
that ID, guided by the item's Drive path when a `Drive` is given (cheap), else by a bounded
scan of the mount (the mount lists lazily over the network: the scan is capped).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from colab_panel.errors import DriveError
from colab_panel.runtime.paths import DRIVE_MOUNT

if TYPE_CHECKING:
    from colab_panel.drive.client import Drive

__all__ = ["XATTR", "id_of_path", "path_of_mounted"]

XATTR = "user.drive.id"
SCAN_LIMIT = 20_000  # entries looked at by the fallback scan before giving up


def id_of_path(path: str | os.PathLike[str]) -> str:
    """The Drive ID of a file or folder under the mount. Raises DriveError in words if unknown."""
    path = Path(path)
    if not path.exists():
        raise DriveError(f"There is nothing at {path}.", reason="noSuchLocalFile")
    try:
        raw = os.getxattr(path, XATTR)
    except (OSError, AttributeError):  # ENODATA/ENOTSUP, or no xattr support on this OS
        raise DriveError(f"{path} has no Drive ID: it is not inside a mounted Google Drive "
                         f"(in Colab: from google.colab import drive; drive.mount('{DRIVE_MOUNT}')).",
                         reason="notOnDriveMount") from None
    return raw.decode("utf-8", "replace").strip()


def path_of_mounted(file_id: str, *, mount: str | os.PathLike[str] = DRIVE_MOUNT, drive: Drive | None = None) -> Path | None:
    """Where `file_id` appears under `mount`, or None when it cannot be found there."""
    mount = Path(mount)
    if not mount.is_dir():
        return None
    if drive is not None:
        titles = [item.title for item in drive.ancestry(file_id)]
        # The top of a path is "My Drive" (mounted as MyDrive) or a shared drive (under Shareddrives).
        for top in ("MyDrive", "My Drive", "Shareddrives/" + titles[0] if titles else ""):
            candidate = mount.joinpath(top, *titles[1:])
            if candidate.exists() and _xattr_id(candidate) == file_id:
                return candidate
    seen = 0
    for dirpath, dirnames, filenames in os.walk(mount):
        for name in (*dirnames, *filenames):
            seen += 1
            candidate = Path(dirpath) / name
            if _xattr_id(candidate) == file_id:
                return candidate
            if seen >= SCAN_LIMIT:
                return None
    return None


def _xattr_id(path: Path) -> str | None:
    try:
        return os.getxattr(path, XATTR).decode("utf-8", "replace").strip()
    except (OSError, AttributeError):
        return None
