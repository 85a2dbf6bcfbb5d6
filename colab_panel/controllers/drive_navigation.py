"""`DriveNavigation`: where the Drive tab goes -- a folder by ID or link, up, a place, a search -- and listing it again.

Places other than a folder (Shared with me, Starred, Trash, a search) are listings too: `place`
names the one shown ("" for a folder) and its breadcrumb is ("place:<name>", title).
"""

from __future__ import annotations

from colab_panel.controllers.drive_listing import Pages, opens
from colab_panel.controllers.drive_selection import DriveSelection
from colab_panel.drive.items import FOLDER_MIME, DriveItem
from colab_panel.errors import DriveError

# (name, title) of the places beside folders, in the order the tab offers them
PLACES = (("mydrive", "My Drive"), ("shared", "Shared with me"), ("drives", "Shared drives"),
          ("starred", "Starred"), ("trash", "Trash"))
PLACE_TITLES = dict(PLACES) | {"search": "Search"}
_PLACE_QUERIES = {"shared": ("sharedWithMe and trashed = false", False),
                  "starred": ("starred = true and trashed = false", True),
                  "trash": ("'me' in owners and trashed = true", False)}
MAX_SEARCH_CHARS = 200


class DriveNavigation(DriveSelection):
    def open(self, text: str) -> None:
        """Open a folder by ID or link; a file's link opens its folder with the file selected."""
        text = (text or "").strip()
        if not text:
            self.refuse("Paste a Drive link or ID first.", "link")
            return
        self._run(lambda: self._open(text), f"Opening {text[:60]}...", "link")

    def open_item(self, item_id: str) -> None:
        """Open a folder (or a shortcut to one) from the list, or a place from its breadcrumb."""
        if item_id.startswith("place:"):
            self.open_place(item_id.partition(":")[2])
            return
        item = next((i for i in self.items if i.id == item_id), None)
        if item is not None and not opens(item):
            self.select(item_id)  # Enter on a file: it is selected, nothing else happens
            return
        self._run(lambda: self._open(item_id), "Opening...")

    def open_place(self, name: str) -> None:
        """Show a place: "mydrive", "shared", "drives" (the shared drives), "starred" or "trash"."""
        if name not in PLACE_TITLES or name == "search":
            self.refuse(f"There is no place called {name!r}; choose one of {', '.join(n for n, _ in PLACES)}.")
            return
        if name == "mydrive":
            self._run(lambda: self._list(self._drive().get("root")), "Opening My Drive...")
            return
        self._run(lambda: self._list_place(name), f"Opening {PLACE_TITLES[name]}...")

    def search(self, text: str) -> None:
        """Items anywhere in Drive (shared drives too) whose name has a word starting with `text`."""
        text = (text or "").strip()
        if not text:
            self.refuse("Type part of a name to search for.", "search")
            return
        if len(text) > MAX_SEARCH_CHARS:
            self.refuse(f"That is too long to search for; type part of a name (at most {MAX_SEARCH_CHARS} "
                        "characters).", "search")
            return
        self.search_text = text
        self._run(lambda: self._list_place("search"), f"Searching for '{text}'...", "search")

    def up(self) -> None:
        if len(self.breadcrumbs) < 2:
            self.refuse("This is the top folder." if not self.place
                        else f"{PLACE_TITLES[self.place]} has no folder above it.")
            return
        parent_id = self.breadcrumbs[-2][0]
        self._run(lambda: self._list(self._drive().get(parent_id)), "Opening the parent folder...")

    def refresh(self) -> None:
        keep = self.selection
        if self.place:
            self._run(lambda: self._list_place(self.place, keep=keep), "Listing...")
        elif not self.folder_id:
            self._run(lambda: self._list(self._drive().resolve(self.start_folder)), "Listing...")
        else:
            self._run(lambda: self._list(self._drive().get(self.folder_id), keep=keep), "Listing...")

    def _open(self, text: str) -> None:
        drive = self._drive()
        item = drive.resolve(text)
        if item.is_folder:
            self._list(item)
            return
        if not item.parents:
            raise DriveError(f"'{item.title}' is a file whose folder this account cannot see; "
                             "download it with the CLI: colab-panel drive download ID.")
        self._list(drive.get(item.parents[0]))
        self.selection = next((i for i in self.items if i.id == item.id), item)

    def _reload(self, select: DriveItem | None = None) -> None:
        """List what is shown again after a change, keeping the message that says what changed."""
        if self.place:
            self._list_place(self.place, keep=select, report=False)
        else:
            self._list(self._drive().get(self.folder_id or "root"), keep=select, report=False)

    def _list(self, folder: DriveItem, keep: DriveItem | None = None, report: bool = True) -> None:
        """Show the first page now; a worker reads the rest (`report`: say the count when done)."""
        drive = self._drive()
        crumbs = [(item.id, item.title) for item in drive.ancestry(folder)]
        self._show_pages(drive.iter_pages(folder.id), folder, crumbs, keep=keep, report=report)

    def _list_place(self, name: str, keep: DriveItem | None = None, report: bool = True) -> None:
        drive = self._drive()
        pages: Pages
        if name == "drives":
            pages = iter([drive.shared_drives()])
        elif name == "search":
            from colab_panel.drive.client import search_query

            pages = drive.iter_search(search_query(self.search_text), all_drives=True)
        else:
            q, all_drives = _PLACE_QUERIES[name]
            pages = drive.iter_search(q, all_drives=all_drives)
        title = f"Search: {self.search_text}" if name == "search" else PLACE_TITLES[name]
        label = DriveItem(id=f"place:{name}", title=title, mime_type=FOLDER_MIME)
        self._show_pages(pages, label, [(label.id, title)], place=name, keep=keep, report=report)
