"""What a checkpoint is, and which ones Drive holds complete: no I/O beyond reading local files.

A *checkpoint* is one top-level entry of the watched folder (a file such as `epoch-3.pt`, or a
folder such as Hugging Face's `checkpoint-500/`) whose name matches `pattern` (fnmatch; default
every entry). Its time is its newest file's modification time, so the newest checkpoint is the
one written last. It is *complete on Drive* when every one of its files is on Drive at the same
path with the same size and md5 as the local file, and the push that sent it did not leave any of
them for later (still being written).

The catalog (`.colab_panel-keep.json`, kept in the local folder and copied to the Drive folder)
records the complete checkpoints with their files' md5s, and the ones pruned by `keep_last`, so
a restarted watcher (or `restore_latest` on a fresh runtime) knows both without guessing.
"""

from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATALOG_NAME = ".colab_panel-keep.json"
_IGNORED_PREFIX = ".colab_panel-"
_IGNORED_SUFFIXES = (".part", ".tmp")


@dataclass(frozen=True)
class LocalCheckpoint:
    name: str  # top-level entry of the watched folder
    mtime_s: float  # newest file's modification time
    files: tuple[str, ...]  # paths relative to the watched folder


def is_checkpoint_name(name: str, pattern: str | None) -> bool:
    if name.startswith(_IGNORED_PREFIX) or name.endswith(_IGNORED_SUFFIXES):
        return False
    return pattern is None or fnmatch.fnmatchcase(name, pattern)


def local_checkpoints(root: Path, pattern: str | None) -> list[LocalCheckpoint]:
    """The checkpoints in `root`, newest first. An empty folder is not a checkpoint (yet)."""
    found = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        if not is_checkpoint_name(entry.name, pattern):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                files = []
                newest = None
                for dirpath, _dirs, names in os.walk(entry.path):
                    for n in names:
                        path = os.path.join(dirpath, n)
                        files.append(os.path.relpath(path, root))
                        m = os.stat(path).st_mtime
                        newest = m if newest is None else max(newest, m)
                if newest is not None:
                    found.append(LocalCheckpoint(entry.name, newest, tuple(sorted(files))))
            elif entry.is_file(follow_symlinks=False):
                found.append(LocalCheckpoint(entry.name, entry.stat().st_mtime, (entry.name,)))
        except OSError:  # removed while we looked: the next run sees the folder as it is then
            continue
    return sorted(found, key=lambda c: (c.mtime_s, c.name), reverse=True)


@dataclass
class Catalog:
    """Complete checkpoints on Drive (name -> mtime and md5 per file) and pruned ones (name -> mtime)."""

    complete: dict[str, dict[str, Any]] = field(default_factory=dict)
    pruned: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"version": 1, "complete": self.complete, "pruned": self.pruned}, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Catalog:
        """A catalog from text; unreadable text gives an empty one (a catalog is a hint, Drive is the truth)."""
        try:
            data = json.loads(text)
            complete = {str(k): {"mtime_s": float(v["mtime_s"]), "files": {str(r): str(m) for r, m in v["files"].items()}}
                        for k, v in dict(data.get("complete", {})).items()}
            pruned = {str(k): float(v) for k, v in dict(data.get("pruned", {})).items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()
        return cls(complete, pruned)

    @classmethod
    def load(cls, path: Path) -> Catalog | None:
        try:
            return cls.from_json(path.read_text())
        except OSError:
            return None

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.to_json())
        os.replace(tmp, path)  # a kill mid-write leaves the previous catalog, never half of one

    def newest_first(self) -> list[str]:
        return sorted(self.complete, key=lambda n: (self.complete[n]["mtime_s"], n), reverse=True)

    def verified_on(self, name: str, remote_md5: dict[str, str]) -> bool:
        """True when Drive (rel -> md5) still holds every file of `name` with the recorded md5."""
        files = self.complete.get(name, {}).get("files", {})
        return bool(files) and all(remote_md5.get(rel) == md5 for rel, md5 in files.items())
