"""`DriveSelection`: what is selected in the Drive tab, what a verb acts on, and handing it to another tab.

`selected_ids` is every selected item (in list order); `selection` is the one item when exactly
one is selected (the details pane, and the Share and Staging tabs' offers, follow it), else None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import traitlets

from colab_panel.controllers.drive_connection import DriveConnection
from colab_panel.drive.items import DriveItem
from colab_panel.errors import DriveError, PanelError

HAND_TARGETS = ("share", "staging")

HandListener = Callable[[str, list[DriveItem]], Any]


class DriveSelection(DriveConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hand_listeners: list[HandListener] = []

    def select(self, item_id: str | None) -> None:
        """Select one item of the listing by ID (None clears the selection)."""
        if not item_id:
            self.select_ids([])
            return
        if not any(i.id == item_id for i in self.items):
            self.refuse(f"'{item_id}' is not in this list.")
            return
        self.select_ids([item_id])

    def select_ids(self, ids: list[str]) -> None:
        """Select these items (unknown IDs are left out); `selection` is set when there is one."""
        wanted = set(ids)
        picked = [i for i in self.visible if i.id in wanted]
        if len(picked) < len(wanted):  # hidden by the filter, still in the listing
            seen = {i.id for i in picked}
            picked += [i for i in self.items if i.id in wanted and i.id not in seen]
        self.selected_ids = [i.id for i in picked]
        self.selection = picked[0] if len(picked) == 1 else None

    def select_all(self) -> None:
        self.select_ids([i.id for i in self.visible])

    @property
    def selected_items(self) -> list[DriveItem]:
        """The selected items, in list order."""
        wanted = set(self.selected_ids)
        if not wanted:
            return []
        return [i for i in self.items if i.id in wanted]

    @property
    def selected_bytes(self) -> int:
        return sum(i.size_bytes or 0 for i in self.selected_items)

    def on_hand(self, listener: HandListener) -> Callable[[], None]:
        """Call `listener(target, items)` on `hand_to`; returns a function that removes it."""
        self._hand_listeners.append(listener)
        return lambda: self._hand_listeners.remove(listener) if listener in self._hand_listeners else None

    def hand_to(self, target: str) -> bool:
        """Give the selection to the Share or Staging tab (which shows it); False with `error` if not."""
        try:
            if target not in HAND_TARGETS:
                raise DriveError(f"Cannot hand items to {target!r}; choose one of {', '.join(HAND_TARGETS)}.")
            items = self._targets()
            if not self._hand_listeners:
                raise DriveError(f"The {target.capitalize()} tab is not in this panel.")
            for listener in list(self._hand_listeners):
                listener(target, items)
        except PanelError as exc:
            self.fail(exc, at="selection")
            return False
        self.error = ""
        return True

    def _selected(self, selected: DriveItem | str | None = None) -> DriveItem:
        """The one item a single-item verb acts on (rename, copy, ...)."""
        if isinstance(selected, DriveItem):
            return selected
        if isinstance(selected, str) and selected:
            self.select(selected)
        if self.selection is None:
            if len(self.selected_ids) > 1:
                raise DriveError("Select just one item for this.", reason="manySelected")
            raise DriveError("Select a file or folder in the list first.", reason="noSelection")
        return self.selection

    def _targets(self, selected: DriveItem | str | None = None) -> list[DriveItem]:
        """What a verb that takes many items acts on: `selected`, else the whole selection."""
        if selected is not None:
            return [self._selected(selected)]
        items = self.selected_items
        if not items:
            raise DriveError("Select a file or folder in the list first.", reason="noSelection")
        return items

    def _each(self, items: list[DriveItem], act: Callable[[DriveItem], Any], verb: str) -> list[DriveItem]:
        """Act on each item in turn; if one fails, say which and how many were done before it."""
        done: list[DriveItem] = []
        for item in items:
            try:
                act(item)
            except PanelError as exc:
                if not done:
                    raise
                raise DriveError(f"{count_words(done)} {verb}, then '{item.title}' failed: {exc}") from None
            done.append(item)
        return done

    @traitlets.observe("selection")
    def _on_selection_change(self, change: Any) -> None:
        item = change["new"]
        if item is not None and self.selected_ids != [item.id]:
            self.selected_ids = [item.id]  # set directly (a file's link opened, a kept selection)
        elif item is None and len(self.selected_ids) == 1:
            self.selected_ids = []
        if item is not None and item.is_native and item.export_formats:
            if self.export_format not in item.export_formats:
                self.export_format = "pdf" if "pdf" in item.export_formats else next(iter(item.export_formats))
        self.asking = None


def count_words(items: list[Any]) -> str:
    return f"{len(items)} item{'s' if len(items) != 1 else ''}"
