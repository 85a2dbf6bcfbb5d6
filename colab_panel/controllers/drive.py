"""State and verbs of the Drive tab: which folder is open, what is in it, what is selected.

    c = DriveController(connect=lambda: connect())        # a Drive, or a factory called lazily
    c.open("https://drive.google.com/drive/folders/ID")   # any ID/link; a file opens its folder
    c.select(item_id); c.download(dest="/content/data"); c.upload("/content/model.pt")
    c.mkdir("runs"); c.rename("new name"); c.move("<folder link>")
    c.trash()   -> asks: `pending` and `confirm_message` are set; c.confirm() does it, c.cancel() not
    c.delete()  -> the same, permanently
    c.select_ids([id1, id2, id3]); c.trash(); c.confirm()   # every verb acts on the whole selection
    c.open_place("starred")  # "mydrive", "shared", "drives", "starred", "trash"; c.search("cats")
    c.restore(); c.empty_trash()        # in the Trash; empty_trash asks first, like trash()
    c.hand_to("share") / c.hand_to("staging")   # the selection to another tab (`on_hand` listeners)
    c.sign_in("service_account", "/content/key.json")   # when not signed in (`sign_in_choices()`)

Every verb answers in words: a `PanelError` (bad link, not found, no permission, ...) becomes
the `error` trait, never an exception out of a click. `busy` is True while a verb runs;
`status` says what happened.

Connecting is lazy: `start()` connects and lists the start folder in a background thread so
the panel paints at once. Colab drops widget updates made from background threads
(colabtools#3373), so the thread only stores its result; `poll()` -- called by the panel's
ticker and by every verb -- applies it from the kernel's main thread. Where thread updates do
reach the page (JupyterLab, Voila), `apply_from_thread=True` applies it at once.

Listing shows the first page as soon as it arrives (a 10,000-item folder is usable after one
request of 1,000) and reads the rest in a background thread, delivered the same way (`listing`
is True meanwhile), so the kernel is free for the next click at once. `visible` is `items`
filtered by `filter_text` and sorted by `sort_by` (folders first).

Selecting an item fills `links` at once (computed, no request) and `sharing` ("Anyone with the
link can view", "Private to you", ...) from one permissions read in a background thread.
`settle()` waits for background reads and applies them (scripts and tests).

Selection: `selected_ids` is every selected item (in list order); `selection` is the one
item when exactly one is selected (the details pane, and the Share and Staging tabs' offers,
follow it), else None. Places other than a folder (Shared with me, Starred, Trash, a search)
are listings too: `place` names the one shown ("" for a folder) and its breadcrumb is
("place:<name>", title). `error_at` says which control an error belongs to ("link", "search",
"selection", "sign_in", "list"), so the view shows it there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import traitlets

from colab_panel.controllers.drive_details import sharing_phrase
from colab_panel.drive.interface import DriveSource
from colab_panel.drive.items import FOLDER_MIME, DriveItem
from colab_panel.drive.lazy import LazyDrive
from colab_panel.errors import DriveAuthError, DriveError, DrivePermissionDenied, PanelError
from colab_panel.share.links import links_for_item
from colab_panel.units import human_bytes

__all__ = ["PLACES", "SORT_KEYS", "DriveController", "SignInChoice", "sign_in_choices", "sort_items"]

_log = logging.getLogger(__name__)

SORT_KEYS = ("name", "size", "modified", "owner")
CONNECT_WAIT_S = 120.0
SIGN_IN_WAIT_S = 5.0  # how long Sign in waits for an earlier attempt's thread to end
# (name, title) of the places beside folders, in the order the tab offers them
PLACES = (("mydrive", "My Drive"), ("shared", "Shared with me"), ("drives", "Shared drives"),
          ("starred", "Starred"), ("trash", "Trash"))
PLACE_TITLES = dict(PLACES) | {"search": "Search"}
_PLACE_QUERIES = {"shared": ("sharedWithMe and trashed = false", False),
                  "starred": ("starred = true and trashed = false", True),
                  "trash": ("'me' in owners and trashed = true", False)}
HAND_TARGETS = ("share", "staging")


class DriveController(traitlets.HasTraits):
    folder_id = traitlets.Unicode("")
    folder = traitlets.Instance(DriveItem, allow_none=True)
    breadcrumbs = traitlets.List()  # [(id, title), ...] from the top folder down to `folder`
    items = traitlets.List()  # DriveItem children of `folder`, not trashed
    visible = traitlets.List()  # `items` filtered and sorted, what the list shows
    filter_text = traitlets.Unicode("")
    sort_by = traitlets.Enum(SORT_KEYS, default_value="name")
    sort_descending = traitlets.Bool(False)
    selection = traitlets.Instance(DriveItem, allow_none=True)  # the one selected item; other tabs read this
    selected_ids = traitlets.List(traitlets.Unicode())  # every selected item, in list order
    place = traitlets.Unicode("")  # "" (a folder), or a PLACES name, or "search"
    search_text = traitlets.Unicode("")  # what the last search looked for
    error_at = traitlets.Unicode("")  # the control the error belongs to (see module docstring)
    show_sign_in = traitlets.Bool(False)  # not signed in: the tab offers `sign_in_choices()`
    export_format = traitlets.Unicode("")  # label for Google-native downloads ("pdf", ...)
    busy = traitlets.Bool(False)
    connected = traitlets.Bool(False)
    error = traitlets.Unicode("")
    status = traitlets.Unicode("")
    progress = traitlets.Float(-1.0)  # 0..1 while a transfer runs, -1 otherwise
    pending = traitlets.Unicode("")  # "trash" | "delete" | "empty_trash" while a confirmation is asked
    confirm_message = traitlets.Unicode("")
    last_download = traitlets.Unicode("")  # local path of the last finished download
    listing = traitlets.Bool(False)  # True while the rest of the open folder is being read
    links = traitlets.Dict()  # links of the selection (colab_panel.share.links_for_item)
    sharing = traitlets.Unicode("")  # who can open the selection, in words ("" until read)

    def __init__(self, connect: DriveSource, *, start_folder: str = "root",
                 default_dest: str | Path | None = None, apply_from_thread: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._connection = LazyDrive.of(connect)  # a panel's is shared with its other tabs
        self._owns_connection = self._connection is not connect  # a shared one is closed by its maker
        self.drive = self._connection.current if self._connection.given else None
        self.connected = self._connection.given
        self.start_folder = start_folder
        self.default_dest = Path(default_dest) if default_dest else Path.cwd()
        self.apply_from_thread = apply_from_thread
        # _lock serialises applying results with verbs (a thread applying a page must not
        # interleave with a click's changes); _results_lock only guards the queue.
        self._lock = threading.RLock()
        self._results_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._results: list[Callable[[], None]] = []
        self._closed = False
        self._newest = 0  # generation of the newest listing started
        self._shown = 0  # generation of the listing `items` holds
        self._list_thread: threading.Thread | None = None
        self._details_thread: threading.Thread | None = None
        self._details_wanted: DriveItem | None = None
        self._me: str | None = None  # the signed-in account's email, read once for "Private to you"
        self._pending_items: list[DriveItem] = []  # what a confirmed trash/delete acts on
        self._hand_listeners: list[Callable[[str, list[DriveItem]], Any]] = []

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Connect and list the start folder in the background (see module docstring)."""
        if self._thread is not None:
            return
        self.status = "Connecting to Google Drive..."
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

    def _background_start(self) -> None:
        try:
            drive = self.drive or self._connection()
        except Exception as exc:
            self._deliver(lambda error=exc: self._connect_failed(error))
            return
        try:
            folder = drive.resolve(self.start_folder)
            pages = drive.iter_pages(folder.id)
            first = next(pages, [])
            crumbs = [(item.id, item.title) for item in drive.ancestry(folder)]
        except Exception as exc:
            self._deliver(lambda error=exc: self._connected(drive, failure=error))
            return
        gen = self._generation()
        self._deliver(lambda: self._connected(drive, gen=gen, folder=folder, first=first, crumbs=crumbs))
        self._read_pages(gen, folder, pages, report=True)

    def _deliver(self, apply: Callable[[], None]) -> None:
        with self._results_lock:
            self._results.append(apply)
        self._started.set()
        if self.apply_from_thread:
            self.poll()

    def poll(self) -> None:
        """Apply what background threads produced (the ticker calls this on the main thread)."""
        with self._lock:
            with self._results_lock:
                results, self._results = self._results, []
            for apply in results:
                try:
                    apply()
                except Exception:  # one bad result must not stop the ticker or the others
                    _log.exception("drive tab: applying a background result failed")

    def settle(self, timeout: float = 60.0) -> None:
        """Wait (bounded) for the background reads under way, then apply them."""
        for thread in (self._thread, self._list_thread, self._details_thread):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
        self.poll()

    def _generation(self) -> int:
        with self._results_lock:
            self._newest += 1
            return self._newest

    def _connect_failed(self, exc: Exception) -> None:
        self.busy = False
        self.status = ""
        self._fail(str(exc) if isinstance(exc, PanelError) else f"Could not connect to Google Drive: {type(exc).__name__}: {exc}",
                   "sign_in")
        self.show_sign_in = True

    def _connected(self, drive: Any, *, gen: int = 0, folder: DriveItem | None = None,
                   first: list[DriveItem] | None = None, crumbs: list[tuple[str, str]] | None = None,
                   failure: Exception | None = None) -> None:
        self.drive = drive
        self.connected = True
        self.show_sign_in = False
        self.busy = False
        self.status = ""
        if failure is not None:
            self._show_error(failure)
            return
        if self.folder_id or self.place:  # the user already opened something: keep it
            return
        assert folder is not None
        self._set_folder(folder, crumbs or [])
        self._shown = gen
        self.items = list(first or [])
        self.listing = True
        self.status = f"Listing '{folder.title}'... {len(self.items):,} items so far."

    def _drive(self) -> Any:
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

    def close(self) -> None:
        self._closed = True
        self._details_wanted = None
        if self._owns_connection:
            self._connection.close()  # what it made; a given Drive is its maker's to close

    # --- running verbs ------------------------------------------------------------------------

    def _run(self, action: Callable[[], Any], doing: str = "", where: str = "list") -> Any:
        if self.busy and doing:
            self._fail("Still busy with the last action; wait for it to finish.", where)
            return None
        with self._lock:
            return self._run_locked(action, doing, where)

    def _run_locked(self, action: Callable[[], Any], doing: str, where: str = "list") -> Any:
        self.busy = True
        self.error = ""
        if doing:
            self.status = doing
        try:
            return action()
        except PanelError as exc:
            self._show_error(exc, where)
        except Exception as exc:  # a click must never raise into the front end
            _log.exception("drive tab: unexpected failure")
            self._fail(f"Something went wrong: {type(exc).__name__}: {exc}", where)
            self.status = ""
        finally:
            self.busy = False
            self.progress = -1.0
        return None

    def _show_error(self, exc: Exception, where: str = "list") -> None:
        if isinstance(exc, DriveAuthError) and not self.connected:
            where, self.show_sign_in = "sign_in", True
        self._fail(str(exc), where)
        self.status = ""

    def _fail(self, message: str, where: str = "list") -> None:
        self.error_at = where
        self.error = message

    @traitlets.observe("error")
    def _on_error_change(self, change: Any) -> None:
        if not change["new"]:
            self.error_at = ""

    # --- navigation ---------------------------------------------------------------------------

    def open(self, text: str) -> None:
        """Open a folder by ID or link; a file's link opens its folder with the file selected."""
        text = (text or "").strip()
        if not text:
            self._fail("Paste a Drive link or ID first.", "link")
            return
        self._run(lambda: self._open(text), f"Opening {text[:60]}...", "link")

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

    def open_item(self, item_id: str) -> None:
        """Open a folder (or a shortcut to one) from the list, or a place from its breadcrumb."""
        if item_id.startswith("place:"):
            self.open_place(item_id.partition(":")[2])
            return
        item = next((i for i in self.items if i.id == item_id), None)
        if item is not None and not _opens(item):
            self.select(item_id)  # Enter on a file: it is selected, nothing else happens
            return
        self._run(lambda: self._open(item_id), "Opening...")

    def open_place(self, name: str) -> None:
        """Show a place: "mydrive", "shared", "drives" (the shared drives), "starred" or "trash"."""
        if name not in PLACE_TITLES or name == "search":
            self._fail(f"There is no place called {name!r}; choose one of {', '.join(n for n, _ in PLACES)}.")
            return
        if name == "mydrive":
            self._run(lambda: self._list(self._drive().get("root")), "Opening My Drive...")
            return
        self._run(lambda: self._list_place(name), f"Opening {PLACE_TITLES[name]}...")

    def search(self, text: str) -> None:
        """Items anywhere in Drive (shared drives too) whose name has a word starting with `text`."""
        text = (text or "").strip()
        if not text:
            self._fail("Type part of a name to search for.", "search")
            return
        if len(text) > 200:
            self._fail("That is too long to search for; type part of a name (at most 200 characters).", "search")
            return
        self.search_text = text
        self._run(lambda: self._list_place("search"), f"Searching for '{text}'...", "search")

    def up(self) -> None:
        if len(self.breadcrumbs) < 2:
            self._fail("This is the top folder." if not self.place else f"{PLACE_TITLES[self.place]} has no folder above it.")
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

    def _list(self, folder: DriveItem, keep: DriveItem | None = None, report: bool = True) -> None:
        """Show the first page now; a thread reads the rest (`report`: say the count when done)."""
        drive = self._drive()
        crumbs = [(item.id, item.title) for item in drive.ancestry(folder)]
        self._show_pages(drive.iter_pages(folder.id), folder, crumbs, place="", keep=keep, report=report)

    def _list_place(self, name: str, keep: DriveItem | None = None, report: bool = True) -> None:
        drive = self._drive()
        if name == "drives":
            pages: Any = iter([drive.shared_drives()])
        elif name == "search":
            from colab_panel.drive.client import search_query

            pages = drive.iter_search(search_query(self.search_text), all_drives=True)
        else:
            q, all_drives = _PLACE_QUERIES[name]
            pages = drive.iter_search(q, all_drives=all_drives)
        title = f"Search: {self.search_text}" if name == "search" else PLACE_TITLES[name]
        label = DriveItem(id=f"place:{name}", title=title, mime_type=FOLDER_MIME)
        self._show_pages(pages, label, [(label.id, title)], place=name, keep=keep, report=report)

    def _show_pages(self, pages: Any, folder: DriveItem, crumbs: list[tuple[str, str]], *, place: str,
                    keep: DriveItem | None, report: bool) -> None:
        first = next(pages, [])
        gen = self._generation()
        self._set_folder(None if place else folder, crumbs, place)
        self._shown = gen
        self.items = list(first)  # first screen now; the rest below
        if keep is not None:
            self.selection = next((i for i in self.items if i.id == keep.id), keep)
        self.listing = True
        if report:
            self.status = f"Listing '{folder.title}'... {len(self.items):,} items so far."
        self._list_thread = threading.Thread(target=self._read_pages, args=(gen, folder, pages, report),
                                             name="drive-list", daemon=True)
        self._list_thread.start()

    def _read_pages(self, gen: int, folder: DriveItem, pages: Any, report: bool) -> None:
        """Thread body: deliver each further page; stop when a newer listing was started."""
        try:
            for page in pages:
                if self._closed or gen != self._newest:
                    return
                self._deliver(lambda page=page: self._add_page(gen, folder, page, report))
        except Exception as exc:
            self._deliver(lambda error=exc: self._listing_failed(gen, error))
            return
        self._deliver(lambda: self._listing_done(gen, folder, report))

    def _add_page(self, gen: int, folder: DriveItem, page: list[DriveItem], report: bool) -> None:
        if gen != self._shown:
            return  # a page of a folder the user has left
        self.items = self.items + page
        if report:
            self.status = f"Listing '{folder.title}'... {len(self.items):,} items so far."

    def _listing_done(self, gen: int, folder: DriveItem, report: bool) -> None:
        if gen != self._shown:
            return
        self.listing = False
        if report:
            count = len(self.items)
            self.status = f"{count:,} item{'s' if count != 1 else ''} in '{folder.title}'."

    def _listing_failed(self, gen: int, exc: Exception) -> None:
        if gen != self._shown:
            return
        self.listing = False
        self.status = ""
        detail = str(exc) if isinstance(exc, PanelError) else f"{type(exc).__name__}: {exc}"
        self._fail(f"Only part of the list could be read ({len(self.items):,} items): {detail}")

    def _set_folder(self, folder: DriveItem | None, crumbs: list[tuple[str, str]], place: str = "") -> None:
        self.place = place
        self.folder = folder
        self.folder_id = folder.id if folder is not None else ""
        self.breadcrumbs = crumbs
        self.selection = None
        self.selected_ids = []
        self.pending = ""
        self.confirm_message = ""

    # --- selection ----------------------------------------------------------------------------

    def select(self, item_id: str | None) -> None:
        """Select one item of the listing by ID (None clears the selection)."""
        if not item_id:
            self.select_ids([])
            return
        if not any(i.id == item_id for i in self.items):
            self._fail(f"'{item_id}' is not in this list.")
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

    # --- derived ------------------------------------------------------------------------------

    @traitlets.observe("items", "filter_text", "sort_by", "sort_descending")
    def _on_listing_change(self, change: Any) -> None:
        needle = self.filter_text.strip().lower()
        shown = [i for i in self.items if needle in i.title.lower()] if needle else list(self.items)
        self.visible = sort_items(shown, self.sort_by, self.sort_descending)

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
        self.pending = ""
        self.confirm_message = ""
        self.links = links_for_item(item) if item is not None else {}
        if item is None or self.drive is None:
            self.sharing = ""
            return
        self.sharing = "Checking who can open it..."
        self._want_details(item)

    # --- details (sharing) --------------------------------------------------------------------

    def _want_details(self, item: DriveItem) -> None:
        """Read the sharing of `item` in one worker; a newer selection replaces an older wish."""
        with self._results_lock:
            self._details_wanted = item
            if self._details_thread is not None and self._details_thread.is_alive():
                return
            self._details_thread = threading.Thread(target=self._details_worker, name="drive-details", daemon=True)
            self._details_thread.start()

    def _details_worker(self) -> None:
        while True:
            with self._results_lock:
                item, self._details_wanted = self._details_wanted, None
                if item is None or self._closed:
                    self._details_thread = None
                    return
            text = self._read_sharing(item)
            self._deliver(lambda item_id=item.id, text=text: self._apply_sharing(item_id, text))

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

    # --- file operations ----------------------------------------------------------------------

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

    def download(self, selected: DriveItem | str | None = None, dest: str | Path | None = None) -> None:
        """Download the selected files (a Google Doc is exported as `export_format`) into `dest`.

        Folders are left out with a word: the Staging tab copies a folder with all its files."""
        def run() -> None:
            drive = self._drive()
            items = self._targets(selected)
            folders = [i for i in items if i.is_folder]
            if len(items) == 1 and folders:
                raise DriveError(f"'{items[0].title}' is a folder: stage it from the Staging tab to copy all its files.",
                                 reason="isFolder")
            files = [i for i in items if not i.is_folder]
            target = Path(dest).expanduser() if dest else self.default_dest
            if not dest or str(dest).endswith("/") or len(files) > 1:
                target.mkdir(parents=True, exist_ok=True)
            saved: list[Path] = []
            for index, chosen in enumerate(files):
                item = drive.resolve(chosen)
                if len(files) > 1:
                    self.status = f"Downloading {index + 1} of {len(files)}: '{item.title}'..."
                if item.is_native:
                    path = drive.export(item, self.export_format or "pdf", target)
                else:
                    path = drive.download(item, target, progress=self._on_progress)
                saved.append(path)
                self.last_download = str(path)
            if len(saved) == 1:
                self.status = f"Saved '{files[0].title}' to {saved[0]} ({human_bytes(saved[0].stat().st_size)})."
            else:
                total = sum(p.stat().st_size for p in saved)
                self.status = f"Saved {len(saved)} files to {target} ({human_bytes(total)})."
            if folders:
                self.status += (f" Left out {len(folders)} folder{'s' if len(folders) > 1 else ''}: "
                                "stage folders from the Staging tab.")
        self._run(run, "Downloading...", "selection")

    def upload(self, path: str | Path) -> None:
        """Upload a runtime file into the open folder."""
        def run() -> None:
            if not str(path).strip():
                raise DriveError("Type the path of a file on this runtime to upload, e.g. /content/model.pt.")
            if self.place:
                raise DriveError(f"Open a folder to upload into ({PLACE_TITLES[self.place]} is not one).")
            drive = self._drive()
            source = Path(path).expanduser()
            item = drive.upload(source, self.folder_id or "root", progress=self._on_progress)
            self._reload(select=item)
            self.status = f"Uploaded {source.name} ({human_bytes(item.size_bytes)}) to '{self.folder.title if self.folder else 'My Drive'}'."
        self._run(run, f"Uploading {Path(str(path)).name}...", "upload")

    # --- copy instead of download (issue 19) -----------------------------------------------------

    def copy_to_my_drive(self, selected: DriveItem | str | None = None) -> None:
        """'Copy to my Drive': a server-side copy of the selection (a folder: everything in it) into
        My Drive; running it again finishes an interrupted copy instead of duplicating it."""
        from colab_panel.drive.copying import copy_to_my_drive

        def run() -> None:
            report = copy_to_my_drive(self._selected(selected), drive=self._drive())
            self.status = report.describe()
            if self.folder is not None and self.folder.id in report.copy.parents:
                self._reload(select=report.copy)
        self._run(run, "Copying into your Drive (server-side: nothing is downloaded)...", "selection")

    def add_to_my_drive(self, selected: DriveItem | str | None = None) -> None:
        """'Add to My Drive': a shortcut to the selection in My Drive (an existing one is reused)."""
        from colab_panel.drive.copying import add_shortcut

        def run() -> None:
            item = add_shortcut(self._selected(selected), drive=self._drive())
            self.status = f"Added a shortcut to '{item.title}' in My Drive."
            if self.folder is not None and self.folder.id in item.parents:
                self._reload(select=item)
        self._run(run, "Adding a shortcut to My Drive...", "selection")

    def mkdir(self, name: str) -> None:
        def run() -> None:
            if self.place:
                raise DriveError(f"Open a folder to make a folder in ({PLACE_TITLES[self.place]} is not one).")
            item = self._drive().mkdir(name, self.folder_id or "root")
            self._reload(select=item)
            self.status = f"Created folder '{item.title}'."
        self._run(run, "Creating the folder...", "name")

    def rename(self, new: str) -> None:
        def run() -> None:
            old = self._selected()
            item = self._drive().rename(old, new)
            self._reload(select=item)
            self.status = f"Renamed '{old.title}' to '{item.title}'."
        self._run(run, "Renaming...", "name")

    def move(self, to: str) -> None:
        """Move the selected items into the folder given by ID or link."""
        def run() -> None:
            if not (to or "").strip():
                raise DriveError("Paste the link or ID of the folder to move into.")
            drive = self._drive()
            items = self._targets()
            target = drive.resolve(to.strip())
            if not target.is_folder:
                raise DriveError(f"'{target.title}' is not a folder; paste a folder link to move into.", reason="notFolder")
            done = self._each(items, lambda item: drive.move(item, target), "moved")
            self._reload()
            what = f"'{done[0].title}'" if len(done) == 1 else _count_words(done)
            self.status = f"Moved {what} to '{target.title}'."
        self._run(run, "Moving...", "move")

    def _each(self, items: list[DriveItem], act: Callable[[DriveItem], Any], verb: str) -> list[DriveItem]:
        """Act on each item in turn; if one fails, say which and how many were done before it."""
        done: list[DriveItem] = []
        for item in items:
            try:
                act(item)
            except PanelError as exc:
                if not done:
                    raise
                raise DriveError(f"{_count_words(done)} {verb}, then '{item.title}' failed: {exc}") from None
            done.append(item)
        return done

    def trash(self, *, confirm: bool = False) -> None:
        """Ask first (`pending="trash"`); `confirm()` moves the selection to the trash."""
        self._ask("trash", confirm, "Move '{title}' to the trash? It can be restored from Drive's trash for 30 days.",
                  "Move {count} to the trash? They can be restored from Drive's trash for 30 days.")

    def delete(self, *, confirm: bool = False) -> None:
        """Ask first (`pending="delete"`); `confirm()` deletes the selection permanently."""
        self._ask("delete", confirm, "Delete '{title}' permanently? This cannot be undone{children}.",
                  "Delete {count} permanently? This cannot be undone{children}.")

    def restore(self) -> None:
        """Take the selected items out of the trash (where they were before)."""
        def run() -> None:
            drive = self._drive()
            done = self._each(self._targets(), drive.untrash, "restored")
            self._reload()
            self.status = f"Restored {_count_words(done)} from the trash."
        self._run(run, "Restoring...", "selection")

    def empty_trash(self, *, confirm: bool = False) -> None:
        """Ask first (`pending="empty_trash"`); `confirm()` deletes everything in the trash for good."""
        self.error = ""
        self.pending = "empty_trash"
        self._pending_items = []
        self.confirm_message = "Empty the trash? Everything in it is deleted permanently; this cannot be undone."
        if confirm:
            self.confirm()

    def _ask(self, what: str, confirm: bool, one: str, many: str) -> None:
        try:
            items = self._targets()
        except PanelError as exc:
            self._show_error(exc, "selection")
            return
        self.error = ""
        self.pending = what
        self._pending_items = items
        folders = any(i.is_folder for i in items)
        if len(items) == 1:
            children = ", and everything inside the folder goes with it" if folders else ""
            self.confirm_message = one.format(title=items[0].title, children=children)
        else:
            children = ", and everything inside the folders goes with them" if folders else ""
            self.confirm_message = many.format(count=_count_words(items), children=children)
        if confirm:
            self.confirm()

    def confirm(self) -> None:
        """Carry out the pending destructive action."""
        what, items = self.pending, self._pending_items
        self.pending = ""
        self.confirm_message = ""
        self._pending_items = []
        if not what or (what != "empty_trash" and not items):
            self._fail("Nothing is waiting for confirmation.", "selection")
            return

        def run() -> None:
            drive = self._drive()
            if what == "empty_trash":
                drive.empty_trash()
                self.status = "Emptied the trash."
            elif what == "trash":
                done = self._each(items, drive.trash, "moved to the trash")
                self.status = (f"Moved '{done[0].title}' to the trash." if len(done) == 1
                               else f"Moved {_count_words(done)} to the trash.")
            else:
                done = self._each(items, drive.delete, "deleted")
                self.status = (f"Deleted '{done[0].title}' permanently." if len(done) == 1
                               else f"Deleted {_count_words(done)} permanently.")
            self._reload()
        self._run(run, "Working...", "selection")

    def cancel(self) -> None:
        self.pending = ""
        self.confirm_message = ""
        self._pending_items = []
        self.status = "Cancelled."

    def _reload(self, select: DriveItem | None = None) -> None:
        """List what is shown again after a change, keeping the status that says what changed."""
        if self.place:
            self._list_place(self.place, keep=select, report=False)
        else:
            self._list(self._drive().get(self.folder_id or "root"), keep=select, report=False)

    def _on_progress(self, done: int, total: int | None) -> None:
        self.progress = done / total if total else -1.0
        self.status = f"{human_bytes(done)} of {human_bytes(total)}" if total else f"{human_bytes(done)}"

    # --- handing the selection to another tab ---------------------------------------------------

    def on_hand(self, listener: Callable[[str, list[DriveItem]], Any]) -> Callable[[], None]:
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
            self._show_error(exc, "selection")
            return False
        self.error = ""
        return True

    # --- signing in ----------------------------------------------------------------------------

    def sign_in(self, auth: str, path: str = "") -> None:
        """Connect with one of `sign_in_choices()` (a key or client-secrets file at `path`)."""
        choices = {c.auth: c for c in sign_in_choices()}
        choice = choices.get(auth)
        if choice is None:
            self._fail(f"Sign-in {auth!r} does not work here; choose one of: {', '.join(choices)}.", "sign_in")
            return
        path = (path or "").strip()
        if choice.needs_path and not path:
            self._fail(f"Type the path of the {choice.path_hint} on this runtime first.", "sign_in")
            return

        def connect() -> Any:
            from colab_panel.drive.auth import connect as drive_connect

            if auth == "service_account":
                return drive_connect(auth, key_file=path)
            if auth == "client_secrets":
                return drive_connect(auth, client_secrets=path)
            return drive_connect(auth)

        if self._connection.given:
            self._fail("This panel was given its Drive connection; it cannot sign in again.", "sign_in")
            return
        earlier = self._thread
        if earlier is not None and earlier.is_alive():
            earlier.join(SIGN_IN_WAIT_S)  # an attempt that has answered may still be finishing
            if earlier.is_alive():
                self._fail("Still trying to sign in the earlier way; try again in a moment.", "sign_in")
                return
        self._connection.switch(connect)
        self.drive, self.connected = None, False
        self.show_sign_in = False
        self.reconnect()


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


def _count_words(items: list[Any]) -> str:
    return f"{len(items)} item{'s' if len(items) != 1 else ''}"


def _opens(item: DriveItem) -> bool:
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
    return [i for i in ordered if _opens(i)] + [i for i in ordered if not _opens(i)]
