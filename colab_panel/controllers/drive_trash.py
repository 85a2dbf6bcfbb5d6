"""`DriveTrash`: trash, delete forever, restore, empty the trash -- each destructive one asked first.

    c.trash()    -> `asking` holds the question (`pending`, `confirm_message`); c.confirm() does it, c.cancel() not
    c.delete()   -> the same, permanently; c.empty_trash() likewise; c.restore() needs no question
"""

from __future__ import annotations

from colab_panel.controllers.confirmation import Confirmation
from colab_panel.controllers.drive_navigation import DriveNavigation
from colab_panel.controllers.drive_selection import count_words
from colab_panel.errors import PanelError

EMPTY_TRASH_QUESTION = "Empty the trash? Everything in it is deleted permanently; this cannot be undone."


class DriveTrash(DriveNavigation):
    def trash(self, *, confirm: bool = False) -> None:
        """Ask first (`pending="trash"`); `confirm()` moves the selection to the trash."""
        self._ask("trash", confirm, "Move '{title}' to the trash? It can be restored from Drive's trash for 30 days.",
                  "Move {count} to the trash? They can be restored from Drive's trash for 30 days.")

    def delete(self, *, confirm: bool = False) -> None:
        """Ask first (`pending="delete"`); `confirm()` deletes the selection permanently."""
        self._ask("delete", confirm, "Delete '{title}' permanently? This cannot be undone{children}.",
                  "Delete {count} permanently? This cannot be undone{children}.")

    def empty_trash(self, *, confirm: bool = False) -> None:
        """Ask first (`pending="empty_trash"`); `confirm()` deletes everything in the trash for good."""
        self.error = ""
        self.asking = Confirmation("empty_trash", EMPTY_TRASH_QUESTION)
        if confirm:
            self.confirm()

    def restore(self) -> None:
        """Take the selected items out of the trash (where they were before)."""
        def run() -> None:
            drive = self._drive()
            done = self._each(self._targets(), drive.untrash, "restored")
            self._reload()
            self.message = f"Restored {count_words(done)} from the trash."
        self._run(run, "Restoring...", "selection")

    def confirm(self) -> None:
        """Carry out the destructive action that was asked about."""
        asked = self.take_asked()
        if asked is None or (asked.kind != "empty_trash" and not asked.subject):
            self.refuse("Nothing is waiting for confirmation.", "selection")
            return
        items = list(asked.subject or ())

        def run() -> None:
            drive = self._drive()
            if asked.kind == "empty_trash":
                drive.empty_trash()
                self.message = "Emptied the trash."
            elif asked.kind == "trash":
                done = self._each(items, drive.trash, "moved to the trash")
                self.message = (f"Moved '{done[0].title}' to the trash." if len(done) == 1
                                else f"Moved {count_words(done)} to the trash.")
            else:
                done = self._each(items, drive.delete, "deleted")
                self.message = (f"Deleted '{done[0].title}' permanently." if len(done) == 1
                                else f"Deleted {count_words(done)} permanently.")
            self._reload()
        self._run(run, "Working...", "selection")

    def cancel(self) -> None:
        self.asking = None
        self.message = "Cancelled."

    def _ask(self, kind: str, confirm: bool, one: str, many: str) -> None:
        try:
            items = self._targets()
        except PanelError as exc:
            self.fail(exc, at="selection")
            return
        self.error = ""
        folders = any(i.is_folder for i in items)
        if len(items) == 1:
            children = ", and everything inside the folder goes with it" if folders else ""
            question = one.format(title=items[0].title, children=children)
        else:
            children = ", and everything inside the folders goes with them" if folders else ""
            question = many.format(count=count_words(items), children=children)
        self.asking = Confirmation(kind, question, tuple(items))
        if confirm:
            self.confirm()
