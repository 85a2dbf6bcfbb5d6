"""`DriveState`: the Drive tab's traits, which every part of `DriveController` reads, and where its errors show."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from colab_panel.controllers.base import Controller
from colab_panel.drive.items import DriveItem
from colab_panel.errors import DriveAuthError

SORT_KEYS = ("name", "size", "modified", "owner")


class DriveState(Controller):
    """The traits of the Drive tab; `busy`, `error`, `message` and `asking` come from `Controller`."""

    folder_id = traitlets.Unicode("")
    folder = traitlets.Instance(DriveItem, allow_none=True)
    breadcrumbs: traitlets.List[tuple[str, str]] = traitlets.List()  # [(id, title), ...] from the top folder down
    items: traitlets.List[DriveItem] = traitlets.List()  # DriveItem children of `folder`, not trashed
    visible: traitlets.List[DriveItem] = traitlets.List()  # `items` filtered and sorted, what the list shows
    filter_text = traitlets.Unicode("")
    sort_by = traitlets.Enum(SORT_KEYS, default_value="name")
    sort_descending = traitlets.Bool(False)
    selection = traitlets.Instance(DriveItem, allow_none=True)  # the one selected item; other tabs read this
    selected_ids = traitlets.List(traitlets.Unicode())  # every selected item, in list order
    place = traitlets.Unicode("")  # "" (a folder), or a PLACES name, or "search"
    search_text = traitlets.Unicode("")  # what the last search looked for
    error_at = traitlets.Unicode("")  # the control the error belongs to ("link", "search", "selection", ...)
    show_sign_in = traitlets.Bool(False)  # not signed in: the tab offers `sign_in_choices()`
    export_format = traitlets.Unicode("")  # label for Google-native downloads ("pdf", ...)
    connected = traitlets.Bool(False)
    progress = traitlets.Float(-1.0)  # 0..1 while a transfer runs, -1 otherwise
    pending = traitlets.Unicode("")  # `asking.kind` ("trash" | "delete" | "empty_trash"), "" when none
    confirm_message = traitlets.Unicode("")  # `asking.question`
    last_download = traitlets.Unicode("")  # local path of the last finished download
    listing = traitlets.Bool(False)  # True while the rest of the open folder is being read
    links = traitlets.Dict()  # links of the selection (colab_panel.share.links_for_item)
    sharing = traitlets.Unicode("")  # who can open the selection, in words ("" until read)

    def __init__(self, *, live: bool = False, **kwargs: Any) -> None:
        super().__init__(live=live, **kwargs)
        self.drive: Any = None  # the Drive client, once connected
        self._closed = False

    def fail(self, exc: BaseException, *, at: str = "") -> None:
        """As `Controller.fail`, shown at control `at` ("list" when none); a refused sign-in
        while not connected offers the sign-in choices."""
        at = at or "list"
        if isinstance(exc, DriveAuthError) and not self.connected:
            at, self.show_sign_in = "sign_in", True
        self.error_at = at
        super().fail(exc)

    def refuse(self, sentence: str, at: str = "list") -> None:
        """Say why a verb did not start, at control `at` (what it said before still holds)."""
        self.error_at = at
        self.error = sentence

    def _run(self, verb: Callable[[], Any], doing: str = "", at: str = "list") -> Any:
        """Run a verb's body under the error policy (`Controller.action`); its value, or None if it failed."""
        if self.busy and doing:
            self.refuse("Still busy with the last action; wait for it to finish.", at)
            return None
        with self.action(doing, at=at):
            try:
                return verb()
            finally:
                self.progress = -1.0
        return None

    @traitlets.observe("error")
    def _on_error_change(self, change: Any) -> None:
        if not change["new"]:
            self.error_at = ""

    @traitlets.observe("asking")
    def _on_asking_change(self, change: Any) -> None:
        asked = change["new"]
        if asked is None:
            self.pending, self.confirm_message = "", ""
        else:  # the question first: a view asks when `pending` changes
            self.confirm_message, self.pending = asked.question, asked.kind
