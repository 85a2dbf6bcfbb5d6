"""`DriveListing`: show a listing's first page at once and read the rest in a worker; `visible` sorted and filtered.

A 10,000-item folder is usable after one request of 1,000: `show_pages()` shows the first page
and a worker delivers each further page through the hand-off (`listing` is True meanwhile), so
the kernel is free for the next click at once. Every listing has a generation; pages of a listing
the user has since left are dropped.
"""

from __future__ import annotations

import threading
from functools import partial
from collections.abc import Iterator
from typing import Any

import traitlets

from colab_panel.controllers.base import in_words
from colab_panel.controllers.drive_state import DriveState
from colab_panel.drive.items import FOLDER_MIME, DriveItem

Pages = Iterator[list[DriveItem]]


class DriveListing(DriveState):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._generation_lock = threading.Lock()
        self._newest = 0  # generation of the newest listing started
        self._shown = 0  # generation of the listing `items` holds
        self._list_thread: threading.Thread | None = None

    def _show_pages(self, pages: Pages, folder: DriveItem, crumbs: list[tuple[str, str]], *, place: str = "",
                    keep: DriveItem | None = None, report: bool = True) -> None:
        """Show the first page of `pages` now; a worker reads the rest (`report`: say the count when done)."""
        first = next(pages, [])
        gen = self._generation()
        self._show_first_page(gen, folder, crumbs, first, place=place, report=report)
        if keep is not None:
            self.selection = next((i for i in self.items if i.id == keep.id), keep)
        self._list_thread = threading.Thread(target=self._read_pages, args=(gen, folder, pages, report),
                                             name="drive-list", daemon=True)
        self._list_thread.start()

    def _show_first_page(self, gen: int, folder: DriveItem, crumbs: list[tuple[str, str]], first: list[DriveItem],
                         *, place: str = "", report: bool = True) -> None:
        """Open `folder` (or, named `place`, a place labelled `folder`) showing listing `gen`'s first page."""
        self._set_folder(None if place else folder, crumbs, place)
        self._shown = gen
        self.items = list(first)
        self.listing = True
        if report:
            self.message = f"Listing '{folder.title}'... {len(self.items):,} items so far."

    def _generation(self) -> int:
        with self._generation_lock:
            self._newest += 1
            return self._newest

    def _read_pages(self, gen: int, folder: DriveItem, pages: Pages, report: bool) -> None:
        """Worker: deliver each further page; stop when a newer listing was started."""
        try:
            for page in pages:
                if self._closed or gen != self._newest:
                    return
                self.handoff.deliver(partial(self._add_page, gen, folder, page, report))
        except Exception as exc:
            self.handoff.deliver(partial(self._listing_failed, gen, exc))
            return
        self.handoff.deliver(partial(self._listing_done, gen, folder, report))

    def _set_folder(self, folder: DriveItem | None, crumbs: list[tuple[str, str]], place: str = "") -> None:
        self.place = place
        self.folder = folder
        self.folder_id = folder.id if folder is not None else ""
        self.breadcrumbs = crumbs
        self.selection = None
        self.selected_ids = []
        self.asking = None

    def _add_page(self, gen: int, folder: DriveItem, page: list[DriveItem], report: bool) -> None:
        if gen != self._shown:
            return  # a page of a folder the user has left
        self.items = self.items + page
        if report:
            self.message = f"Listing '{folder.title}'... {len(self.items):,} items so far."

    def _listing_done(self, gen: int, folder: DriveItem, report: bool) -> None:
        if gen != self._shown:
            return
        self.listing = False
        if report:
            count = len(self.items)
            self.message = f"{count:,} item{'s' if count != 1 else ''} in '{folder.title}'."

    def _listing_failed(self, gen: int, exc: Exception) -> None:
        if gen != self._shown:
            return
        self.listing = False
        self.message = ""
        detail = in_words(exc, failed="")
        self.refuse(f"Only part of the list could be read ({len(self.items):,} items): {detail}")

    @traitlets.observe("items", "filter_text", "sort_by", "sort_descending")
    def _on_listing_change(self, change: Any) -> None:
        needle = self.filter_text.strip().lower()
        shown = [i for i in self.items if needle in i.title.lower()] if needle else list(self.items)
        self.visible = sort_items(shown, self.sort_by, self.sort_descending)


def opens(item: DriveItem) -> bool:
    """A folder, or a shortcut to one: what double-click and Enter open."""
    return item.is_folder or (item.is_shortcut and item.shortcut_target_mime == FOLDER_MIME)


def _owner(item: DriveItem) -> str:
    return item.owners[0].name or item.owners[0].email if item.owners else ""


def sort_items(items: list[DriveItem], key: str, descending: bool = False) -> list[DriveItem]:
    """Folders first (as Drive lists them), then by `key`; ties by name. Unknown sizes and dates last."""
    def name(i: DriveItem) -> str:
        return i.title.lower()

    if key == "size":
        known = [i for i in items if i.size_bytes is not None]
        unknown = [i for i in items if i.size_bytes is None]
        known.sort(key=lambda i: (i.size_bytes, name(i)), reverse=descending)
        ordered = known + sorted(unknown, key=name)
    elif key == "modified":
        known = [i for i in items if i.modified is not None]
        unknown = [i for i in items if i.modified is None]
        known.sort(key=lambda i: (i.modified.timestamp(), name(i)), reverse=descending)  # type: ignore[union-attr]
        ordered = known + sorted(unknown, key=name)
    elif key == "owner":
        ordered = sorted(items, key=lambda i: (_owner(i).lower(), name(i)), reverse=descending)
    else:
        ordered = sorted(items, key=name, reverse=descending)
    return [i for i in ordered if opens(i)] + [i for i in ordered if not opens(i)]
