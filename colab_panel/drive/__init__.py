"""Google Drive backend: the `Drive` client, sign-in, link parsing and a loopback API emulator.

    from colab_panel.drive import connect, Drive, DriveItem
    drive = connect()                     # see colab_panel.drive.auth for the choices
    drive.list("https://drive.google.com/drive/folders/ID")

Modules: `interface` (DriveClient: what the panel needs from Drive, as a Protocol), `lazy`
(LazyDrive: one connection made on first use and shared), `client` (Drive: metadata, listing,
changes, sharing), `transfers` (ranged reads,
verified downloads, exports, uploads), `items` (DriveItem, DrivePermission), `auth`
(connect, credentials that survive Colab's token expiry), `failures` (HttpError -> DriveError,
what is transient), `retry` (backoff), `mount` (IDs of /content/drive paths), `parse`
(links), `emulator` (tests and the demo).

Kept import-light on purpose: `import colab_panel.drive` must not pull in PyDrive2,
googleapiclient or cryptography; the modules that need them import them lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Drive", "DriveClient", "DriveItem", "DrivePermission", "LazyDrive", "connect"]

if TYPE_CHECKING:
    from colab_panel.drive.auth import connect
    from colab_panel.drive.client import Drive
    from colab_panel.drive.interface import DriveClient
    from colab_panel.drive.items import DriveItem, DrivePermission
    from colab_panel.drive.lazy import LazyDrive


def __getattr__(name: str) -> Any:
    if name == "Drive":
        from colab_panel.drive.client import Drive

        return Drive
    if name == "DriveClient":
        from colab_panel.drive.interface import DriveClient

        return DriveClient
    if name == "LazyDrive":
        from colab_panel.drive.lazy import LazyDrive

        return LazyDrive
    if name in ("DriveItem", "DrivePermission"):
        from colab_panel.drive import items

        return getattr(items, name)
    if name == "connect":
        from colab_panel.drive.auth import connect

        return connect
    raise AttributeError(name)
