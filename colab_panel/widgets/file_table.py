"""`FileTable`: a sortable, multi-select, virtualized table of files (see `js/file_table.js`).

    table = FileTable()
    table.show(items, row_of)            # items have `.id`; row_of(item) -> the page's row list
    table.on_open(lambda item_id: ...)   # double-click / Enter;  on_up: Backspace / Alt+Up
    table.on_select(lambda ids: ...)     # ids in table order, after every click or key
    table.on_action(lambda name: ...)    # "trash" (the Delete key)
    table.ask("Move 3 items to the trash?", "Move to trash"); table.on_answer(lambda yes: ...)

Only the first `HEAD_ROWS` rows travel with the table; the page asks for the rest in blocks as
they scroll into view, so a 10,000-item folder shows its first screen as fast as a 50-item one.
Rows are built from `items` only when asked for. Sorting is the kernel's: the page sets
`sort_by` / `sort_descending` and the owner re-sorts and calls `show()` again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from typing import Any

import anywidget
import traitlets

from colab_panel.widgets.static import static_path

__all__ = ["HEAD_ROWS", "FileTable"]

_log = logging.getLogger(__name__)

HEAD_ROWS = 120  # rows sent with the table itself: more than fit on a screen
MAX_BLOCK = 500  # the most rows one page request is answered with


class FileTable(anywidget.AnyWidget):
    _esm = static_path("file_table.js")
    _css = static_path("file_table.css")
    version = traitlets.Int(0).tag(sync=True)  # changes whenever the rows change
    row_count = traitlets.Int(0).tag(sync=True)
    head: traitlets.List[list[Any]] = traitlets.List().tag(sync=True)  # the first HEAD_ROWS rows
    selected_ranges: traitlets.List[list[int]] = traitlets.List().tag(sync=True)  # [[start, end), ...] of `version`
    cursor = traitlets.Int(-1).tag(sync=True)  # the row keys act on, -1 when none
    page_seq = traitlets.Int(0).tag(sync=True)  # number of the page's last selection applied (see the JS)
    sort_by = traitlets.Unicode("name").tag(sync=True)
    sort_descending = traitlets.Bool(False).tag(sync=True)
    prompt = traitlets.Unicode("").tag(sync=True)  # a question shown over the table ("" hides it)
    prompt_yes = traitlets.Unicode("Yes").tag(sync=True)
    empty_text = traitlets.Unicode("Nothing here.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._items: Sequence[Any] = ()
        self._row_of: Callable[[Any], list[Any]] = lambda item: [item.id, "file", str(item), None, None, "", 0]
        self._callbacks: dict[str, list[Callable[..., Any]]] = {}
        self.on_msg(self._on_page_msg)

    # --- the kernel's side ---------------------------------------------------------------------

    @property
    def items(self) -> Sequence[Any]:
        return self._items

    def show(self, items: Sequence[Any], row_of: Callable[[Any], list[Any]] | None = None,
             selected_ids: Collection[str] = (), cursor_id: str | None = None) -> None:
        """Show `items` (in this order); mark `selected_ids` and put the cursor on `cursor_id`."""
        self._items = items
        if row_of is not None:
            self._row_of = row_of
        ranges, cursor = self._marks(selected_ids, cursor_id)
        with self.hold_sync():
            self.head = [self._row_of(item) for item in items[:HEAD_ROWS]]
            self.row_count = len(items)
            self.selected_ranges = ranges
            self.cursor = cursor
            self.version += 1

    def mark(self, selected_ids: Collection[str], cursor_id: str | None = None) -> None:
        """Change the selection shown without sending rows again."""
        ranges, cursor = self._marks(selected_ids, cursor_id)
        with self.hold_sync():
            self.selected_ranges = ranges
            self.cursor = cursor

    def ask(self, question: str, yes: str = "Yes") -> None:
        self.prompt_yes = yes
        self.prompt = question

    def _marks(self, selected_ids: Collection[str], cursor_id: str | None) -> tuple[list[list[int]], int]:
        wanted = set(selected_ids)
        if cursor_id:
            wanted.add(cursor_id)
        if not wanted:
            return [], -1
        index = {item.id: i for i, item in enumerate(self._items) if item.id in wanted}
        ranges: list[list[int]] = []
        for i in sorted(index[i] for i in selected_ids if i in index):
            if ranges and ranges[-1][1] == i:
                ranges[-1][1] = i + 1
            else:
                ranges.append([i, i + 1])
        return ranges, index.get(cursor_id or "", -1)

    # --- callbacks -----------------------------------------------------------------------------

    def on_open(self, callback: Callable[[str], Any]) -> None:
        self._callbacks.setdefault("open", []).append(callback)

    def on_up(self, callback: Callable[[], Any]) -> None:
        self._callbacks.setdefault("up", []).append(callback)

    def on_select(self, callback: Callable[[list[str]], Any]) -> None:
        self._callbacks.setdefault("select", []).append(callback)

    def on_action(self, callback: Callable[[str], Any]) -> None:
        self._callbacks.setdefault("action", []).append(callback)

    def on_answer(self, callback: Callable[[bool], Any]) -> None:
        self._callbacks.setdefault("answer", []).append(callback)

    def _fire(self, name: str, *args: Any) -> None:
        for callback in self._callbacks.get(name, ()):
            try:
                callback(*args)
            except Exception:  # one failing listener must not break the table
                _log.exception("file table: %s callback failed", name)

    # --- what the page says --------------------------------------------------------------------

    def _on_page_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "rows":
            self._send_rows(content)
        elif kind == "select":
            self._page_selected(content)
        elif kind == "open" and isinstance(content.get("id"), str):
            self._fire("open", content["id"])
        elif kind == "up":
            self._fire("up")
        elif kind == "action" and isinstance(content.get("name"), str):
            self._fire("action", content["name"])
        elif kind == "answer":
            self.prompt = ""
            self._fire("answer", bool(content.get("yes")))

    def _send_rows(self, content: dict[str, Any]) -> None:
        if content.get("version") != self.version:
            return  # the page will ask again for the rows of the version it has now
        start = max(0, _int(content.get("start")))
        count = min(MAX_BLOCK, max(0, _int(content.get("count"))))
        rows = [self._row_of(item) for item in self._items[start:start + count]]
        self.send({"type": "rows", "version": self.version, "start": start, "rows": rows})

    def select_rows(self, ranges: Sequence[Sequence[int]], cursor: int = -1, seq: int | None = None) -> list[str]:
        """Select rows by index ranges (what a click or key does in the page); returns their ids."""
        size = len(self._items)
        picked: list[int] = []
        for pair in ranges:
            if isinstance(pair, (list, tuple)) and len(pair) == 2:
                start, end = max(0, _int(pair[0])), min(size, _int(pair[1]))
                picked.extend(range(start, end))
        picked = sorted(set(picked))
        ids = [self._items[i].id for i in picked]
        with self.hold_sync():
            self.selected_ranges = [list(map(int, p)) for p in _compress(picked)]
            self.cursor = cursor if 0 <= cursor < size else -1
            if seq is not None:
                self.page_seq = seq
        self._fire("select", ids)
        return ids

    def _page_selected(self, content: dict[str, Any]) -> None:
        if content.get("version") != self.version:
            return  # indices of rows that have moved since: the click is dropped, not misapplied
        ranges = content.get("ranges")
        seq = content.get("seq")
        self.select_rows(ranges if isinstance(ranges, list) else [], _int(content.get("cursor"), -1),
                         seq if isinstance(seq, int) and not isinstance(seq, bool) else None)

    @property
    def cursor_id(self) -> str | None:
        return self._items[self.cursor].id if 0 <= self.cursor < len(self._items) else None


def _compress(indices: list[int]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for i in indices:
        if out and out[-1][1] == i:
            out[-1][1] = i + 1
        else:
            out.append([i, i + 1])
    return [(a, b) for a, b in out]


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
