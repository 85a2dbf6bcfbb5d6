"""Onward copies of finished uploads to a Drive folder, one at a time in a worker thread.

    onward = DriveOnward(lambda: drive)          # a callable, so Drive connects on first need
    onward.submit(upload, "https://drive.google.com/drive/folders/ID")
    onward.status(upload.id)   # "Sending to Drive…" | "On Drive, md5 matches" | the error in words
    onward.close()

Each file goes through `DriveClient.send_file` (resumable above 5 MiB, md5 of the bytes sent
compared with Drive's). A file from a dropped folder lands in the same subfolders under the Drive
folder; subfolders this worker made are remembered, so one dropped folder makes each once.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path

from colab_panel.drive.interface import DriveClient
from colab_panel.errors import PanelError
from colab_panel.transfers.upload import Upload

__all__ = ["DriveOnward"]


class DriveOnward:
    """A queue of (upload, Drive folder) sent by one daemon thread until `close()`."""

    def __init__(self, drive: Callable[[], DriveClient]) -> None:
        self._drive = drive
        self._queue: queue.Queue[tuple[Upload, str] | None] = queue.Queue()
        self._status: dict[str, str] = {}
        self._folders: dict[tuple[str, str], str] = {}  # (root folder id, relative dir) -> id
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, upload: Upload, folder: str) -> None:
        with self._lock:
            if self._closed:
                return
            self._status[upload.id] = "Waiting to go to Drive…"
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="colab_panel-drive-onward", daemon=True)
                self._thread.start()
        self._queue.put((upload, folder))

    def status(self, upload_id: str) -> str | None:
        return self._status.get(upload_id)

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            self._closed = True
            thread = self._thread
        self._queue.put(None)
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None or self._closed:
                return
            upload, folder = job
            self._status[upload.id] = "Sending to Drive…"
            try:
                self._status[upload.id] = self._send(upload, folder)
            except PanelError as error:
                self._status[upload.id] = f"Not copied to Drive: {error}"
            except Exception as error:  # noqa: BLE001 - a worker must survive one bad file
                self._status[upload.id] = f"Not copied to Drive: {type(error).__name__}: {error}"

    def _send(self, upload: Upload, folder: str) -> str:
        drive = self._drive()
        root = drive.ref(folder)
        parent = self._folder(drive, root, os.path.dirname(upload.name))
        sent = drive.send_file(Path(upload.path), parent=parent)
        return "On Drive, md5 matches" if sent.verified else "On Drive (Drive reported no md5 to compare)"

    def _folder(self, drive: DriveClient, root: str, rel_dir: str) -> str:
        if not rel_dir:
            return root
        key = (root, rel_dir)
        if key not in self._folders:
            parent = self._folder(drive, root, os.path.dirname(rel_dir))
            self._folders[key] = drive.mkdir(os.path.basename(rel_dir), parent).id
        return self._folders[key]
