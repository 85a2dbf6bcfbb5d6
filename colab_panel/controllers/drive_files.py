"""`DriveFiles`: the Drive tab's file operations -- download, upload, new folder, rename, move, copy, shortcut."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from colab_panel.controllers.drive_navigation import PLACE_TITLES, DriveNavigation
from colab_panel.controllers.drive_selection import count_words
from colab_panel.drive.items import DriveItem
from colab_panel.errors import DriveError
from colab_panel.units import human_bytes


class DriveFiles(DriveNavigation):
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
            saved = self._download_each(drive, files, target)
            if len(saved) == 1:
                self.message = f"Saved '{files[0].title}' to {saved[0]} ({human_bytes(saved[0].stat().st_size)})."
            else:
                total = sum(p.stat().st_size for p in saved)
                self.message = f"Saved {len(saved)} files to {target} ({human_bytes(total)})."
            if folders:
                self.message += (f" Left out {len(folders)} folder{'s' if len(folders) > 1 else ''}: "
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
            where = self.folder.title if self.folder else "My Drive"
            self.message = f"Uploaded {source.name} ({human_bytes(item.size_bytes)}) to '{where}'."
        self._run(run, f"Uploading {Path(str(path)).name}...", "upload")

    def copy_to_my_drive(self, selected: DriveItem | str | None = None) -> None:
        """'Copy to my Drive': a server-side copy of the selection (a folder: everything in it) into
        My Drive; running it again finishes an interrupted copy instead of duplicating it (issue 19)."""
        from colab_panel.drive.copying import copy_to_my_drive

        def run() -> None:
            report = copy_to_my_drive(self._selected(selected), drive=self._drive())
            self.message = report.describe()
            if self.folder is not None and self.folder.id in report.copy.parents:
                self._reload(select=report.copy)
        self._run(run, "Copying into your Drive (server-side: nothing is downloaded)...", "selection")

    def add_to_my_drive(self, selected: DriveItem | str | None = None) -> None:
        """'Add to My Drive': a shortcut to the selection in My Drive (an existing one is reused)."""
        from colab_panel.drive.copying import add_shortcut

        def run() -> None:
            item = add_shortcut(self._selected(selected), drive=self._drive())
            self.message = f"Added a shortcut to '{item.title}' in My Drive."
            if self.folder is not None and self.folder.id in item.parents:
                self._reload(select=item)
        self._run(run, "Adding a shortcut to My Drive...", "selection")

    def mkdir(self, name: str) -> None:
        def run() -> None:
            if self.place:
                raise DriveError(f"Open a folder to make a folder in ({PLACE_TITLES[self.place]} is not one).")
            item = self._drive().mkdir(name, self.folder_id or "root")
            self._reload(select=item)
            self.message = f"Created folder '{item.title}'."
        self._run(run, "Creating the folder...", "name")

    def rename(self, new: str) -> None:
        def run() -> None:
            old = self._selected()
            item = self._drive().rename(old, new)
            self._reload(select=item)
            self.message = f"Renamed '{old.title}' to '{item.title}'."
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
            what = f"'{done[0].title}'" if len(done) == 1 else count_words(done)
            self.message = f"Moved {what} to '{target.title}'."
        self._run(run, "Moving...", "move")

    def _download_each(self, drive: Any, files: list[DriveItem], target: Path) -> list[Path]:
        """Download (a Google-native file: export) each of `files` into `target`, saying which one."""
        saved: list[Path] = []
        for index, chosen in enumerate(files):
            item = drive.resolve(chosen)
            if len(files) > 1:
                self.message = f"Downloading {index + 1} of {len(files)}: '{item.title}'..."
            if item.is_native:
                path = drive.export(item, self.export_format or "pdf", target)
            else:
                path = drive.download(item, target, progress=self._on_progress)
            saved.append(path)
            self.last_download = str(path)
        return saved

    def _on_progress(self, done: int, total: int | None) -> None:
        self.progress = done / total if total else -1.0
        self.message = f"{human_bytes(done)} of {human_bytes(total)}" if total else f"{human_bytes(done)}"
