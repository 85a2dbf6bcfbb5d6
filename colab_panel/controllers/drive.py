"""State and verbs of the Drive tab: which folder is open, what is in it, what is selected.

    c = DriveController(connect=lambda: connect())        # a Drive, or a factory called lazily
    c.open("https://drive.google.com/drive/folders/ID")   # any ID/link; a file opens its folder
    c.select(item_id); c.download(dest="/content/data"); c.upload("/content/model.pt")
    c.mkdir("runs"); c.rename("new name"); c.move("<folder link>")
    c.trash()   -> asks: `pending` and `confirm_message` are set; c.confirm() does it, c.cancel() not
    c.delete()  -> the same, permanently

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
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import traitlets

from colab_panel.controllers.drive_details import sharing_phrase
from colab_panel.drive.items import DriveItem
from colab_panel.errors import DriveError, DrivePermissionDenied, PanelError
from colab_panel.share.links import links_for_item
from colab_panel.units import human_bytes

__all__ = ["DriveController", "SORT_KEYS"]

_log = logging.getLogger(__name__)

SORT_KEYS = ("name", "size", "modified")
CONNECT_WAIT_S = 120.0


class DriveController(traitlets.HasTraits):
    folder_id = traitlets.Unicode("")
    folder = traitlets.Instance(DriveItem, allow_none=True)
    breadcrumbs = traitlets.List()  # [(id, title), ...] from the top folder down to `folder`
    items = traitlets.List()  # DriveItem children of `folder`, not trashed
    visible = traitlets.List()  # `items` filtered and sorted, what the list shows
    filter_text = traitlets.Unicode("")
    sort_by = traitlets.Enum(SORT_KEYS, default_value="name")
    selection = traitlets.Instance(DriveItem, allow_none=True)  # other tabs (Share, Staging) read this
    export_format = traitlets.Unicode("")  # label for Google-native downloads ("pdf", ...)
    busy = traitlets.Bool(False)
    connected = traitlets.Bool(False)
    error = traitlets.Unicode("")
    status = traitlets.Unicode("")
    progress = traitlets.Float(-1.0)  # 0..1 while a transfer runs, -1 otherwise
    pending = traitlets.Unicode("")  # "trash" | "delete" while a confirmation is asked
    confirm_message = traitlets.Unicode("")
    last_download = traitlets.Unicode("")  # local path of the last finished download
    listing = traitlets.Bool(False)  # True while the rest of the open folder is being read
    links = traitlets.Dict()  # links of the selection (colab_panel.share.links_for_item)
    sharing = traitlets.Unicode("")  # who can open the selection, in words ("" until read)

    def __init__(self, connect: Callable[[], Any] | Any, *, start_folder: str = "root",
                 default_dest: str | Path | None = None, apply_from_thread: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if callable(connect) and not hasattr(connect, "list"):
            self._connect, self.drive = connect, None
        else:
            self._connect, self.drive = None, connect
            self.connected = True
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
        if self.connected or self._closed or self._connect is None:
            return
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        self._thread, self.error = None, ""
        self._started.clear()
        self.start()

    def _background_start(self) -> None:
        try:
            drive = self.drive or self._connect()  # type: ignore[misc]
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
        self.error = str(exc) if isinstance(exc, PanelError) else f"Could not connect to Google Drive: {type(exc).__name__}: {exc}"

    def _connected(self, drive: Any, *, gen: int = 0, folder: DriveItem | None = None,
                   first: list[DriveItem] | None = None, crumbs: list[tuple[str, str]] | None = None,
                   failure: Exception | None = None) -> None:
        self.drive = drive
        self.connected = True
        self.busy = False
        self.status = ""
        if failure is not None:
            self._show_error(failure)
            return
        if self.folder_id:  # the user already opened something: keep it
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
            if self.drive is None and self._connect is not None and not self.error:
                self.drive = self._connect()
                self.connected = True
            if self.drive is None:
                raise DriveError(self.error or "Not connected to Google Drive.")
        return self.drive

    def close(self) -> None:
        self._closed = True
        self._details_wanted = None
        drive = self.drive
        if drive is not None and self._connect is not None and hasattr(drive, "close"):
            drive.close()  # we made it, we close it

    # --- running verbs ------------------------------------------------------------------------

    def _run(self, action: Callable[[], Any], doing: str = "") -> Any:
        if self.busy and doing:
            self.error = "Still busy with the last action; wait for it to finish."
            return None
        with self._lock:
            return self._run_locked(action, doing)

    def _run_locked(self, action: Callable[[], Any], doing: str) -> Any:
        self.busy = True
        self.error = ""
        if doing:
            self.status = doing
        try:
            return action()
        except PanelError as exc:
            self._show_error(exc)
        except Exception as exc:  # a click must never raise into the front end
            _log.exception("drive tab: unexpected failure")
            self.error = f"Something went wrong: {type(exc).__name__}: {exc}"
            self.status = ""
        finally:
            self.busy = False
            self.progress = -1.0
        return None

    def _show_error(self, exc: Exception) -> None:
        self.error = str(exc)
        self.status = ""

    # --- navigation ---------------------------------------------------------------------------

    def open(self, text: str) -> None:
        """Open a folder by ID or link; a file's link opens its folder with the file selected."""
        text = (text or "").strip()
        if not text:
            self.error = "Paste a Drive link or ID first."
            return
        self._run(lambda: self._open(text), f"Opening {text[:60]}...")

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
        """Open a folder (or a shortcut to one) from the list."""
        self._run(lambda: self._open(item_id), "Opening...")

    def up(self) -> None:
        if len(self.breadcrumbs) < 2:
            self.error = "This is the top folder."
            return
        self._run(lambda: self._list(self._drive().get(self.breadcrumbs[-2][0])), "Opening the parent folder...")

    def refresh(self) -> None:
        if not self.folder_id:
            self._run(lambda: self._list(self._drive().resolve(self.start_folder)), "Listing...")
            return
        keep = self.selection
        self._run(lambda: self._list(self._drive().get(self.folder_id), keep=keep), "Listing...")

    def _list(self, folder: DriveItem, keep: DriveItem | None = None, report: bool = True) -> None:
        """Show the first page now; a thread reads the rest (`report`: say the count when done)."""
        drive = self._drive()
        crumbs = [(item.id, item.title) for item in drive.ancestry(folder)]
        pages = drive.iter_pages(folder.id)
        first = next(pages, [])
        gen = self._generation()
        self._set_folder(folder, crumbs)
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
        self.error = f"Only part of the folder could be listed ({len(self.items):,} items): {detail}"

    def _set_folder(self, folder: DriveItem, crumbs: list[tuple[str, str]]) -> None:
        self.folder = folder
        self.folder_id = folder.id
        self.breadcrumbs = crumbs
        self.selection = None
        self.pending = ""
        self.confirm_message = ""

    def select(self, item_id: str | None) -> None:
        """Select an item of the listing by ID (None clears the selection)."""
        if not item_id:
            self.selection = None
            return
        match = next((i for i in self.items if i.id == item_id), None)
        if match is None:
            self.error = f"'{item_id}' is not in this folder."
            return
        self.selection = match

    # --- derived ------------------------------------------------------------------------------

    @traitlets.observe("items", "filter_text", "sort_by")
    def _on_listing_change(self, change: Any) -> None:
        needle = self.filter_text.strip().lower()
        shown = [i for i in self.items if needle in i.title.lower()] if needle else list(self.items)
        if self.sort_by == "size":
            shown.sort(key=lambda i: (not i.is_folder, -(i.size_bytes or 0), i.title.lower()))
        elif self.sort_by == "modified":
            shown.sort(key=lambda i: (not i.is_folder, -(i.modified.timestamp() if i.modified else 0)))
        else:
            shown.sort(key=lambda i: (not i.is_folder, i.title.lower()))
        self.visible = shown

    @traitlets.observe("selection")
    def _on_selection_change(self, change: Any) -> None:
        item = change["new"]
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
        if isinstance(selected, DriveItem):
            return selected
        if isinstance(selected, str) and selected:
            self.select(selected)
        if self.selection is None:
            raise DriveError("Select a file or folder in the list first.", reason="noSelection")
        return self.selection

    def download(self, selected: DriveItem | str | None = None, dest: str | Path | None = None) -> None:
        """Download the selection (a Google Doc is exported as `export_format`) into `dest`."""
        def run() -> None:
            drive = self._drive()
            item = drive.resolve(self._selected(selected))
            target = Path(dest).expanduser() if dest else self.default_dest
            if not dest or str(dest).endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
            if item.is_folder:
                raise DriveError(f"'{item.title}' is a folder: stage it from the Staging tab to copy all its files.",
                                 reason="isFolder")
            if item.is_native:
                path = drive.export(item, self.export_format or "pdf", target)
            else:
                path = drive.download(item, target, progress=self._on_progress)
            self.last_download = str(path)
            self.status = f"Saved '{item.title}' to {path} ({human_bytes(path.stat().st_size)})."
        self._run(run, "Downloading...")

    def upload(self, path: str | Path) -> None:
        """Upload a runtime file into the open folder."""
        def run() -> None:
            if not str(path).strip():
                raise DriveError("Type the path of a file on this runtime to upload, e.g. /content/model.pt.")
            drive = self._drive()
            source = Path(path).expanduser()
            item = drive.upload(source, self.folder_id or "root", progress=self._on_progress)
            self._reload(select=item)
            self.status = f"Uploaded {source.name} ({human_bytes(item.size_bytes)}) to '{self.folder.title if self.folder else 'My Drive'}'."
        self._run(run, f"Uploading {Path(str(path)).name}...")

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
        self._run(run, "Copying into your Drive (server-side: nothing is downloaded)...")

    def add_to_my_drive(self, selected: DriveItem | str | None = None) -> None:
        """'Add to My Drive': a shortcut to the selection in My Drive (an existing one is reused)."""
        from colab_panel.drive.copying import add_shortcut

        def run() -> None:
            item = add_shortcut(self._selected(selected), drive=self._drive())
            self.status = f"Added a shortcut to '{item.title}' in My Drive."
            if self.folder is not None and self.folder.id in item.parents:
                self._reload(select=item)
        self._run(run, "Adding a shortcut to My Drive...")

    def mkdir(self, name: str) -> None:
        def run() -> None:
            item = self._drive().mkdir(name, self.folder_id or "root")
            self._reload(select=item)
            self.status = f"Created folder '{item.title}'."
        self._run(run, "Creating the folder...")

    def rename(self, new: str) -> None:
        def run() -> None:
            old = self._selected()
            item = self._drive().rename(old, new)
            self._reload(select=item)
            self.status = f"Renamed '{old.title}' to '{item.title}'."
        self._run(run, "Renaming...")

    def move(self, to: str) -> None:
        """Move the selection into the folder given by ID or link."""
        def run() -> None:
            if not (to or "").strip():
                raise DriveError("Paste the link or ID of the folder to move into.")
            drive = self._drive()
            item = self._selected()
            target = drive.resolve(to.strip())
            if not target.is_folder:
                raise DriveError(f"'{target.title}' is not a folder; paste a folder link to move into.", reason="notFolder")
            drive.move(item, target)
            self._reload()
            self.status = f"Moved '{item.title}' to '{target.title}'."
        self._run(run, "Moving...")

    def trash(self, *, confirm: bool = False) -> None:
        """Ask first (`pending="trash"`); `confirm()` moves the selection to the trash."""
        self._ask("trash", confirm, "Move '{title}' to the trash? It can be restored from Drive's trash for 30 days.")

    def delete(self, *, confirm: bool = False) -> None:
        """Ask first (`pending="delete"`); `confirm()` deletes the selection permanently."""
        self._ask("delete", confirm, "Delete '{title}' permanently? This cannot be undone{children}.")

    def _ask(self, what: str, confirm: bool, message: str) -> None:
        try:
            item = self._selected()
        except PanelError as exc:
            self._show_error(exc)
            return
        self.error = ""
        self.pending = what
        children = ", and everything inside the folder goes with it" if item.is_folder else ""
        self.confirm_message = message.format(title=item.title, children=children)
        if confirm:
            self.confirm()

    def confirm(self) -> None:
        """Carry out the pending destructive action."""
        what, item = self.pending, self.selection
        self.pending = ""
        self.confirm_message = ""
        if not what or item is None:
            self.error = "Nothing is waiting for confirmation."
            return

        def run() -> None:
            drive = self._drive()
            if what == "trash":
                drive.trash(item)
                self.status = f"Moved '{item.title}' to the trash."
            else:
                drive.delete(item)
                self.status = f"Deleted '{item.title}' permanently."
            self._reload()
        self._run(run, "Working...")

    def cancel(self) -> None:
        self.pending = ""
        self.confirm_message = ""
        self.status = "Cancelled."

    def _reload(self, select: DriveItem | None = None) -> None:
        """List the open folder again after a change, keeping the status that says what changed."""
        self._list(self._drive().get(self.folder_id or "root"), keep=select, report=False)

    def _on_progress(self, done: int, total: int | None) -> None:
        self.progress = done / total if total else -1.0
        self.status = f"{human_bytes(done)} of {human_bytes(total)}" if total else f"{human_bytes(done)}"
