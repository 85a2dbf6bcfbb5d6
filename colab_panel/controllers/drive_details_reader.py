"""`DriveDetailsReader`: the selection's `links` at once (computed) and its `sharing` from one read in a worker.

One worker reads the permissions of the newest selection; a selection made while it reads
replaces the older wish, so clicking down a long list costs one read per pause, not per row.
"""

from __future__ import annotations

import logging
import threading
from functools import partial
from typing import Any

import traitlets

from colab_panel.controllers.drive_details import sharing_phrase
from colab_panel.controllers.drive_selection import DriveSelection
from colab_panel.drive.items import DriveItem
from colab_panel.errors import DrivePermissionDenied, PanelError
from colab_panel.share.links import links_for_item

_log = logging.getLogger(__name__)


class DriveDetailsReader(DriveSelection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._details_lock = threading.Lock()
        self._details_thread: threading.Thread | None = None
        self._details_wanted: DriveItem | None = None
        self._me: str | None = None  # the signed-in account's email, read once for "Private to you"

    def close(self) -> None:
        self._details_wanted = None
        super().close()

    def _workers(self) -> list[threading.Thread | None]:
        return [*super()._workers(), self._details_thread]

    @traitlets.observe("selection")
    def _on_selection_details(self, change: Any) -> None:
        item = change["new"]
        self.links = links_for_item(item) if item is not None else {}
        if item is None or self.drive is None:
            self.sharing = ""
            return
        self.sharing = "Checking who can open it..."
        self._want_details(item)

    def _want_details(self, item: DriveItem) -> None:
        """Read the sharing of `item` in one worker; a newer selection replaces an older wish."""
        with self._details_lock:
            self._details_wanted = item
            if self._details_thread is not None and self._details_thread.is_alive():
                return
            self._details_thread = threading.Thread(target=self._details_worker, name="drive-details", daemon=True)
            self._details_thread.start()

    def _details_worker(self) -> None:
        while True:
            with self._details_lock:
                item, self._details_wanted = self._details_wanted, None
                if item is None or self._closed:
                    self._details_thread = None
                    return
            text = self._read_sharing(item)
            self.handoff.deliver(partial(self._apply_sharing, item.id, text))

    def _read_sharing(self, item: DriveItem) -> str:
        from colab_panel.share.sharing import sharing

        drive = self.drive
        try:
            state = sharing(item, drive=drive)
            if self._me is None:
                try:
                    self._me = drive.about().user_email
                except PanelError:
                    self._me = ""
            return sharing_phrase(state, self._me)
        except DrivePermissionDenied:
            return "Shared with you (only its owner and editors see who else can open it)"
        except PanelError as exc:
            return f"Unknown: {exc}"
        except Exception as exc:
            _log.exception("drive tab: reading sharing failed")
            return f"Unknown: {type(exc).__name__}: {exc}"

    def _apply_sharing(self, item_id: str, text: str) -> None:
        if self.selection is not None and self.selection.id == item_id:
            self.sharing = text
