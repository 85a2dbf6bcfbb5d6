"""What a cancelled or stopped staging left in its destination, counted on disk and said in words.

A cancel used to say "nothing was written" while hundreds of verified files stayed. The words
now come from the disk itself at the moment of the message: files the manifest records as
verified (size matching), partial downloads a rerun resumes (`.part` files in the download
folder), and any other file, which this run did not check. Our bookkeeping (the manifest, the
download folder's sidecars) is not counted: it is how the rerun knows what to skip.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from colab_panel.disk.atomic import PART_SUFFIX
from colab_panel.staging.extract_inputs import shown
from colab_panel.staging.manifest import Manifest
from colab_panel.units import human_bytes

__all__ = ["KeptFiles", "kept_files", "cancelled_in_words"]

_OURS = ".colab_panel"  # prefix of the manifest, the download folder and temp trees
_DOWNLOADS = ".colab_panel-download"


@dataclass(frozen=True)
class KeptFiles:
    verified_files: int = 0
    verified_bytes: int = 0
    partial_files: int = 0
    partial_bytes: int = 0
    other_files: int = 0
    other_bytes: int = 0

    @property
    def nothing(self) -> bool:
        return not (self.verified_files or self.partial_files or self.other_files)


def kept_files(dest: str | os.PathLike[str]) -> KeptFiles:
    """Count what `dest` holds now. A loop over a stack, not recursion: trees may be deep."""
    root = Path(dest)
    if not root.is_dir():
        return KeptFiles()
    manifest = Manifest.load(root)
    recorded = manifest.files if manifest is not None else {}
    counts = {"verified": [0, 0], "partial": [0, 0], "other": [0, 0]}
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        folder, rel_folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            in_downloads = rel == _DOWNLOADS or rel.startswith(_DOWNLOADS + "/")
            if not in_downloads and not rel_folder and entry.name.startswith(_OURS):
                continue  # the manifest, temp trees
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, rel))
                    continue
                size = entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            if in_downloads:
                kind = "partial" if entry.name.endswith(PART_SUFFIX) else None
            else:
                done = recorded.get(rel)
                kind = "verified" if done is not None and done.get("size") == size else "other"
            if kind is not None:
                counts[kind][0] += 1
                counts[kind][1] += size
    return KeptFiles(*counts["verified"], *counts["partial"], *counts["other"])


def _files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def cancelled_in_words(dest: str | os.PathLike[str], *, verb: str = "Cancelled") -> str:
    """E.g. "Cancelled. Kept 312 verified files (1.4 GB) and 3 partial downloads (resumed next
    time) in /content/data/x; nothing else was written." Counted on disk now, so it is true."""
    kept = kept_files(dest)
    where = shown(str(dest))
    if kept.nothing:
        return f"{verb}; nothing was written to {where}."
    parts = []
    if kept.verified_files:
        noun = "file" if kept.verified_files == 1 else "files"
        parts.append(f"{kept.verified_files} verified {noun} ({human_bytes(kept.verified_bytes)})")
    if kept.partial_files:
        noun = "partial download" if kept.partial_files == 1 else "partial downloads"
        parts.append(f"{kept.partial_files} {noun} ({human_bytes(kept.partial_bytes)}, resumed next time)")
    if kept.other_files:
        parts.append(f"{_files(kept.other_files)} ({human_bytes(kept.other_bytes)}) this run did not check")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{verb}. Kept {listed} in {where}; nothing else was written."
