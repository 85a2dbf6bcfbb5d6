"""Copy a local or mounted folder (e.g. under /content/drive) to fast disk with a worker pool.

Mounted Drive folders answer each file open with network latency, so several files are
copied at once (`worker_pool`). Each file is copied into `<name>.part` and renamed when its size matches the
source, so a cancel or crash never leaves a half-copied file under its real name; the
manifest records finished files so a rerun copies only the rest.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from colab_panel.errors import StagingError
from colab_panel.disk import writing
from colab_panel.disk.atomic import part_path
from colab_panel.staging.manifest import Manifest
from colab_panel.staging.progress import ProgressTracker
from colab_panel.staging.worker_pool import WorkerPool

DEFAULT_COPY_WORKERS = 8  # latency-bound on a FUSE mount: more in flight than cores


def list_tree(root: Path) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime_ns) of every regular file under `root`; symlinks are skipped."""
    out: list[tuple[str, int, int]] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        with os.scandir(root / rel_dir if rel_dir else root) as entries:
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel)
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    out.append((rel, st.st_size, st.st_mtime_ns))
    out.sort()
    return out


def copy_tree(src: Path, dest: Path, files: list[tuple[str, int, int]], manifest: Manifest, *,
              tracker: ProgressTracker, cancel: threading.Event | None) -> None:
    """Copy `files` (from `list_tree(src)`) under `dest`, skipping those the manifest has as done."""
    todo = []
    for rel, size, mtime_ns in files:
        entry = manifest.files.get(rel)
        if entry is not None and entry.get("mtime_ns") == mtime_ns and manifest.is_done(rel, size):
            tracker.add(size, 1)
        else:
            todo.append((rel, size, mtime_ns))
    for folder in sorted({os.path.dirname(rel) for rel, _, _ in todo}):
        if folder:
            writing.make_dirs(dest / folder)
    lock = threading.Lock()

    def copy_one(item: tuple[str, int, int]) -> None:
        rel, size, mtime_ns = item
        writing.check_stop(stop, cancel)
        final = dest / rel
        part = part_path(final)
        try:
            shutil.copyfile(src / rel, part)  # sendfile/copy_file_range inside
            copied = part.stat().st_size
            if copied != size:
                raise StagingError(f"{rel} changed while it was copied ({copied} bytes instead of {size}).")
            os.replace(part, final)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        with lock:
            manifest.files[rel] = {"size": size, "mtime_ns": mtime_ns}
        tracker.add(size, 1)

    pool = WorkerPool(copy_one, workers=DEFAULT_COPY_WORKERS, name="colab_panel-copy")
    stop = pool.stop

    def tick() -> None:
        tracker.emit()
        with lock:
            manifest.save_if_due()

    try:
        pool.run(todo, cancel=cancel, tick=tick)
    finally:
        # Also on cancel/error: what finished is recorded, so a rerun copies only the rest.
        # (A copy stopped mid-way removed its own .part in copy_one.)
        with lock:
            manifest.save()
