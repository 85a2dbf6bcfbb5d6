"""The Drive tab's list as it was before the file table (commit 14e0c69, `views/drive.py`): a
`Select` of at most `page_rows` monospace labels, rebuilt whenever the listing changes.

Kept only as the baseline of `bench_drive.py`'s "first screen" rows: the list box part of the
old view, nothing else (its other widgets are the same in both views).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from colab_panel.drive.items import DriveItem
from colab_panel.units import human_bytes

_TYPE_WORDS = {"folder": "folder", "shortcut": "link", "document": "doc", "spreadsheet": "sheet",
               "presentation": "slides", "drawing": "drawing", "form": "form"}


def type_word(item: DriveItem) -> str:
    if item.kind in _TYPE_WORDS:
        return _TYPE_WORDS[item.kind]
    if item.kind != "file":
        return item.kind[:7]
    stem, dot, extension = item.title.rpartition(".")
    return extension.lower()[:7] if dot and stem and extension else "file"


def row_label(item: DriveItem) -> str:
    name = item.title if len(item.title) <= 31 else item.title[:30] + "…"
    if item.is_folder:
        name += "/"
    size = "" if item.size_bytes is None else human_bytes(item.size_bytes)
    modified = item.modified.strftime("%Y-%m-%d") if item.modified else ""
    return f"{type_word(item):<7} {name:<32} {size:>9}  {modified}"


class ListBox:
    """The old list: `visible[:page_rows]` as Select options, selection kept in step."""

    def __init__(self, controller: Any, page_rows: int = 500) -> None:
        self.controller = controller
        self.page_rows = page_rows
        self.list = widgets.Select(options=[], rows=16, layout=widgets.Layout(width="100%", margin="2px 0"))
        controller.observe(lambda _: self.render(), ["visible", "listing"])
        self.render()

    def render(self) -> None:
        c = self.controller
        shown = c.visible[: self.page_rows]
        self.list.options = [(row_label(item), item.id) for item in shown]
        self.list.value = c.selection.id if c.selection and any(i.id == c.selection.id for i in shown) else None

    def state_bytes(self) -> int:
        """What the page receives for the list: its options' labels (ipywidgets sends `_options_labels`)."""
        import json

        return len(json.dumps(list(self.list._options_labels)).encode())

    def close(self) -> None:
        self.list.close()
