"""`DriveController`: state and verbs of the Drive tab -- which folder is open, what is in it, what is selected.

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

Every verb answers in words (`Controller`'s error policy): a `PanelError` (bad link, not found,
no permission, ...) becomes the `error` trait, never an exception out of a click; `error_at` says
which control it belongs to ("link", "search", "selection", "sign_in", "list"), so the view shows
it there. `busy` is True while a verb runs; `message` says what happened.

Workers connect, read the rest of a listing and read the selection's sharing; their results
reach the traits through the controller's `handoff`, applied by `poll()` -- called by the panel's
ticker and by every verb -- on the kernel's main thread, because Colab drops widget updates made
from background threads (colabtools#3373). Where thread updates do reach the page (JupyterLab,
Voila), `apply_from_thread=True` applies them at once. `settle()` waits for the workers and
applies their results (scripts and tests).

The parts, one job each: `drive_state` (the traits, where errors show), `drive_listing` (paged
listing in a worker, sorting), `drive_connection` (connecting, signing in), `drive_selection`
(what verbs act on, handing it to another tab), `drive_details_reader` (links and sharing of the
selection), `drive_navigation` (folders, places, search), `drive_files` (download, upload,
rename, ...), `drive_trash` (trash, delete, restore, each asked first).
"""

from __future__ import annotations

from colab_panel.controllers.drive_connection import SignInChoice, sign_in_choices
from colab_panel.controllers.drive_details_reader import DriveDetailsReader
from colab_panel.controllers.drive_files import DriveFiles
from colab_panel.controllers.drive_listing import sort_items
from colab_panel.controllers.drive_navigation import PLACES
from colab_panel.controllers.drive_state import SORT_KEYS
from colab_panel.controllers.drive_trash import DriveTrash

__all__ = ["PLACES", "SORT_KEYS", "DriveController", "SignInChoice", "sign_in_choices", "sort_items"]


class DriveController(DriveFiles, DriveTrash, DriveDetailsReader):
    """The Drive tab's controller: its parts composed (see the module docstring). Safe without widgets."""
