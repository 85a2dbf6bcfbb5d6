"""The resumable-staging record at `dest/.colab_panel-manifest.json`.

It says which source the destination was staged from (its identity: id or url or path, size,
md5/etag/mtime — whatever the source can tell) and which files are done (path, size, md5),
so a rerun skips finished files, and a rerun against an unchanged, completed source is a
cache hit that returns at once. Written atomically (temp file + rename): a crash leaves the
previous version, never half a JSON document.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from colab_panel.staging.temp_files import remove_orphaned_temps, replace_with_text

MANIFEST_NAME = ".colab_panel-manifest.json"
VERSION = 1


class Manifest:
    """In-memory manifest; `record()` saves at most once per `save_interval` seconds (and on `save()`)."""

    def __init__(self, dest: str | os.PathLike[str], source: dict[str, Any], *, save_interval: float = 1.0) -> None:
        self.dest = Path(dest)
        self.source = dict(source)
        self.files: dict[str, dict[str, Any]] = {}
        self.complete = False
        self.summary: dict[str, Any] = {}  # files/bytes of a completed staging, for cache hits
        self._save_interval = save_interval
        self._last_save = 0.0

    @property
    def path(self) -> Path:
        return self.dest / MANIFEST_NAME

    @classmethod
    def load(cls, dest: str | os.PathLike[str]) -> Manifest | None:
        """The manifest in `dest`, or None if there is none or it is unreadable (then we start over).

        Every run reads it first, so this is also where a dead run's temp copies are swept.
        """
        remove_orphaned_temps(Path(dest) / MANIFEST_NAME)
        try:
            data = json.loads((Path(dest) / MANIFEST_NAME).read_text(encoding="utf-8"))
            if data.get("version") != VERSION:
                return None
            manifest = cls(dest, data["source"])
            manifest.files = dict(data.get("files", {}))
            manifest.complete = bool(data.get("complete", False))
            manifest.summary = dict(data.get("summary", {}))
            return manifest
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    @classmethod
    def for_source(cls, dest: str | os.PathLike[str], identity: dict[str, Any]) -> Manifest:
        """The existing manifest if it describes this same source, else a fresh one."""
        existing = cls.load(dest)
        if existing is not None and existing.matches(identity):
            return existing
        return cls(dest, identity)

    def matches(self, identity: dict[str, Any]) -> bool:
        return self.source == identity

    def is_done(self, relpath: str, size: int | None = None) -> bool:
        """Recorded as done, with this size, and still on disk with that size."""
        entry = self.files.get(relpath)
        if entry is None or (size is not None and entry.get("size") != size):
            return False
        try:
            return (self.dest / relpath).stat().st_size == entry.get("size")
        except OSError:
            return False

    def record(self, relpath: str, size: int, md5: str | None = None) -> None:
        self.files[relpath] = {"size": size, "md5": md5} if md5 else {"size": size}
        self.save_if_due()

    def save_if_due(self) -> None:
        """Save if `save_interval` has passed: bounds the work lost to a crash without a write per file."""
        if time.monotonic() - self._last_save >= self._save_interval:
            self.save()

    def mark_complete(self, files: int, nbytes: int) -> None:
        self.complete = True
        self.summary = {"files": files, "bytes": nbytes, "finished": time.time()}
        self.save()

    def save(self) -> None:
        self.dest.mkdir(parents=True, exist_ok=True)
        data = {"version": VERSION, "source": self.source, "complete": self.complete,
                "summary": self.summary, "files": self.files}
        replace_with_text(self.path, json.dumps(data, separators=(",", ":")), fsync=True)
        self._last_save = time.monotonic()
