"""`DriveConnection`: connect to Drive lazily, in a worker, listing the start folder; sign in when that fails.

`start()` connects and lists the start folder in a worker thread so the panel paints at once; its
results come back through the hand-off like every worker's. A verb that needs Drive before then
waits (bounded) for that worker, or connects itself. `sign_in()` replaces the way of connecting
with one of `sign_in_choices()` and tries again.
"""

from __future__ import annotations

import threading
from functools import partial
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from colab_panel.controllers.base import in_words
from colab_panel.controllers.drive_listing import DriveListing
from colab_panel.drive.interface import DriveSource
from colab_panel.drive.items import DriveItem
from colab_panel.drive.lazy import LazyDrive
from colab_panel.errors import DriveError

CONNECT_WAIT_S = 120.0
SIGN_IN_WAIT_S = 5.0  # how long Sign in waits for an earlier attempt's thread to end


class DriveConnection(DriveListing):
    def __init__(self, connect: DriveSource, *, start_folder: str = "root",
                 default_dest: str | Path | None = None, apply_from_thread: bool = False, **kwargs: Any) -> None:
        super().__init__(live=apply_from_thread, **kwargs)
        self._connection = LazyDrive.of(connect)  # a panel's is shared with its other tabs
        self._owns_connection = self._connection is not connect  # a shared one is closed by its maker
        self.drive = self._connection.current if self._connection.given else None
        self.connected = self._connection.given
        self.start_folder = start_folder
        self.default_dest = Path(default_dest) if default_dest else Path.cwd()
        self._thread: threading.Thread | None = None  # the connecting worker
        self._started = self.handoff.delivered  # set by a worker's delivery: the connecting one's comes first

    def start(self) -> None:
        """Connect and list the start folder in the background (see module docstring)."""
        if self._thread is not None:
            return
        self.message = "Connecting to Google Drive..."
        self._thread = threading.Thread(target=self._background_start, name="drive-connect", daemon=True)
        self._thread.start()

    def reconnect(self) -> None:
        """Try signing in again after a failed attempt (`sign_in()` in a cell calls this)."""
        if self.connected or self._closed or self._connection.given:
            return
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        self._thread, self.error = None, ""
        self._started.clear()
        self.start()

    def sign_in(self, auth: str, path: str = "") -> None:
        """Connect with one of `sign_in_choices()` (a key or client-secrets file at `path`)."""
        choices = {c.auth: c for c in sign_in_choices()}
        choice = choices.get(auth)
        if choice is None:
            self.refuse(f"Sign-in {auth!r} does not work here; choose one of: {', '.join(choices)}.", "sign_in")
            return
        path = (path or "").strip()
        if choice.needs_path and not path:
            self.refuse(f"Type the path of the {choice.path_hint} on this runtime first.", "sign_in")
            return
        if self._connection.given:
            self.refuse("This panel was given its Drive connection; it cannot sign in again.", "sign_in")
            return
        earlier = self._thread
        if earlier is not None and earlier.is_alive():
            earlier.join(SIGN_IN_WAIT_S)  # an attempt that has answered may still be finishing
            if earlier.is_alive():
                self.refuse("Still trying to sign in the earlier way; try again in a moment.", "sign_in")
                return
        self._connection.switch(_connector(auth, path))
        self.drive, self.connected = None, False
        self.show_sign_in = False
        self.reconnect()

    def settle(self, timeout: float = 60.0) -> None:
        """Wait (bounded) for the background reads under way, then apply them (scripts, tests)."""
        for thread in self._workers():
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
        self.poll()

    def close(self) -> None:
        self._closed = True
        if self._owns_connection:
            self._connection.close()  # what it made; a given Drive is its maker's to close

    def _workers(self) -> list[threading.Thread | None]:
        return [self._thread, self._list_thread]

    def _drive(self) -> Any:
        """The Drive client: connected by `start()`'s worker (waited for), or here and now."""
        self.poll()
        if self.drive is None:
            if self._thread is not None:
                self._started.wait(CONNECT_WAIT_S)
                self.poll()
            if self.drive is None and not self._connection.given and not self.error:
                self.drive = self._connection()
                self.connected = True
            if self.drive is None:
                raise DriveError(self.error or "Not connected to Google Drive.")
        return self.drive

    def _background_start(self) -> None:
        try:
            drive = self.drive or self._connection()
        except Exception as exc:
            self.handoff.deliver(partial(self._connect_failed, exc))
            return
        try:
            folder = drive.resolve(self.start_folder)
            pages = drive.iter_pages(folder.id)
            first: list[DriveItem] = next(pages, [])
            crumbs = [(item.id, item.title) for item in drive.ancestry(folder)]
        except Exception as exc:
            self.handoff.deliver(partial(self._connected, drive, failure=exc))
            return
        gen = self._generation()
        self.handoff.deliver(lambda: self._connected(drive, gen=gen, folder=folder, first=first, crumbs=crumbs))
        self._read_pages(gen, folder, pages, report=True)

    def _connect_failed(self, exc: Exception) -> None:
        self.busy = False
        self.message = ""
        self.refuse(in_words(exc, "Could not connect to Google Drive"), "sign_in")
        self.show_sign_in = True

    def _connected(self, drive: Any, *, gen: int = 0, folder: DriveItem | None = None,
                   first: list[DriveItem] | None = None, crumbs: list[tuple[str, str]] | None = None,
                   failure: Exception | None = None) -> None:
        self.drive = drive
        self.connected = True
        self.show_sign_in = False
        self.busy = False
        self.message = ""
        if failure is not None:
            self.fail(failure)
            return
        if self.folder_id or self.place:  # the user already opened something: keep it
            return
        assert folder is not None
        self._show_first_page(gen, folder, crumbs or [], first or [])


def _connector(auth: str, path: str) -> Callable[[], Any]:
    """A zero-argument connect for the sign-in `auth` (with its key or secrets file at `path`)."""
    def connect() -> Any:
        from colab_panel.drive.auth import connect as drive_connect

        if auth == "service_account":
            return drive_connect(auth, key_file=path)
        if auth == "client_secrets":
            return drive_connect(auth, client_secrets=path)
        return drive_connect(auth)
    return connect


@dataclass(frozen=True)
class SignInChoice:
    auth: str  # colab_panel.drive.auth.connect(auth=...)
    label: str
    needs_path: bool = False
    path_hint: str = ""


def sign_in_choices() -> list[SignInChoice]:
    """The ways of signing in that can work where this kernel runs (Colab's only inside Colab;
    saved credentials only once saved; a browser flow only outside Colab)."""
    from colab_panel.drive.auth import credentials_path
    from colab_panel.runtime.frontend import in_colab

    colab = in_colab()
    choices = [SignInChoice("colab", "Colab account")] if colab else []
    if credentials_path().is_file():
        choices.append(SignInChoice("saved", "Saved sign-in"))
    choices.append(SignInChoice("service_account", "Service-account key file", True, "service-account key file (JSON)"))
    if not colab:
        choices.append(SignInChoice("client_secrets", "OAuth client secrets file", True,
                                    "OAuth client secrets file (JSON)"))
    return choices
