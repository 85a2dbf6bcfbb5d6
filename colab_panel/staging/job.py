"""`StageJob`: one `stage()` call as every source's strategy sees it (where to, how to report, when to stop)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colab_panel.staging.progress import ProgressCallback
from colab_panel.staging.staged import StagedDataset, cache_hit


@dataclass(frozen=True)
class StageJob:
    """What the caller asked for, checked; each strategy (`stager.STRATEGIES`) reads what its source needs."""

    label: str  # the source as the user named it: in messages and `StagedDataset.source`
    dest: str | os.PathLike[str] | None  # None: `default_dest(<dataset name>)`
    default_dest: Callable[[str], Path]  # where a dataset of that name goes when `dest` is None
    callback: ProgressCallback | None = None
    cancel: threading.Event | None = None  # set: stop soon, keeping what is verified (cancel is a pause)
    started_s: float = field(default_factory=time.monotonic)  # time.monotonic() when the call began
    extract: bool = True  # False: keep an archive as a file
    workers: int | None = None  # parallel downloads of a folder; None: the strategy's default
    expected: tuple[str, str] | None = None  # ("sha256" | "md5", hex) the user gave for one file
    drive: Any = None  # a Drive, a factory of one, or None: connect on first need
    kaggle_api: Any = None  # a factory of a KaggleApi-like object (tests); None: the kaggle package's
    storage_options: dict[str, Any] | None = None  # passed to an fsspec store as they are
    via_copy: bool = False  # a Drive source: copy it into the user's Drive first, stage the copy

    def target(self, name: str) -> Path:
        """The absolute folder the dataset named `name` goes into."""
        return Path(os.path.abspath(self.dest if self.dest is not None else self.default_dest(name)))

    def cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def cache_hit(self, dest: Path, identity: dict[str, Any]) -> StagedDataset | None:
        """The dataset already in `dest`, if its manifest says this same source was staged there completely."""
        return cache_hit(dest, identity, self.label, self.started_s)

    def staged(self, dest: Path, files: int, nbytes: int, notes: tuple[str, ...] | list[str] = ()) -> StagedDataset:
        """What this job put in `dest` (a fresh run, not a cache hit)."""
        return StagedDataset(dest, files, nbytes, self.label, False, time.monotonic() - self.started_s, tuple(notes))
