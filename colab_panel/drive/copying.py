"""Copy instead of download: 'Copy to my Drive' (server-side, recursive) and 'Add to My Drive' (a shortcut).

A file shared with many people hits Google's download quota ("Too many users have viewed or
downloaded this file recently") for up to a day; a copy in the user's own Drive has its own quota.
Drive copies bytes on its side (files.copy), so nothing passes through the runtime.

Both calls are idempotent on retry: what an earlier, interrupted run already made in the
destination is found and reused (a file by title and md5, a Google Doc by title and type, a
folder by title), so running again finishes the job instead of making duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

from colab_panel.drive.interface import DriveClient
from colab_panel.drive.items import FOLDER_MIME, DriveItem
from colab_panel.errors import DrivePermissionDenied

__all__ = ["CopyReport", "add_shortcut", "copy_to_my_drive"]

ROOT = "root"


@dataclass(frozen=True)
class CopyReport:
    """What `copy_to_my_drive` did: the copy, and counts (reused = found from an earlier run)."""

    source_id: str
    copy: DriveItem
    files_copied: int = 0
    files_reused: int = 0
    folders_made: int = 0
    bytes_copied: int = 0  # by Drive, server-side: none of them came through the runtime

    def describe(self) -> str:
        from colab_panel.units import human_bytes

        reused = f", {self.files_reused} already there from an earlier run" if self.files_reused else ""
        folders = f" in {self.folders_made} new folder(s)" if self.folders_made else ""
        return (f"Copied {self.copy.title} into your Drive as {self.copy.id}: {self.files_copied} file(s), "
                f"{human_bytes(self.bytes_copied)} copied by Drive{folders}{reused}.")


class _Tally:
    def __init__(self) -> None:
        self.copied = self.reused = self.folders = self.bytes = 0


def copy_to_my_drive(item: str | DriveItem, *, parent: str | DriveItem = ROOT, title: str | None = None,
                     drive: DriveClient | None = None) -> CopyReport:
    """Copy a file or a whole folder (any link or ID) into `parent` of your own Drive, server-side.

    Returns a `CopyReport`; raises `DriveError` (in words) when Drive refuses, e.g. the owner
    disabled copying for viewers.
    """
    drive = _resolve(drive)
    source = drive.resolve(item)
    parent_id = drive.ref(parent)
    tally = _Tally()
    copy = _copy_item(drive, source, parent_id, title or source.title, tally, drive.list(parent_id))
    return CopyReport(source.id, copy, tally.copied, tally.reused, tally.folders, tally.bytes)


def add_shortcut(item: str | DriveItem, *, parent: str | DriveItem = ROOT, drive: DriveClient | None = None) -> DriveItem:
    """'Add to My Drive': a shortcut to `item` in `parent` (an existing one to it is reused)."""
    drive = _resolve(drive)
    target = drive.resolve(item)
    parent_id = drive.ref(parent)
    for child in drive.list(parent_id):
        if child.shortcut_target_id == target.id:
            return child
    return drive.insert_shortcut(target, parent_id)


def _copy_item(drive: DriveClient, source: DriveItem, parent_id: str, title: str, tally: _Tally,
               already_there: list[DriveItem]) -> DriveItem:
    """Copy `source` into `parent_id`, whose children (`already_there`) were listed once by the caller:
    one listing per destination folder, never one per file (a 10,000-file dataset stays cheap)."""
    existing = _same(already_there, source, title)
    if source.mime_type == FOLDER_MIME:
        folder = existing
        if folder is None:
            folder = drive.mkdir(title, parent_id)
            tally.folders += 1
        inside = drive.list(folder.id) if existing is not None else []  # a new folder is empty
        for child in drive.list(source.id):
            _copy_item(drive, child, folder.id, child.title, tally, inside)
        return folder
    if existing is not None:
        tally.reused += 1
        return existing
    try:
        copy = drive.copy(source, title=title, parent=parent_id)
    except DrivePermissionDenied as exc:
        raise DrivePermissionDenied(f"Drive refused to copy {source.title}: {exc} (its owner may have turned "
                                    "off copying for viewers; ask them for a copy, or download it when its "
                                    "quota resets).", reason=exc.reason, status=exc.status) from exc
    tally.copied += 1
    tally.bytes += source.size_bytes or 0
    return copy


def _same(candidates: list[DriveItem], source: DriveItem, title: str) -> DriveItem | None:
    """What an earlier run already made: same title and type, and for files the same md5."""
    for child in candidates:
        if child.id == source.id or child.title != title or child.mime_type != source.mime_type or child.trashed:
            continue
        if source.mime_type == FOLDER_MIME or source.md5 is None or child.md5 == source.md5:
            return child
    return None


def _resolve(drive: DriveClient | None) -> DriveClient:
    if drive is not None:
        return drive
    from colab_panel.drive.default import default_drive

    return default_drive()
