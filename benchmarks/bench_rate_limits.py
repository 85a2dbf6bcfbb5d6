"""Staging a Drive folder while 3 % of requests are refused for rate (issue #11, "Measure": goal <= 1.5x).

A folder of `FILES` files of 64 KiB on the emulator, every request delayed `LATENCY_S` (a real
round trip), staged with `stage("drive:FOLDER")` and the default retry policy (Drive's advice:
exponential backoff with jitter from 1 s). Ours: 3 % of all requests answered 403
userRateLimitExceeded or 429 rateLimitExceeded at random (seeded, so each run sees the same
faults); baseline: no faults. `repeat_pair()` alternates them `RUNS` times.

    python -m benchmarks.run rate_limits
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Row, repeat_pair
from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.staging import stage

FILES = 1000
FILE_BYTES = 64 * 1024
LATENCY_S = 0.03
SHARE = 0.03
RUNS = 5
GOAL = 1.5


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        seed = Path(tmp) / "seed" / "ds"
        for i in range(FILES):
            sub = seed / f"part{i % 10}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"{i:05d}.bin").write_bytes(os.urandom(FILE_BYTES))
        with DriveEmulator(root=seed.parent, max_page_size=1000) as emu:
            emu.faults.delay(LATENCY_S)
            folder = next(i.id for i in emu.store.children(emu.root_id) if i.title == "ds")
            counter = iter(range(1_000_000))
            refused: list[int] = []

            def staged(faults: bool) -> float:
                n = next(counter)
                if faults:
                    before = emu.requests.count(status=403) + emu.requests.count(status=429)
                    emu.faults.fail(status=403, reason="userRateLimitExceeded", times=None, share=SHARE / 2, seed=n)
                    emu.faults.fail(status=429, reason="rateLimitExceeded", times=None, share=SHARE / 2, seed=n + 1)
                dest = Path(tmp) / f"out{n}"
                drive = Drive.for_emulator(emu.base_url, emu.token, emu.ca_cert_path)
                started = time.perf_counter()
                try:
                    result = stage(f"drive:{folder}", dest, drive=drive, progress=None)
                finally:
                    drive.close()
                    emu.faults.clear()
                    emu.faults.delay(LATENCY_S)
                seconds = time.perf_counter() - started
                if result.files != FILES:
                    raise RuntimeError(f"staged {result.files} of {FILES} files")
                if faults:
                    refused.append(emu.requests.count(status=403) + emu.requests.count(status=429) - before)
                shutil.rmtree(dest)
                return seconds

            pair = repeat_pair(lambda: staged(True), lambda: staged(False), runs=RUNS)
    return [Row(f"stage a folder of {FILES} x 64 KiB, {LATENCY_S * 1000:.0f} ms per request: 3 % of requests refused "
                f"for rate ({min(refused)}-{max(refused)} refusals a run) vs none",
                pair.ours, pair.baseline, "s", "<= 1.5x", pair.ratio, pair.ratio <= GOAL,
                pair.ratio_min, pair.ratio_max, pair.runs)]
