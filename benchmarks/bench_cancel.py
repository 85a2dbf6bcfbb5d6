"""Cancel latency while a download is in flight at 1 MB/s (issue #11, "Crash and cancel": goal <= 1 s).

The emulator caps each media response at 1 MB/s. `stage()` starts; a timer sets the cancel
event 1.5 s later, while bytes are flowing; the figure is the time from `cancel.set()` until
`stage()` raises StagingCancelled. Median of `REPEAT` runs, min-max in the row's name.
Cases: one large file (parallel byte ranges, the path a file over 32 MB takes), one file by a
single stream, and a folder of several large files. The baseline column is the goal itself
(1 s), so the ratio reads as "share of the allowed second".

    python -m benchmarks.run cancel
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.harness import Row
from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import StagingCancelled
from colab_panel.staging import stage

MiB = 1024 * 1024
RATE = 1_000_000  # bytes/s per connection
CANCEL_AFTER_S = 1.5
REPEAT = 5
GOAL_S = 1.0


def _seed(root: Path) -> None:
    (root / "large.bin").write_bytes(os.urandom(48 * MiB))
    (root / "single.bin").write_bytes(os.urandom(24 * MiB))
    folder = root / "folder"
    folder.mkdir()
    for i in range(8):
        (folder / f"shard{i}.bin").write_bytes(os.urandom(8 * MiB))


def _latency(emu: DriveEmulator, drive: Drive, item_id: str, dest: Path) -> float:
    cancel = threading.Event()
    when: dict[str, float] = {}

    def fire() -> None:
        when["set"] = time.monotonic()
        cancel.set()

    timer = threading.Timer(CANCEL_AFTER_S, fire)
    timer.start()
    try:
        stage(f"drive:{item_id}", dest, drive=drive, progress=None, cancel=cancel)
    except StagingCancelled:
        return time.monotonic() - when["set"]
    finally:
        timer.cancel()
    raise RuntimeError("the download finished before the cancel: make the file larger")


def run() -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed"
        seed.mkdir()
        _seed(seed)
        with DriveEmulator(root=seed, max_page_size=1000) as emu:
            emu.faults.bandwidth(RATE)
            drive = Drive.for_emulator(emu.base_url, emu.token, emu.ca_cert_path,
                                       retry=RetryPolicy(base_delay_s=0.05, max_delay_s=0.2, max_total_s=30))
            ids = {i.title: i.id for i in emu.store.children(emu.root_id)}
            cases = [("one 48 MiB file (4 parallel ranges)", "large.bin"),
                     ("one 24 MiB file (one stream)", "single.bin"),
                     ("folder of 8 x 8 MiB files", "folder")]
            try:
                for label, title in cases:
                    times = [_latency(emu, drive, ids[title], Path(tmp) / f"out-{title}-{n}") for n in range(REPEAT)]
                    median = statistics.median(times)
                    rows.append(Row(f"cancel at 1 MB/s, {label}: median of {REPEAT} "
                                    f"(min-max {min(times):.2f}-{max(times):.2f} s) vs the 1 s goal",
                                    median, GOAL_S, "s", "<= 1 s", median / GOAL_S, median <= GOAL_S))
            finally:
                drive.close()
    return rows
