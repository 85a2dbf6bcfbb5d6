"""What a staging run produced, and what every kind of source checks first: one run per
destination at a time, and an unchanged source already staged there is a cache hit."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from colab_panel.staging.job_lock import job_lock
from colab_panel.staging.manifest import Manifest


@dataclass(frozen=True)
class StagedDataset:
    """What `stage()` put where. `files`/`bytes` count the dataset (not our bookkeeping files)."""

    path: Path
    files: int
    bytes: int
    source: str
    cached: bool  # True: an unchanged source was already staged here; nothing was fetched
    seconds: float
    notes: tuple[str, ...] = ()  # things the user should know (a key file's mode fixed, files skipped)


def destination_lock(dest: Path) -> Any:
    """One run at a time into `dest` (threads and processes); a second is refused with JobBusy."""
    return job_lock("stage", os.path.realpath(dest), f"'{dest}'", "staged")


def cache_hit(dest: Path, identity: dict[str, Any], label: str, started: float) -> StagedDataset | None:
    manifest = Manifest.load(dest)
    if manifest is None or not manifest.complete or not manifest.matches(identity):
        return None
    return StagedDataset(dest, int(manifest.summary.get("files", 0)), int(manifest.summary.get("bytes", 0)),
                         label, True, time.monotonic() - started)
