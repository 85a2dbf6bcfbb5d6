"""Build an extraction in a private folder, then move it into the destination in one step.

This is what makes "a rejected archive leaves dest exactly as it was" true for failures we
can only see mid-way (a hostile tar member, a bad CRC, a full disk, a cancel): nothing is
written under the destination's visible names until every member has been written and checked.

- Destination missing or empty: the area is a sibling `.colab_panel-tmp-<hex>` next to it and
  `commit()` is a single `rename()` onto it (rename(2) may replace an empty directory).
- Destination with content: the area is `dest/.colab_panel-tmp-<hex>` (same filesystem, so
  renames are cheap) and `commit()` merges it in: new entries are renamed in, existing files
  are replaced (as `unzip -o` would), existing folders are merged. Every conflict that would
  stop the merge (a folder where the archive has a file, an existing symlink the archive would
  write through) is found *before* the first rename.

On any exception inside the `with` block, or without `commit()`, the area is deleted (without
recursion: see `tree_removal`). Its name carries our pid, `.colab_panel-tmp-<pid>-<hex>`, so
that an area orphaned by a killed process (kill -9, a kernel restart) is removed by the next
extraction next to or into the same destination, once that process is gone.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from pathlib import Path
from types import TracebackType

from colab_panel.errors import StagingError, UnsafeArchiveError
from colab_panel.staging.temp_files import pid_running
from colab_panel.staging.tree_removal import remove_tree

TMP_PREFIX = ".colab_panel-tmp-"
_OURS = re.compile(re.escape(TMP_PREFIX) + r"(\d+)-[0-9a-f]+")


class StagingArea:
    """Context manager: `with StagingArea(dest) as area: ...write under area.root...; area.commit()`."""

    def __init__(self, dest: str | os.PathLike[str]) -> None:
        self.dest = Path(os.path.abspath(dest))
        self.root: Path
        self._inside = False
        self._created_dest = False
        self._committed = False

    def __enter__(self) -> StagingArea:
        dest = self.dest
        if dest.exists() and not dest.is_dir():
            raise StagingError(f"The destination {dest} exists and is not a folder.")
        remove_orphaned_areas(dest.parent)
        remove_orphaned_areas(dest)
        # A mount point can't be renamed onto; the process's working directory can, but the
        # process would be left in a deleted folder (every relative path failing): fill both.
        empty = not dest.exists() or (not os.path.ismount(dest) and not _is_cwd(dest) and _is_empty_dir(dest))
        if empty:
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                self.root = _make_private_dir(dest.parent)
                return self
            except PermissionError:
                pass  # parent not writable: fall back to a folder inside dest
        if not dest.exists():
            dest.mkdir(parents=True)
            self._created_dest = True
        self.root = _make_private_dir(dest)
        self._inside = True
        return self

    def commit(self) -> None:
        """Move everything built under `root` into `dest`. Raises before moving anything on a conflict."""
        if not self._inside:
            try:
                os.rename(self.root, self.dest)
                self._committed = True
                return
            except OSError as e:
                if e.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            # Someone wrote into dest while we extracted: merge instead.
        renames: list[tuple[str, str]] = []
        _plan_merge(str(self.root), str(self.dest), renames)
        for src, dst in renames:
            os.replace(src, dst)
        self._committed = True
        remove_tree(self.root)  # only emptied, merged folders are left

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self._committed:
            remove_tree(self.root)
            if self._created_dest:
                try:
                    self.dest.rmdir()
                except OSError:
                    pass


def _is_cwd(path: Path) -> bool:
    try:
        return os.path.samefile(path, os.getcwd())
    except OSError:
        return False


def _is_empty_dir(path: Path) -> bool:
    with os.scandir(path) as entries:
        return not any(entries)


def remove_orphaned_areas(folder: Path) -> None:
    """Delete staging areas in `folder` whose process is gone (never a live one, never other names)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = _OURS.fullmatch(name)
        if match and not pid_running(int(match.group(1))):
            remove_tree(folder / name)


def _make_private_dir(parent: Path) -> Path:
    # os.mkdir (not mkdtemp) so the folder gets the user's usual mode via umask: in the
    # empty-destination case it *becomes* the destination.
    for _ in range(100):
        path = parent / f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            continue
    raise StagingError(f"Could not create a temporary folder in {parent}.")


def _plan_merge(root: str, dest: str, renames: list[tuple[str, str]]) -> None:
    """List the renames that merge `root` into `dest`; raise on the first conflict.

    A list of folder pairs, not recursion: an archive's folder chain can be 1,000s deep.
    """
    pairs = [(root, dest)]
    while pairs:
        src_dir, dst_dir = pairs.pop()
        with os.scandir(src_dir) as it:
            entries = list(it)
        for entry in entries:
            target = os.path.join(dst_dir, entry.name)
            try:
                st = os.lstat(target)
            except FileNotFoundError:
                renames.append((entry.path, target))
                continue
            rel = os.path.relpath(entry.path, root)
            if entry.is_dir(follow_symlinks=False):
                if stat.S_ISLNK(st.st_mode):
                    raise UnsafeArchiveError(
                        f"The archive has a folder {rel!r}, but {target} is an existing symbolic link; "
                        "extracting through it could write outside the destination, so nothing was extracted.")
                if stat.S_ISDIR(st.st_mode):
                    pairs.append((entry.path, target))
                    continue
                raise StagingError(f"The archive has a folder {rel!r} but {target} is an existing file; "
                                   "nothing was extracted.")
            if stat.S_ISDIR(st.st_mode):
                raise StagingError(f"The archive has a file {rel!r} but {target} is an existing folder; "
                                   "nothing was extracted.")
            renames.append((entry.path, target))
